"""The tiers around NetworkPolicies, on one flow and on sets of flows alike."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from podfence.reachability.tiers import first_match, tiers_allow


def test_the_first_matching_rule_decides_each_flow() -> None:
    hits = [("a", 0b0011), ("b", 0b0110), ("c", 0b1111)]
    assert first_match(hits, 0b1111) == [("a", 0b0011), ("b", 0b0100), ("c", 0b1000)]
    assert first_match(hits, 0b0010) == [("a", 0b0010)], "only the flows asked about"
    assert first_match([("a", 0), ("b", 1)]) == [("b", 1)], "one flow: the first rule that hits"
    assert first_match([]) == []


def test_first_match_reads_no_further_than_it_needs() -> None:
    read = []

    def hits() -> Iterator[tuple[str, int]]:
        for rule in "abc":
            read.append(rule)
            yield rule, 1

    assert first_match(hits()) == [("a", 1)]
    assert read == ["a"]


@pytest.mark.parametrize(
    ("admin_allowed", "admin_denied", "isolated", "admitted", "baseline_denied", "expected"),
    [
        (1, 0, 1, 0, 1, 1),  # an Admin Allow is final, whatever the NetworkPolicies
        (0, 1, 0, 1, 0, 0),  # an Admin Deny too
        (0, 0, 1, 1, 1, 1),  # passed: an isolating NetworkPolicy decides; the baseline is not read
        (0, 0, 1, 0, 0, 0),
        (0, 0, 0, 0, 1, 0),  # not isolated: the baseline's Deny
        (0, 0, 0, 0, 0, 1),  # nothing decided: allowed
    ],
)
def test_one_flow_goes_admin_then_network_policies_then_baseline(
    admin_allowed: int,
    admin_denied: int,
    isolated: int,
    admitted: int,
    baseline_denied: int,
    expected: int,
) -> None:
    assert tiers_allow(admin_allowed, admin_denied, isolated, admitted, baseline_denied) == expected


def test_sets_of_flows_get_each_flows_answer() -> None:
    cases = list(itertools.product((0, 1), repeat=5))
    cases = [c for c in cases if not (c[0] and c[1])]  # a flow is allowed or denied by Admin
    columns = [sum(case[k] << bit for bit, case in enumerate(cases)) for k in range(5)]
    universe = (1 << len(cases)) - 1
    together = tiers_allow(*columns, universe)
    assert together == sum(tiers_allow(*case) << bit for bit, case in enumerate(cases))
