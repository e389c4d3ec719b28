"""A verdict as data and as one line: side_json, verdict_json and summary."""

from __future__ import annotations

import json

import pytest
from podfence.reachability import read_objects, summary, verdict_json
from podfence.reachability.report import side_json
from podfence.reachability.verdict import NOT_ISOLATED, DirectionVerdict, RuleRef
from reachability.engine import Engine
from reachability.helpers import ADMIN_TIER, FIXTURES, cluster_policy, pod


@pytest.fixture(scope="module")
def guestbook() -> Engine:
    return Engine(read_objects([FIXTURES / "guestbook"]))


def test_a_side_is_isolation_and_the_admitting_rules_and_none_stays_none() -> None:
    assert side_json(None) is None
    assert side_json(NOT_ISOLATED) == {"isolated": False, "allowed_by": []}
    rules = (RuleRef("shop", "allow", "ingress", 0), RuleRef("shop", "allow", "ingress", 2))
    assert side_json(DirectionVerdict(True, (), rules)) == {
        "isolated": True,
        "allowed_by": [{"policy": "shop/allow", "rule": 0}, {"policy": "shop/allow", "rule": 2}],
    }


def test_verdict_json_has_the_matrix_keys_and_every_rule_with_its_reason(
    guestbook: Engine,
) -> None:
    data = verdict_json(guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432))
    assert list(data) == [
        "from",
        "to",
        "port",
        "protocol",
        "allowed",
        "ingress",
        "egress",
        "assumptions",
    ]
    assert data["assumptions"] == []
    assert (data["from"], data["to"], data["port"], data["protocol"], data["allowed"]) == (
        "guestbook/ui-0",
        "guestbook/db-0",
        5432,
        "TCP",
        False,
    )
    assert data["ingress"] == {
        "isolated": True,
        "allowed_by": [],
        "allowed": False,
        "policies": ["guestbook/deny-all", "guestbook/allow-api-to-db"],
        "not_matching": [
            {
                "policy": "guestbook/allow-api-to-db",
                "rule": 0,
                "reason": "guestbook/ui-0 does not match pods app=api in namespace guestbook",
            }
        ],
    }
    egress = data["egress"]
    assert set(egress) == {"isolated", "allowed", "allowed_by", "policies", "not_matching"}
    assert egress["allowed"] is True and egress["isolated"] is True
    assert egress["allowed_by"] == [
        {
            "policy": "guestbook/egress-tiers",
            "rule": 1,
            "description": "guestbook/egress-tiers egress rule 1: to pods tier=data in namespace "
            "guestbook on any port",
        }
    ]
    assert [(m["policy"], m["rule"]) for m in egress["not_matching"]] == [
        ("guestbook/egress-tiers", 0),
        ("guestbook/egress-tiers", 2),
    ]
    assert json.loads(json.dumps(data)) == data, "plain JSON types only"


def test_verdict_json_sides_extend_the_matrix_sides(guestbook: Engine) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080)
    data = verdict_json(verdict)
    for direction in ("ingress", "egress"):
        compact = side_json(verdict.side(direction))
        assert compact is not None
        full = data[direction]
        assert full["isolated"] == compact["isolated"]
        assert [{"policy": r["policy"], "rule": r["rule"]} for r in full["allowed_by"]] == (
            compact["allowed_by"]
        ), f"{direction}: allowed_by names the same rules as the matrix's JSON"


def test_verdict_json_has_null_for_a_side_outside_the_cluster(guestbook: Engine) -> None:
    to_address = verdict_json(guestbook.evaluate("guestbook/ui-0", "203.0.113.7", 443))
    assert to_address["ingress"] is None
    assert to_address["egress"]["allowed"] is False
    assert len(to_address["egress"]["not_matching"]) == 3
    from_address = verdict_json(guestbook.evaluate("203.0.113.7", "guestbook/ui-0", 80))
    assert from_address["egress"] is None and from_address["allowed"] is True


def test_a_side_no_policy_isolates_is_allowed_with_no_policies(guestbook: Engine) -> None:
    data = verdict_json(guestbook.evaluate("monitoring/prom-0", "kube-system/coredns-0", 53, "UDP"))
    assert (
        data["ingress"]
        == data["egress"]
        == {
            "isolated": False,
            "allowed_by": [],
            "allowed": True,
            "policies": [],
            "not_matching": [],
        }
    )


def test_summary_names_the_rules_that_allow(guestbook: Engine) -> None:
    allowed = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080)
    assert summary(allowed) == (
        "allowed by guestbook/allow-ui-to-api ingress rule 0, guestbook/egress-tiers egress rule 0"
    )
    open_flow = guestbook.evaluate("monitoring/prom-0", "kube-system/coredns-0", 53, "UDP")
    assert summary(open_flow) == "allowed: no policy isolates either end"
    from_outside = guestbook.evaluate("203.0.113.7", "guestbook/ui-0", 80)
    assert summary(from_outside) == "allowed by guestbook/allow-web ingress rule 0"


