"""no-admit-all: a rule admitting every pod of every namespace to every pod on every port is caught."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.admit_all import POLICY
from policy_pack.harness import network_policy, program, resource_args, violations
from pulumi_policy.policy import _NotApplicableError


def _policy(spec: dict[str, Any]) -> list[RecordedResource]:
    return program(lambda: network_policy("shop", "allow-all", spec))


def _ingress(rule: dict[str, Any], pod_selector: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"podSelector": pod_selector or {}, "policyTypes": ["Ingress"], "ingress": [rule]}


def test_a_rule_from_every_namespace_on_every_port_is_caught_naming_the_rule_and_the_fix() -> None:
    [(message, urn)] = violations(POLICY, _policy(_ingress({"from": [{"namespaceSelector": {}}]})))
    assert message == (
        'NetworkPolicy shop/allow-all: spec.ingress[0].from[0] {"namespaceSelector": {}} admits '
        "all pods in all namespaces to every pod of namespace shop (podSelector: {}) on every "
        "port of every protocol (no ports), which undoes any default deny of namespace shop. "
        "Fix: select the source namespaces by name (namespaceSelector: {matchLabels: "
        "{kubernetes.io/metadata.name: <namespace>}}) or the source pods (podSelector), select "
        "the pods the rule is for (spec.podSelector), or list the ports."
    )
    assert urn is None  # a resource policy's violation is the resource's


@pytest.mark.parametrize(
    "peer",
    [
        {"namespaceSelector": {}, "podSelector": {}},
        {"namespaceSelector": {"matchLabels": {}}, "podSelector": {"matchExpressions": []}},
        {
            "namespaceSelector": {
                "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "Exists"}]
            }
        },
    ],
)
def test_every_shape_of_a_peer_that_selects_every_pod_of_every_namespace_is_caught(
    peer: dict[str, Any],
) -> None:
    rule = {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}, peer]}
    [(message, _)] = violations(POLICY, _policy(_ingress(rule)))
    assert "spec.ingress[0].from[1] " in message
    assert "admits all pods in all namespaces" in message


def test_a_rule_with_no_from_is_caught_as_every_pod_and_every_address() -> None:
    for rule in ({}, {"from": []}, {"ports": []}):
        [(message, _)] = violations(POLICY, _policy(_ingress(rule)))
        assert "spec.ingress[0] has no from: it admits every pod of every namespace and every " in (
            message
        )


def test_a_rule_on_every_port_of_a_protocol_is_caught() -> None:
    every_tcp = {"from": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP"}]}
    [(message, _)] = violations(POLICY, _policy(_ingress(every_tcp)))
    assert "on every TCP port (ports[0] has no port)" in message
    every_udp = {
        "from": [{"namespaceSelector": {}}],
        "ports": [{"port": 80}, {"protocol": "UDP", "port": 1, "endPort": 65535}],
    }
    [(message, _)] = violations(POLICY, _policy(_ingress(every_udp)))
    assert "on every UDP port (ports[1] is 1-65535)" in message


def test_port_ranges_that_together_cover_every_port_of_a_protocol_are_caught() -> None:
    halves = [{"port": 1, "endPort": 32767}, {"protocol": "UDP"}, {"port": 32768, "endPort": 65535}]
    [(message, _)] = violations(
        POLICY, _policy(_ingress({"from": [{"namespaceSelector": {}}], "ports": halves}))
    )
    assert (
        "on every TCP port (ports[0], ports[2] together cover 1-65535) and every UDP port "
        "(ports[1] has no port)"
    ) in message


@pytest.mark.parametrize(
    ("rule", "pod_selector"),
    [
        ({"from": [{"namespaceSelector": {}}], "ports": [{"port": 8080}]}, None),
        ({"from": [{"namespaceSelector": {}}]}, {"matchLabels": {"app": "web"}}),
        ({"from": [{"podSelector": {}}]}, None),  # every pod of its own namespace only
        ({"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}]}, None),
        ({"from": [{"namespaceSelector": {"matchLabels": {"team": "monitoring"}}}]}, None),
        ({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}, None),  # no-ingress-from-anywhere's
        ({"from": [{"namespaceSelector": {}}], "ports": [{"port": 1, "endPort": 65534}]}, None),
    ],
)
def test_a_rule_that_narrows_sources_pods_or_ports_is_clean(
    rule: dict[str, Any], pod_selector: dict[str, Any] | None
) -> None:
    assert violations(POLICY, _policy(_ingress(rule, pod_selector))) == []


def test_rules_of_a_direction_the_policy_does_not_isolate_and_egress_rules_are_clean() -> None:
    ignored = {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}], "egress": [{}]}
    assert violations(POLICY, _policy(ignored)) == []


def test_a_policy_the_api_server_would_refuse_is_not_applicable() -> None:
    [resource] = _policy({"podSelector": {}, "ingress": [{"from": [{}]}]})
    with pytest.raises(_NotApplicableError) as raised:
        POLICY.validate(resource_args(resource), lambda message, urn=None: None)
    assert raised.value.reason == (
        "the API server would refuse shop/allow-all: NetworkPolicy shop/allow-all: "
        "spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock"
    )


def test_the_guestbooks_stacks_and_the_shop_are_clean(
    guestbook: dict[str, list[RecordedResource]], shop: list[RecordedResource]
) -> None:
    for stack, resources in {**guestbook, "shop": shop}.items():
        assert violations(POLICY, resources) == [], stack
