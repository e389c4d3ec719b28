"""lint.subsumption: one rule covers another on any inventory, read from the rules alone."""

from __future__ import annotations

from typing import Any

from podfence.reachability import load_cluster
from podfence.reachability.lint.subsumption import covers, selector_includes
from podfence.reachability.policy import Policy
from podfence.reachability.selectors import LabelSelector
from reachability.helpers import policy


def _policy(name: str, selector: dict[str, Any], rule: dict[str, Any], ns: str = "shop") -> Policy:
    (compiled,) = load_cluster(
        [policy(f"{ns}/{name}", {"podSelector": selector, "ingress": [rule]})]
    ).policies
    return compiled


def _covers(
    wide: dict[str, Any],
    narrow: dict[str, Any],
    wide_selector: dict[str, Any] | None = None,
    narrow_selector: dict[str, Any] | None = None,
    namespace: str = "shop",
) -> bool:
    w = _policy("wide", wide_selector or {}, wide)
    n = _policy("narrow", narrow_selector or {}, narrow, namespace)
    assert w.ingress is not None and n.ingress is not None
    return covers(w.ingress[0], w, n.ingress[0], n)


API = {"podSelector": {"matchLabels": {"app": "api"}}}
SHOP_API = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
    "podSelector": {"matchLabels": {"app": "api"}},
}


def test_selectors_include_those_with_more_requirements() -> None:
    empty, web = LabelSelector(), LabelSelector((("app", "web"),))
    web_tier = LabelSelector((("app", "web"), ("tier", "a")))
    assert selector_includes(empty, web) and selector_includes(web, web_tier)
    assert not selector_includes(web_tier, web)


def test_a_peer_of_the_own_namespace_is_its_name_label() -> None:
    assert _covers({"from": [API]}, {"from": [SHOP_API]})
    assert _covers({"from": [SHOP_API]}, {"from": [API]})
    assert not _covers({"from": [SHOP_API]}, {"from": [API]}, namespace="other")


def test_wider_peers_ports_and_selection_cover() -> None:
    anything = {"from": [{"namespaceSelector": {}}]}
    assert _covers(anything, {"from": [API], "ports": [{"port": 80}]})
    assert _covers({}, {"from": [API]})
    assert _covers({"ports": [{"port": 80, "endPort": 90}]}, {"ports": [{"port": 85}]})
    assert _covers({"ports": [{"protocol": "UDP"}]}, {"ports": [{"protocol": "UDP", "port": 53}]})
    assert _covers({"ports": [{"port": "http"}]}, {"ports": [{"port": "http"}]})
    assert _covers({"from": [API]}, {"from": [API]}, narrow_selector={"matchLabels": {"a": "b"}})


def test_narrower_peers_ports_or_selection_do_not() -> None:
    assert not _covers({"from": [API]}, {})
    assert not _covers({"ports": [{"port": 80}]}, {})
    assert not _covers(
        {"ports": [{"port": 80, "endPort": 90}]}, {"ports": [{"port": 85, "endPort": 95}]}
    )
    assert not _covers({"ports": [{"port": 80}]}, {"ports": [{"port": "http"}]})
    assert not _covers({"ports": [{"protocol": "UDP"}]}, {"ports": [{"port": 53}]})
    assert not _covers({"from": [API]}, {"from": [API]}, wide_selector={"matchLabels": {"a": "b"}})


def test_ip_blocks_cover_inner_blocks_unless_an_except_cuts_into_them() -> None:
    def block(cidr: str, *excepts: str) -> dict[str, Any]:
        return {"from": [{"ipBlock": {"cidr": cidr, "except": list(excepts)}}]}

    assert _covers(block("10.0.0.0/8"), block("10.1.0.0/16"))
    assert _covers(block("10.0.0.0/8", "10.2.0.0/16"), block("10.1.0.0/16"))
    assert _covers(block("10.0.0.0/8", "10.1.1.0/24"), block("10.1.0.0/16", "10.1.0.0/23"))
    assert not _covers(block("10.0.0.0/8", "10.1.1.0/24"), block("10.1.0.0/16"))
    assert not _covers(block("10.1.0.0/16"), block("10.0.0.0/8"))
    assert not _covers(block("10.0.0.0/8"), block("fd00::/64"))
    assert not _covers(block("10.0.0.0/8"), {"from": [API]})