def test_summary_names_the_policies_of_each_denied_side(guestbook: Engine) -> None:
    ingress_denied = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432)
    assert summary(ingress_denied) == (
        "ingress denied: isolated by guestbook/deny-all, guestbook/allow-api-to-db, "
        "no rule admits it"
    )
    both = guestbook.evaluate("guestbook/db-0", "guestbook/api-0", 8080)
    assert summary(both) == (
        "ingress denied: isolated by guestbook/deny-all, guestbook/allow-ui-to-api, no rule "
        "admits it; egress denied: isolated by guestbook/deny-all, no rule admits it"
    )
    to_address = guestbook.evaluate("guestbook/ui-0", "203.0.113.7", 443)
    assert summary(to_address) == (
        "egress denied: isolated by guestbook/deny-all, guestbook/egress-tiers, no rule admits it"
    )


# -- the tiers around the NetworkPolicies -------------------------------------------------------


@pytest.fixture(scope="module")
def admin_tier() -> Engine:
    return Engine(read_objects([ADMIN_TIER]))


DENY_DB = {
    "kind": "AdminNetworkPolicy",
    "policy": "deny-db-from-monitoring",
    "tier": "Admin",
    "priority": 10,
    "direction": "ingress",
    "rule": 0,
    "name": "deny-monitoring",
    "action": "Deny",
}


def test_a_side_a_cluster_wide_rule_decided_or_passed_names_it(admin_tier: Engine) -> None:
    denied = admin_tier.evaluate("monitoring/prometheus", "guestbook/db", 6379)
    assert side_json(denied.ingress) == {"isolated": False, "allowed_by": [], "decided_by": DENY_DB}
    passed = admin_tier.evaluate("guestbook/ui", "guestbook/db", 6379).ingress
    assert passed is not None and passed.passed_by is not None
    data = side_json(passed)
    assert data is not None and list(data) == ["isolated", "allowed_by", "passed_by"]
    assert data["passed_by"]["action"] == "Pass" and data["passed_by"]["priority"] == 20
    baseline = side_json(admin_tier.evaluate("guestbook/ui", "sandbox/scratch", 8080).ingress)
    assert baseline is not None and baseline["decided_by"]["priority"] is None


def test_verdict_json_adds_the_tier_and_the_rules_descriptions_last(admin_tier: Engine) -> None:
    data = verdict_json(admin_tier.evaluate("monitoring/prometheus", "guestbook/db", 6379))
    ingress = data["ingress"]
    assert list(ingress)[-2:] == ["tier", "decided_by"]
    assert ingress["tier"] == "Admin" and ingress["allowed"] is False
    assert ingress["decided_by"] == {
        **DENY_DB,
        "description": "AdminNetworkPolicy deny-db-from-monitoring (Admin tier, priority 10), "
        'ingress rule 0 "deny-monitoring": from all pods in namespace monitoring on any port',
    }
    assert "tier" not in data["egress"], "a side no cluster-wide policy took part in is unchanged"
    json.dumps(data)


def test_summary_names_the_cluster_wide_rule_that_decides(admin_tier: Engine) -> None:
    assert summary(admin_tier.evaluate("monitoring/prometheus", "guestbook/db", 6379)) == (
        "ingress denied by AdminNetworkPolicy deny-db-from-monitoring (Admin tier, priority 10), "
        'ingress rule 0 "deny-monitoring"'
    )
    assert summary(admin_tier.evaluate("guestbook/ui", "guestbook/db", 6379)) == (
        "allowed by guestbook/allow-ui-to-db ingress rule 0"
    )


def test_a_tie_of_priorities_is_named_in_the_json_of_the_side_it_decided() -> None:
    spec = {
        "priority": 7,
        "subject": {"namespaces": {}},
        "egress": [{"action": "Allow", "to": [{"namespaces": {}}]}],
    }
    engine = Engine(
        [
            pod("a/x", "10.0.0.1"),
            pod("a/y", "10.0.0.2"),
            cluster_policy("AdminNetworkPolicy", "one", spec),
            cluster_policy("ClusterNetworkPolicy", "two", {**spec, "tier": "Admin", "egress": []}),
        ]
    )
    data = verdict_json(engine.evaluate("a/x", "a/y", 80))
    assert data["egress"]["tied_with"] == ["ClusterNetworkPolicy two"]
    assert "tied_with" not in data["ingress"]


def test_an_assumption_a_cluster_wide_rule_read_names_the_rule_as_decided_by_does() -> None:
    unlabelled = {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}
    spec = {
        "priority": 4,
        "subject": {"namespaces": {}},
        "egress": [{"name": "fence", "action": "Deny", "to": [{"namespaces": unlabelled}]}],
    }
    engine = Engine(
        [
            pod("a/x", "10.0.0.1"),
            pod("b/y", "10.0.0.2"),
            cluster_policy("AdminNetworkPolicy", "fence", spec),
        ]
    )
    assumptions = verdict_json(engine.evaluate("a/x", "b/y", 80))["assumptions"]
    assert [(a["namespace"], a["rules"]) for a in assumptions] == [
        (
            "b",
            [
                {
                    "kind": "AdminNetworkPolicy",
                    "policy": "fence",
                    "tier": "Admin",
                    "priority": 4,
                    "direction": "egress",
                    "rule": 0,
                    "name": "fence",
                    "action": "Deny",
                }
            ],
        )
    ]


def test_a_markdown_cell_escapes_backslashes_and_pipes_and_stays_on_one_line() -> None:
    from podfence.reachability.report import markdown_cell

    assert markdown_cell("a|b\\c\nd") == "a\\|b\\\\c d"
