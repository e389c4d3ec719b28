"""The wire form: selectors, ports, peers, rules and whole policies, and what they refuse."""

from __future__ import annotations

from typing import Any

import pytest
from k8s_schema import assert_valid_manifest
from podfence.errors import SpecError
from podfence.manifests.wire import (
    API_VERSION,
    KIND,
    MANAGED_BY_LABELS,
    check_unique,
    ip_block_peer,
    namespace_name_selector,
    network_policy,
    pod_peer,
    port,
    rule,
    selector,
)
from podfence.spec import Direction, IpBlock, LabelSelector, Port

API_PODS = {"matchLabels": {"app": "guestbook-api"}}


def test_the_empty_selector_is_written_as_an_empty_mapping() -> None:
    assert selector(LabelSelector()) == {}


def test_a_selector_writes_labels_sorted_and_expressions_in_order() -> None:
    spec = LabelSelector.parse(
        {
            "matchLabels": {"tier": "backend", "app": "api"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "canary", "operator": "DoesNotExist"},
            ],
        }
    )
    wire = selector(spec)
    assert wire == {
        "matchLabels": {"app": "api", "tier": "backend"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    assert list(wire["matchLabels"]) == ["app", "tier"]


def test_a_namespace_is_selected_by_its_metadata_name_label() -> None:
    assert namespace_name_selector("kube-system") == {
        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
    }


@pytest.mark.parametrize(
    ("spec", "wire"),
    [
        (Port.tcp(8080), {"protocol": "TCP", "port": 8080}),
        (Port.udp(53), {"protocol": "UDP", "port": 53}),
        (Port.tcp_range(8000, 8100), {"protocol": "TCP", "port": 8000, "endPort": 8100}),
        (Port.named("http"), {"protocol": "TCP", "port": "http"}),
        (Port.all("SCTP"), {"protocol": "SCTP"}),
    ],
)
def test_a_port_always_writes_its_protocol(spec: Port, wire: dict[str, Any]) -> None:
    assert port(spec) == wire


def test_an_ip_block_peer_omits_an_empty_except() -> None:
    assert ip_block_peer(IpBlock.ipv4("10.0.0.0/8")) == {"ipBlock": {"cidr": "10.0.0.0/8"}}
    assert ip_block_peer(IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/24"])) == {
        "ipBlock": {"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}
    }


def test_a_pod_peer_ands_both_selectors_in_one_peer() -> None:
    namespaces = namespace_name_selector("web")
    assert pod_peer(API_PODS, namespaces) == {
        "namespaceSelector": namespaces,
        "podSelector": API_PODS,
    }


def test_a_pod_peer_with_one_selector_writes_only_that_one() -> None:
    assert pod_peer(API_PODS, None) == {"podSelector": API_PODS}
    assert pod_peer(None, {}) == {"namespaceSelector": {}}
    assert pod_peer({}, None) == {"podSelector": {}}


def test_a_pod_peer_without_either_selector_is_refused() -> None:
    with pytest.raises(
        ValueError, match="a pod peer needs a podSelector, a namespaceSelector or both"
    ):
        pod_peer(None, None)


def test_an_ingress_rule_lists_its_peers_under_from() -> None:
    assert rule(Direction.INGRESS, [{"podSelector": API_PODS}], [Port.tcp(6379)]) == {
        "from": [{"podSelector": API_PODS}],
        "ports": [{"protocol": "TCP", "port": 6379}],
    }


def test_an_egress_rule_lists_its_peers_under_to() -> None:
    assert rule(Direction.EGRESS, [{"podSelector": API_PODS}], [Port.tcp(8080)]) == {
        "to": [{"podSelector": API_PODS}],
        "ports": [{"protocol": "TCP", "port": 8080}],
    }


def test_a_rule_without_ports_omits_them_meaning_every_port() -> None:
    assert rule(Direction.INGRESS, [{"podSelector": API_PODS}], []) == {
        "from": [{"podSelector": API_PODS}]
    }


@pytest.mark.parametrize("direction", [Direction.INGRESS, Direction.EGRESS])
def test_a_rule_without_peers_is_refused_never_an_allow_all(direction: Direction) -> None:
    with pytest.raises(ValueError, match="podfence does not write allow-all rules"):
        rule(direction, [], [Port.tcp(80)])


def test_a_network_policy_carries_its_identity_and_the_managed_by_label() -> None:
    policy = network_policy("deny-all", "guestbook", {}, [Direction.INGRESS])
    assert policy == {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": "deny-all",
            "namespace": "guestbook",
            "labels": {"app.kubernetes.io/managed-by": "podfence"},
        },
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    }
    assert (API_VERSION, KIND) == ("networking.k8s.io/v1", "NetworkPolicy")
    assert_valid_manifest(policy)


def test_each_policy_gets_its_own_copy_of_the_managed_by_labels() -> None:
    policy = network_policy("deny-all", "guestbook", {}, [Direction.INGRESS])
    policy["metadata"]["labels"]["extra"] = "x"
    assert MANAGED_BY_LABELS == {"app.kubernetes.io/managed-by": "podfence"}


def test_policy_types_are_always_written_ingress_before_egress() -> None:
    policy = network_policy("deny-all", "guestbook", {}, [Direction.EGRESS, Direction.INGRESS])
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert_valid_manifest(policy)


def test_empty_rule_lists_are_omitted() -> None:
    policy = network_policy("p", "ns", {}, [Direction.INGRESS, Direction.EGRESS], [], [])
    assert set(policy["spec"]) == {"podSelector", "policyTypes"}
    assert_valid_manifest(policy)


def test_rules_are_written_under_their_direction() -> None:
    ingress = rule(Direction.INGRESS, [{"podSelector": API_PODS}], [])
    egress = rule(Direction.EGRESS, [ip_block_peer(IpBlock.ipv4("0.0.0.0/0"))], [Port.tcp(443)])
    policy = network_policy(
        "p", "ns", API_PODS, [Direction.INGRESS, Direction.EGRESS], [ingress], [egress]
    )
    assert policy["spec"] == {
        "podSelector": API_PODS,
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [ingress],
        "egress": [egress],
    }
    assert_valid_manifest(policy)


def test_a_policy_without_policy_types_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^policy ns/p has no policyTypes$"):
        network_policy("p", "ns", {}, [])


def test_ingress_rules_without_the_ingress_policy_type_are_refused() -> None:
    ingress = rule(Direction.INGRESS, [{"podSelector": API_PODS}], [])
    with pytest.raises(
        ValueError, match=r"^policy ns/p has ingress rules but no Ingress policyType$"
    ):
        network_policy("p", "ns", {}, [Direction.EGRESS], ingress=[ingress])


def test_egress_rules_without_the_egress_policy_type_are_refused() -> None:
    egress = rule(Direction.EGRESS, [{"podSelector": API_PODS}], [])
    with pytest.raises(
        ValueError, match=r"^policy ns/p has egress rules but no Egress policyType$"
    ):
        network_policy("p", "ns", {}, [Direction.INGRESS], egress=[egress])


def test_check_unique_accepts_one_name_in_several_namespaces() -> None:
    check_unique(
        [
            network_policy("deny-all", "a", {}, [Direction.INGRESS]),
            network_policy("deny-all", "b", {}, [Direction.INGRESS]),
        ],
        "firewall",
    )


def test_check_unique_refuses_two_policies_with_one_namespace_and_name() -> None:
    policies = [
        network_policy("deny-all", "a", {}, [Direction.INGRESS]),
        network_policy("allow-x", "a", {}, [Direction.INGRESS]),
        network_policy("deny-all", "a", {}, [Direction.EGRESS]),
    ]
    with pytest.raises(
        SpecError, match=r"^DefaultDeny d: two policies would be named a/deny-all; rename one$"
    ):
        check_unique(policies, "DefaultDeny d")


def test_the_schema_helper_rejects_what_kubernetes_would() -> None:
    policy = network_policy("p", "ns", {}, [Direction.INGRESS])
    policy["spec"]["ingress"] = [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": "x"}}]}]
    with pytest.raises(
        pytest.fail.Exception,
        match=r"NetworkPolicy ns/p .*spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except",
    ):
        assert_valid_manifest(policy)
    policy["spec"]["ingress"] = []
    policy["spec"]["podSelecter"] = {}
    with pytest.raises(pytest.fail.Exception, match="podSelecter"):
        assert_valid_manifest(policy)
