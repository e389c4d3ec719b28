"""lint(): the planted fixture gives each finding exactly once, each from its planted piece."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from podfence.reachability import load_cluster, read_objects
from podfence.reachability.lint import CHECKS, LintReport, lint
from reachability.helpers import FIXTURES, policy

PLANTED = FIXTURES / "lint-planted"
Objects = list[dict[str, Any]]


def _objects() -> Objects:
    return read_objects([PLANTED / "policies.yaml", PLANTED / "inventory.yaml"])


def _lint(objects: Objects) -> LintReport:
    cluster = load_cluster(objects)
    return lint(cluster.policies, cluster.inventory)


def test_the_planted_set_has_every_finding_exactly_once() -> None:
    report = _lint(_objects())
    assert [(f.check.name, f.where) for f in report.findings] == [
        ("selects-no-pod", "shop/allow-web-to-cart"),
        ("unmatched-peer", "shop/allow-batch-to-api ingress rule 0, peer 0"),
        ("empty-ip-block", "shop/allow-office ingress rule 0, peer 0"),
        ("undeclared-named-port", "shop/allow-web-to-api ingress rule 1, port 0"),
        ("redundant-rule", "shop/allow-api-to-db ingress rule 1"),
        ("redundant-policy", "shop/allow-prometheus-to-api"),
        ("no-default-deny", "namespace legacy"),
        ("dns-blocked", "shop/db-no-egress"),
        ("ingress-from-anywhere", "shop/allow-web-from-anywhere ingress rule 0, peer 0"),
        ("all-namespaces-all-ports", "shop/allow-all-namespaces-to-web ingress rule 0, peer 0"),
        ("ignored-rules", "shop/web-egress-to-api"),
    ]
    assert [f.check.name for f in report.findings] == list(CHECKS)
    assert len(report.notes) == 1 and "stand-in" in report.notes[0]


def _named(objects: Objects, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["metadata"]["name"] == name and o["kind"] != "Pod"]
    return found


def _delete(name: str) -> Callable[[Objects], Objects]:
    return lambda objects: [o for o in objects if o is not _named(objects, name)]


def _delete_rule(name: str, index: int) -> Callable[[Objects], Objects]:
    def change(objects: Objects) -> Objects:
        del _named(objects, name)["spec"]["ingress"][index]
        return objects

    return change


def _deny_legacy(objects: Objects) -> Objects:
    return [*objects, policy("legacy/deny-all", {"podSelector": {}})]


FIXES: dict[str, Callable[[Objects], Objects]] = {
    "selects-no-pod": _delete("allow-web-to-cart"),
    "unmatched-peer": _delete("allow-batch-to-api"),
    "empty-ip-block": _delete("allow-office"),
    "undeclared-named-port": _delete_rule("allow-web-to-api", 1),
    "redundant-rule": _delete_rule("allow-api-to-db", 1),
    "redundant-policy": _delete("allow-prometheus-to-api"),
    "no-default-deny": _deny_legacy,
    "dns-blocked": _delete("db-no-egress"),
    "ingress-from-anywhere": _delete("allow-web-from-anywhere"),
    "all-namespaces-all-ports": _delete("allow-all-namespaces-to-web"),
}


@pytest.mark.parametrize("name", list(FIXES))
def test_fixing_one_planted_piece_removes_its_finding_and_no_other(name: str) -> None:
    fixed = FIXES[name](copy.deepcopy(_objects()))
    remaining = [f.check.name for f in _lint(fixed).findings]
    assert remaining == [check for check in CHECKS if check != name]


def test_the_scope_and_dns_target_reach_their_checks() -> None:
    cluster = load_cluster(_objects())
    scoped = lint(cluster.policies, cluster.inventory, scope={"shop"}, notes=["given"])
    assert "no-default-deny" not in [f.check.name for f in scoped.findings]
    assert scoped.notes[0] == "given"
