"""lint.findings: the checks' stable codes, where a finding points, the report's counts."""

from __future__ import annotations

from typing import Any

from podfence.reachability.lint.findings import (
    CHECKS,
    Finding,
    LintReport,
    Severity,
    find_check,
)
from podfence.reachability.verdict import PolicyRef, RuleRef


def test_every_check_has_a_unique_code_and_kebab_name_in_code_order() -> None:
    codes = [check.code for check in CHECKS.values()]
    assert codes == [f"PF{n:03}" for n in range(1, len(codes) + 1)]
    assert all(
        name == check.name and name == name.lower() and " " not in name
        for name, check in CHECKS.items()
    )
    errors = {name for name, check in CHECKS.items() if check.severity is Severity.ERROR}
    assert errors == {"empty-ip-block", "dns-blocked", "ignored-rules"}


def _finding(name: str, **fields: Any) -> Finding:
    return Finding(CHECKS[name], "shop", "why", **fields)


def test_where_names_the_rule_and_peer_or_port_else_the_policies_else_the_namespace() -> None:
    rule = RuleRef("shop", "p", "ingress", 2)
    assert _finding("unmatched-peer", rule=rule, peer=1).where == "shop/p ingress rule 2, peer 1"
    assert (
        _finding("undeclared-named-port", rule=rule, port=0).where
        == "shop/p ingress rule 2, port 0"
    )
    two = (PolicyRef("shop", "a"), PolicyRef("shop", "b"))
    assert _finding("dns-blocked", policies=two).where == "shop/a, shop/b"
    assert _finding("no-default-deny").where == "namespace shop"


def test_the_report_sorts_counts_and_fails_at_its_threshold() -> None:
    warning = _finding("no-default-deny")
    error = _finding("empty-ip-block", policies=(PolicyRef("shop", "p"),))
    report = LintReport.of([warning, error], 3, 1, 1)
    assert report.findings == (error, warning)  # PF003 before PF007
    assert report.summary == "2 findings: 1 error, 1 warning"
    assert report.scope == "3 policies, 1 pod in 1 namespace"
    assert report.failed(Severity.WARNING) and report.failed(Severity.ERROR)
    only_warning = LintReport.of([warning], 1, 2, 2)
    assert only_warning.failed(Severity.WARNING) and not only_warning.failed(Severity.ERROR)
    clean = LintReport.of([], 1, 2, 2)
    assert clean.summary == "no findings" and not clean.failed(Severity.WARNING)


def test_a_check_is_found_by_code_or_name_in_any_case() -> None:
    every_address = CHECKS["ingress-from-anywhere"]
    for text in ("PF009", "pf009", "ingress-from-anywhere", " Ingress-From-Anywhere "):
        assert find_check(text) is every_address
    for text in ("PF099", "PF9", "", "ingress from anywhere"):
        assert find_check(text) is None


def test_ignoring_checks_leaves_their_findings_out_counts_them_and_fails_nothing() -> None:
    warning = _finding("no-default-deny")
    error = _finding("empty-ip-block", policies=(PolicyRef("shop", "p"),))
    report = LintReport.of([warning, error], 3, 1, 1)
    without_errors = report.ignoring({"empty-ip-block"})
    assert without_errors.findings == (warning,)
    assert without_errors.summary == "1 finding: 0 errors, 1 warning; 1 ignored"
    assert not without_errors.failed(Severity.ERROR)
    nothing = without_errors.ignoring({"no-default-deny", "dns-blocked"})
    assert (nothing.summary, nothing.ignored) == ("no findings; 2 ignored", 2)
    assert not nothing.failed(Severity.WARNING)
    assert report.ignoring(()) == report


def test_a_finding_as_json_names_its_rule_with_the_engines_description() -> None:
    rule = RuleRef("shop", "p", "egress", 0)
    data = _finding("redundant-rule", rule=rule, policies=(PolicyRef("shop", "p"),)).to_json()
    assert data == {
        "code": "PF005",
        "name": "redundant-rule",
        "severity": "warning",
        "where": "shop/p egress rule 0",
        "namespace": "shop",
        "policies": ["shop/p"],
        "rule": {
            "policy": "shop/p",
            "direction": "egress",
            "index": 0,
            "description": "shop/p egress rule 0",
        },
        "peer": None,
        "port": None,
        "pods": [],
        "why": "why",
        "fix": None,
    }
