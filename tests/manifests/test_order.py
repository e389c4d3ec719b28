"""canonical(): the conventional key order, label maps sorted, nothing else changed."""

from __future__ import annotations

from typing import Any

from podfence.manifests.order import canonical


def keys(value: dict[str, Any]) -> list[str]:
    return list(value)


SCRAMBLED: dict[str, Any] = {
    "spec": {
        "egress": [
            {
                "ports": [{"endPort": 8100, "port": 8000, "protocol": "TCP"}],
                "to": [{"ipBlock": {"except": ["10.72.10.0/24"], "cidr": "10.72.0.0/16"}}],
            }
        ],
        "ingress": [
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"values": ["b", "a"], "operator": "In", "key": "tier"}
                            ],
                            "matchLabels": {"tier": "db", "app": "api"},
                        },
                        "namespaceSelector": {"matchLabels": {"team": "x"}},
                    }
                ]
            }
        ],
        "policyTypes": ["Ingress", "Egress"],
        "podSelector": {},
    },
    "metadata": {
        "labels": {"z": "1", "a": "2"},
        "namespace": "guestbook",
        "name": "allow",
    },
    "kind": "NetworkPolicy",
    "apiVersion": "networking.k8s.io/v1",
}


def test_a_manifest_reads_apiversion_kind_metadata_spec() -> None:
    assert keys(canonical(SCRAMBLED)) == ["apiVersion", "kind", "metadata", "spec"]


def test_metadata_and_spec_keys_come_in_the_conventional_order() -> None:
    out = canonical(SCRAMBLED)
    assert keys(out["metadata"]) == ["name", "namespace", "labels"]
    assert keys(out["spec"]) == ["podSelector", "policyTypes", "ingress", "egress"]


def test_peers_rules_blocks_and_ports_come_in_the_conventional_order() -> None:
    out = canonical(SCRAMBLED)
    peer = out["spec"]["ingress"][0]["from"][0]
    assert keys(peer) == ["namespaceSelector", "podSelector"]  # as the Kubernetes docs write it
    assert keys(peer["podSelector"]) == ["matchLabels", "matchExpressions"]
    assert keys(peer["podSelector"]["matchExpressions"][0]) == ["key", "operator", "values"]
    egress = out["spec"]["egress"][0]
    assert keys(egress) == ["to", "ports"]
    assert keys(egress["to"][0]["ipBlock"]) == ["cidr", "except"]
    assert keys(egress["ports"][0]) == ["protocol", "port", "endPort"]


def test_only_the_order_changes() -> None:
    assert canonical(SCRAMBLED) == SCRAMBLED


def test_lists_keep_their_order() -> None:
    out = canonical(SCRAMBLED)
    assert out["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert out["spec"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"] == [
        "b",
        "a",
    ]


def test_label_maps_are_sorted_alphabetically_even_when_a_key_is_a_known_field_name() -> None:
    labels = {"port": "1", "name": "2", "app": "3", "kind": "4", "zone": "5"}
    out = canonical(
        {
            "metadata": {"labels": labels, "annotations": dict(labels)},
            "spec": {"podSelector": {"matchLabels": dict(labels)}},
        }
    )
    expected = ["app", "kind", "name", "port", "zone"]
    assert keys(out["metadata"]["labels"]) == expected
    assert keys(out["metadata"]["annotations"]) == expected
    assert keys(out["spec"]["podSelector"]["matchLabels"]) == expected


def test_unknown_keys_come_after_the_known_ones_alphabetically() -> None:
    out = canonical({"zeta": 1, "status": {}, "alpha": 2, "kind": "X", "apiVersion": "v1"})
    assert keys(out) == ["apiVersion", "kind", "alpha", "status", "zeta"]


def test_scalars_and_empty_values_pass_through() -> None:
    assert canonical("x") == "x"
    assert canonical(8080) == 8080
    assert canonical(None) is None
    assert canonical({}) == {}
    assert canonical([]) == []


def test_the_input_is_not_modified() -> None:
    value: dict[str, Any] = {"b": {"matchLabels": {"z": "1", "a": "2"}}, "a": 1}
    canonical(value)
    assert keys(value) == ["b", "a"]
    assert keys(value["b"]["matchLabels"]) == ["z", "a"]
