"""A LintReport as text (for a terminal), Markdown (for a pull request) and JSON (for tools)."""

from __future__ import annotations

import json

from podfence.reachability.lint.findings import CHECKS, LintReport, Severity
from podfence.reachability.report import markdown_cell

__all__ = ["render_json", "render_markdown", "render_text"]


def render_text(report: LintReport, origin: str) -> str:
    """A heading, then per finding its code, severity and place, the rule as ``explain`` words
    it, why and the fix; the notes last."""
    lines = [f"podfence lint: {origin}", f"{report.scope}: {report.summary}"]
    for finding in report.findings:
        check = finding.check
        lines += ["", f"{check.code} {check.name} ({check.severity.value}): {finding.where}"]
        if finding.rule is not None and finding.rule.rule is not None:
            lines.append(f"  rule: {finding.rule.rule.describe()}")
        lines.append(f"  why: {finding.why}")
        if finding.fix:
            lines.append(f"  fix: {finding.fix}")
    if report.notes:
        lines.append("")
        lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


_MARK = {Severity.ERROR: ":x: error", Severity.WARNING: ":warning: warning"}


def render_markdown(report: LintReport, origin: str) -> str:
    """A pull-request comment or job summary: the count first, then a table of the findings."""
    marker = ":white_check_mark: " if not report.findings else ""
    lines = [
        f"### podfence lint: {origin}",
        "",
        f"**{marker}{report.summary}** ({report.scope})",
        "",
    ]
    if report.findings:
        lines += ["| severity | check | where | why | fix |", "| --- | --- | --- | --- | --- |"]
        for finding in report.findings:
            check = finding.check
            where = f"`{markdown_cell(finding.where)}`"
            if finding.rule is not None and finding.rule.rule is not None:
                where += f"<br>{markdown_cell(finding.rule.rule.describe())}"
            lines.append(
                f"| {_MARK[check.severity]} | `{check.code}` {check.name} | {where} | "
                f"{markdown_cell(finding.why)} | {markdown_cell(finding.fix or '')} |"
            )
        lines.append("")
    lines += [f"_Note: {markdown_cell(note)}_" for note in report.notes]
    if report.notes:
        lines.append("")
    return "\n".join(lines)


def render_json(report: LintReport, origin: str) -> str:
    """``{"origin", "summary", "errors", "warnings", "ignored", "policies", "pods",
    "namespaces", "findings": [...], "notes", "checks"}``: the findings as :meth:`Finding.to_json` writes them,
    and every check with its code, name, severity and summary."""
    data = {
        "origin": origin,
        "summary": report.summary,
        "errors": report.count(Severity.ERROR),
        "warnings": report.count(Severity.WARNING),
        "ignored": report.ignored,
        "policies": report.policies,
        "pods": report.pods,
        "namespaces": report.namespaces,
        "findings": [finding.to_json() for finding in report.findings],
        "notes": list(report.notes),
        "checks": [
            {
                "code": check.code,
                "name": check.name,
                "severity": check.severity.value,
                "summary": check.summary,
            }
            for check in CHECKS.values()
        ],
    }
    return json.dumps(data, indent=2) + "\n"
