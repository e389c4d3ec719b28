"""no-ingress-from-anywhere: ingress from 0.0.0.0/0 is caught unless the policy is allowed by name."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.internet_ingress import POLICY
from policy_pack.harness import network_policy, program, violations

WEB = {"matchLabels": {"app": "web"}}


def _public(rule: dict[str, Any], direction: str = "ingress") -> list[RecordedResource]:
    spec = {"podSelector": WEB, "policyTypes": [direction.capitalize()], direction: [rule]}
    return program(lambda: network_policy("web", "allow-public", spec))


def _https_from(cidr: str, excepts: list[str] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"cidr": cidr}
    if excepts:
        block["except"] = excepts
    return {"from": [{"ipBlock": block}], "ports": [{"port": 443}]}


def test_ingress_from_0_0_0_0_0_is_caught_with_the_name_to_allow_it_by() -> None:
    [(message, urn)] = violations(POLICY, _public(_https_from("0.0.0.0/0")))
    assert message == (
        "NetworkPolicy web/allow-public: spec.ingress[0].from[0] (0.0.0.0/0) admits every IPv4 "
        "address, to pods app=web in namespace web on 443/TCP. Only the policies the config's "
        "allowed list names may (now: none). Fix: admit the address ranges that need it, or if "
        'this policy is meant to be open to the internet, add "web/allow-public" to allowed '
        "(pulumi preview --policy-pack-config)."
    )
    assert urn is None


def test_the_whole_ipv6_space_and_0_0_0_0_0_minus_private_ranges_are_caught_too() -> None:
    [(message, _)] = violations(POLICY, _public(_https_from("::/0")))
    assert "spec.ingress[0].from[0] (::/0) admits every IPv6 address, to pods" in message
    [(message, _)] = violations(POLICY, _public(_https_from("0.0.0.0/0", ["10.0.0.0/8"])))
    assert (
        "(0.0.0.0/0) admits every IPv4 address (its except entries keep out only 10.0.0.0/8), "
        "to pods"
    ) in message


def test_blocks_that_together_span_a_family_are_caught_as_one() -> None:
    halves = [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]
    [(message, _)] = violations(POLICY, _public({"from": halves, "ports": [{"port": 443}]}))
    assert (
        "spec.ingress[0].from[0] (0.0.0.0/1), spec.ingress[0].from[1] (128.0.0.0/1) together "
        "admit every IPv4 address, to pods app=web"
    ) in message


def test_a_rule_with_no_from_is_caught_as_ingress_from_anywhere() -> None:
    [(message, _)] = violations(POLICY, _public({"ports": [{"port": 443}]}))
    assert (
        "spec.ingress[0] has no from, so it admits every source: every address outside the "
        "cluster and every pod of every namespace, to pods app=web in namespace web on 443/TCP."
    ) in message


def test_a_policy_allowed_by_name_may_admit_anywhere_and_others_may_not() -> None:
    resources = _public(_https_from("0.0.0.0/0"))
    assert violations(POLICY, resources, {"allowed": ["web/allow-public"]}) == []
    [(message, _)] = violations(POLICY, resources, {"allowed": ["web/other"]})
    assert "(now: web/other)" in message


def test_a_malformed_allowed_entry_is_reported_naming_the_field() -> None:
    [(message, _)] = violations(POLICY, _public(_https_from("0.0.0.0/0")), {"allowed": ["web"]})
    assert message == (
        "policy config no-ingress-from-anywhere.allowed: 'web' must be namespace/name of a "
        "NetworkPolicy"
    )


@pytest.mark.parametrize(
    ("rule", "direction"),
    [
        (_https_from("10.72.0.0/16"), "ingress"),
        (_https_from("0.0.0.0/1"), "ingress"),
        ({"from": [{"namespaceSelector": {}}]}, "ingress"),
        ({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}, "egress"),
        ({}, "egress"),
    ],
)
def test_narrower_ranges_pod_peers_and_egress_are_clean(
    rule: dict[str, Any], direction: str
) -> None:
    assert violations(POLICY, _public(rule, direction)) == []


def test_the_guestbooks_stacks_and_the_shop_are_clean(
    guestbook: dict[str, list[RecordedResource]], shop: list[RecordedResource]
) -> None:
    for stack, resources in {**guestbook, "shop": shop}.items():
        assert violations(POLICY, resources) == [], stack
