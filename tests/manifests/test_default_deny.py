"""default_deny_policies: the blog's deny-all, per namespace, and DNS kept when egress is denied."""

from __future__ import annotations

from typing import Any

from k8s_schema import assert_valid_manifest
from podfence.manifests import default_deny_policies
from podfence.spec import DefaultDenySpec

MANAGED = {"app.kubernetes.io/managed-by": "podfence"}


def policies(**spec: Any) -> list[dict[str, Any]]:
    manifests = default_deny_policies(DefaultDenySpec.parse(spec))
    for manifest in manifests:
        assert_valid_manifest(manifest)
    return manifests


def test_the_blogs_deny_all_denies_every_ingress_in_the_namespace() -> None:
    assert policies(namespaces=["guestbook"]) == [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "deny-all", "namespace": "guestbook", "labels": MANAGED},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        }
    ]


def test_deny_all_writes_no_rules_at_all() -> None:
    (deny,) = policies(namespaces=["guestbook"])
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]


def test_one_deny_all_per_namespace_in_order() -> None:
    manifests = policies(namespaces=["guestbook", "data"])
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests] == [
        ("guestbook", "deny-all"),
        ("data", "deny-all"),
    ]


def test_denying_egress_too_adds_it_to_the_same_policy_and_keeps_dns() -> None:
    deny, dns = policies(namespaces=["guestbook"], egress=True)
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert dns == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-dns-egress", "namespace": "guestbook", "labels": MANAGED},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        },
    }


def test_dns_egress_is_one_peer_so_only_kube_dns_in_kube_system_is_reachable() -> None:
    _, dns = policies(namespaces=["guestbook"], egress=True)
    (egress_rule,) = dns["spec"]["egress"]
    assert len(egress_rule["to"]) == 1


def test_egress_only_denies_egress_only() -> None:
    deny, _ = policies(namespaces=["guestbook"], ingress=False, egress=True)
    assert deny["spec"]["policyTypes"] == ["Egress"]


def test_dns_can_be_turned_off_explicitly() -> None:
    manifests = policies(namespaces=["guestbook"], egress=True, allowDns=False)
    assert [m["metadata"]["name"] for m in manifests] == ["deny-all"]


def test_dns_is_only_added_when_egress_is_denied() -> None:
    manifests = policies(namespaces=["guestbook"], egress=False, allowDns=True)
    assert [m["metadata"]["name"] for m in manifests] == ["deny-all"]


def test_each_namespace_gets_its_deny_and_then_its_dns() -> None:
    manifests = policies(namespaces=["guestbook", "data"], egress=True)
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests] == [
        ("guestbook", "deny-all"),
        ("guestbook", "allow-dns-egress"),
        ("data", "deny-all"),
        ("data", "allow-dns-egress"),
    ]


def test_a_custom_dns_and_policy_names_are_written_as_given() -> None:
    deny, dns = policies(
        namespaces=["shop"],
        egress=True,
        policyName="default-deny",
        dns={
            "namespace": "dns",
            "podLabels": {"app": "coredns"},
            "ports": ["53/UDP"],
            "policyName": "allow-coredns",
        },
    )
    assert deny["metadata"]["name"] == "default-deny"
    assert dns["metadata"]["name"] == "allow-coredns"
    assert dns["spec"]["egress"] == [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns"}},
                    "podSelector": {"matchLabels": {"app": "coredns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}],
        }
    ]
