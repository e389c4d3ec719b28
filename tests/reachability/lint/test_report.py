"""lint.report: one report as text, Markdown and JSON."""

from __future__ import annotations

import json

from podfence.reachability.lint.findings import CHECKS, Finding, LintReport
from podfence.reachability.lint.report import render_json, render_markdown, render_text
from podfence.reachability.verdict import PolicyRef

PIPE = Finding(CHECKS["selects-no-pod"], "shop", "a | b", "fix | it", (PolicyRef("shop", "p"),))


def test_a_clean_report_says_so_in_every_form() -> None:
    clean = LintReport.of([], 2, 3, 1, ["a note"])
    assert render_text(clean, "here") == (
        "podfence lint: here\n2 policies, 3 pods in 1 namespace: no findings\n\nnote: a note\n"
    )
    markdown = render_markdown(clean, "here")
    assert "**:white_check_mark: no findings** (2 policies, 3 pods in 1 namespace)" in markdown
    assert "| severity |" not in markdown and "_Note: a note_" in markdown
    data = json.loads(render_json(clean, "here"))
    assert (data["findings"], data["errors"], data["warnings"]) == ([], 0, 0)
    assert [c["name"] for c in data["checks"]] == list(CHECKS)


def test_markdown_cells_escape_pipes() -> None:
    markdown = render_markdown(LintReport.of([PIPE], 1, 1, 1), "here")
    row = next(line for line in markdown.splitlines() if "PF001" in line)
    assert "a \\| b" in row and "fix \\| it" in row
    assert row.count(" | ") == 4


def test_text_shows_where_why_and_fix() -> None:
    text = render_text(LintReport.of([PIPE], 1, 1, 1), "here")
    assert text.splitlines()[3:] == [
        "PF001 selects-no-pod (warning): shop/p",
        "  why: a | b",
        "  fix: fix | it",
    ]
