"""lint.shapes: every namespace, every pod, every port and every address, read from the rules."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.reachability import load_cluster
from podfence.reachability.lint.shapes import (
    covered,
    every_address,
    every_namespace,
    every_pod,
    every_pod_peers,
    every_port,
    spans,
)
from podfence.reachability.policy import Rule
from podfence.reachability.selectors import LabelSelector, Requirement
from podfence.validation import Network, parse_cidr
from reachability.helpers import policy

NAME = "kubernetes.io/metadata.name"


def _rule(rule: dict[str, Any], direction: str = "ingress") -> Rule:
    spec = {"podSelector": {}, "policyTypes": [direction.capitalize()], direction: [rule]}
    (compiled,) = load_cluster([policy("shop/p", spec)]).policies
    (found,) = compiled.rules(direction) or ()
    return found


def _network(text: str) -> Network:
    parsed = parse_cidr(text)
    assert not isinstance(parsed, str)
    return parsed


def test_covered_merges_ranges_that_touch_or_overlap_and_stops_at_a_gap() -> None:
    assert covered([(1, 10), (11, 20)], 1, 20)
    assert covered([(5, 30), (1, 6)], 1, 20)
    assert not covered([(1, 10), (12, 20)], 1, 20)
    assert not covered([(2, 20)], 1, 20)
    assert not covered([], 1, 1)


def test_spans_merges_networks_of_the_targets_family_only() -> None:
    halves = [_network("10.0.0.0/9"), _network("10.128.0.0/9")]
    assert spans(halves, _network("10.0.0.0/8"))
    assert not spans([_network("10.0.0.0/9"), _network("10.192.0.0/10")], _network("10.0.0.0/8"))
    assert spans([_network("0.0.0.0/1"), _network("128.0.0.0/1")], _network("0.0.0.0/0"))
    assert not spans([_network("fd00::/9")], _network("10.0.0.0/8"))


def test_an_empty_selector_and_one_on_the_name_label_existing_select_every_namespace() -> None:
    assert every_namespace(LabelSelector())
    assert every_namespace(LabelSelector((), (Requirement(NAME, "Exists"),)))


@pytest.mark.parametrize(
    "selector",
    [
        LabelSelector(((NAME, "shop"),)),
        LabelSelector((), (Requirement("team", "Exists"),)),
        LabelSelector((), (Requirement(NAME, "NotIn", frozenset({"kube-system"})),)),
        LabelSelector((), (Requirement(NAME, "Exists"), Requirement("team", "DoesNotExist"))),
    ],
)
def test_any_other_requirement_can_leave_a_namespace_out(selector: LabelSelector) -> None:
    assert not every_namespace(selector)


def test_a_peer_admits_every_pod_with_every_namespace_and_an_empty_pod_selector_only() -> None:
    peers = [
        {"namespaceSelector": {}},
        {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "web"}}},
        {"podSelector": {}},  # the policy's own namespace
        {"ipBlock": {"cidr": "0.0.0.0/0"}},
        {"namespaceSelector": {"matchExpressions": [{"key": NAME, "operator": "Exists"}]}},
    ]
    rule = _rule({"from": peers})
    assert [every_pod(peer) for peer in rule.peers or ()] == [True, False, False, False, True]
    assert every_pod_peers(rule) == [0, 4]
    assert every_pod_peers(_rule({"from": []})) == [None]
    assert every_pod_peers(_rule({"from": [{"podSelector": {}}]})) == []


@pytest.mark.parametrize(
    ("ports", "words"),
    [
        (None, "every port of every protocol (no ports)"),
        ([], "every port of every protocol (no ports)"),
        ([{"port": 80}, {"protocol": "UDP"}], "every UDP port (ports[1] has no port)"),
        ([{"port": 80}, {"port": 1, "endPort": 65535}], "every TCP port (ports[1] is 1-65535)"),
        (
            [{"port": 1, "endPort": 100}, {"port": 50, "endPort": 65535}],
            "every TCP port (ports[0], ports[1] together cover 1-65535)",
        ),
        (
            [{"protocol": "SCTP"}, {"protocol": "TCP"}],
            "every TCP port (ports[1] has no port) and every SCTP port (ports[0] has no port)",
        ),
        ([{"port": 1, "endPort": 65534}], None),
        (
            [{"port": 1, "endPort": 32767}, {"protocol": "UDP", "port": 32768, "endPort": 65535}],
            None,
        ),
        ([{"port": "http"}], None),
    ],
)
def test_every_port_says_which_protocols_are_open_on_every_port(
    ports: list[dict[str, Any]] | None, words: str | None
) -> None:
    rule = _rule({} if ports is None else {"ports": ports})
    assert every_port(rule) == words


def test_every_address_finds_a_whole_family_alone_or_together_and_a_rule_without_peers() -> None:
    blocks = [
        {"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}},
        {"ipBlock": {"cidr": "::/1"}},
        {"ipBlock": {"cidr": "8000::/1"}},
    ]
    v4, v6 = every_address(_rule({"from": blocks}))
    assert (v4.version, [i for i, _ in v4.peers], v6.version, [i for i, _ in v6.peers]) == (
        4,
        [0],
        6,
        [1, 2],
    )
    assert v4.describe() == (
        "peer 0 (0.0.0.0/0) admits every IPv4 address (its except entries keep out only 10.0.0.0/8)"
    )
    assert v6.describe(peer="from[{}]".format) == (
        "from[1] (::/1), from[2] (8000::/1) together admit every IPv6 address"
    )
    (anywhere,) = every_address(_rule({"ports": [{"port": 53}]}, "egress"))
    assert (anywhere.version, anywhere.peers) == (None, ())
    assert anywhere.describe("spec.egress[0]").startswith(
        "spec.egress[0] has no to, so it admits every destination"
    )
    assert every_address(_rule({"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}]})) == []
