"""Isolation and the two directions, on one flow (0/1) and on bitsets of flows."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from podfence.reachability.isolation import (
    DIRECTIONS,
    connection_allows,
    direction_allows,
    isolating,
    selecting,
)
from podfence.reachability.model import External, Pod
from podfence.reachability.policy import parse_policy
from reachability.helpers import policy


@pytest.mark.parametrize(("isolated", "admitted"), list(itertools.product((0, 1), repeat=2)))
def test_one_direction_allows_everything_unless_isolated_then_what_a_rule_admits(
    isolated: int, admitted: int
) -> None:
    expected = admitted if isolated else 1
    assert direction_allows(isolated, admitted) == expected, (
        f"isolated={isolated} admitted={admitted}: not isolated allows, isolated needs a rule"
    )


@pytest.mark.parametrize(("ingress", "egress"), list(itertools.product((0, 1), repeat=2)))
def test_a_connection_needs_both_directions(ingress: int, egress: int) -> None:
    assert connection_allows(ingress, egress) == (ingress and egress)


def test_on_bitsets_each_flow_is_decided_as_on_its_own() -> None:
    universe = 0b1111_1111
    isolated = 0b1111_0000  # flows 4-7 are of isolated pods
    admitted = 0b1010_1010  # rules admit flows 1, 3, 5, 7 (an admission of 1, 3 changes nothing)
    allowed = direction_allows(isolated, admitted, universe)
    assert allowed == 0b1010_1111
    for flow in range(8):
        one = direction_allows(isolated >> flow & 1, admitted >> flow & 1)
        assert allowed >> flow & 1 == one, f"flow {flow} differs from its single-flow decision"
    assert allowed & ~universe == 0, "nothing outside the universe is allowed"
    egress = 0b0110_0110
    both = connection_allows(allowed, egress)
    assert both == 0b0010_0110
    for flow in range(8):
        assert both >> flow & 1 == connection_allows(allowed >> flow & 1, egress >> flow & 1)


def test_an_empty_universe_allows_nothing() -> None:
    assert direction_allows(0, 0, 0) == 0


def test_isolating_are_the_selecting_policies_that_list_the_direction() -> None:
    ingress_only = parse_policy(policy("shop/in", {"podSelector": {}}))
    egress_only = parse_policy(
        policy("shop/out", {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]})
    )
    web_only = parse_policy(
        policy(
            "shop/web",
            {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"]},
        )
    )
    policies = [ingress_only, egress_only, web_only]
    web = Pod("shop", "web", {"app": "web"})
    api = Pod("shop", "api", {"app": "api"})
    assert selecting(policies, web) == [ingress_only, egress_only, web_only]
    assert isolating(selecting(policies, web), "ingress") == (ingress_only, web_only)
    assert isolating(selecting(policies, web), "egress") == (egress_only, web_only)
    assert isolating(selecting(policies, api), "ingress") == (ingress_only,)
    assert selecting(policies, Pod("other", "web", {"app": "web"})) == [], "own namespace only"
    outside = External(ipaddress.ip_address("192.0.2.1"))
    assert selecting(policies, outside) == [], "an address is never selected"


def test_directions_map_policy_types_to_rule_fields() -> None:
    assert DIRECTIONS == {"Ingress": "ingress", "Egress": "egress"}
