"""Rendering a Matrix: json (the contract), csv, table and markdown."""

from __future__ import annotations

import csv
import io
import json

import pytest
from podfence.reachability import Analyzer, Matrix, read_objects
from podfence.reachability.render import render
from reachability.helpers import FIXTURES


@pytest.fixture(scope="module")
def guestbook() -> Analyzer:
    return Analyzer(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7"])


def text(matrix: Matrix, output: str, color: bool | None = None) -> str:
    out = io.StringIO()
    render(matrix, output, out, color=color)
    return out.getvalue()


def test_json_lists_every_flow_with_the_contract_keys_in_matrix_order(guestbook: Analyzer) -> None:
    matrix = guestbook.matrix()
    flows = json.loads(text(matrix, "json"))["flows"]
    assert [(f["from"], f["to"], f["port"], f["protocol"], f["allowed"]) for f in flows] == [
        (f.source, f.destination, f.port, f.protocol, f.allowed) for f in matrix
    ]


def test_json_names_the_rules_of_each_side_and_null_egress_for_externals(
    guestbook: Analyzer,
) -> None:
    flows = json.loads(text(guestbook.matrix(allowed_only=True), "json"))["flows"]
    ui_to_api = next(
        f for f in flows if f["from"] == "guestbook/ui-0" and f["to"] == "guestbook/api-0"
    )
    assert ui_to_api["ingress"] == {
        "isolated": True,
        "allowed_by": [{"policy": "guestbook/allow-ui-to-api", "rule": 0}],
    }
    assert ui_to_api["egress"] == {
        "isolated": True,
        "allowed_by": [{"policy": "guestbook/egress-tiers", "rule": 0}],
    }
    external = next(f for f in flows if f["from"] == "203.0.113.7")
    assert external["egress"] is None
    prom = next(f for f in flows if f["from"] == "monitoring/prom-0")
    assert prom["egress"] == {"isolated": False, "allowed_by": []}


def test_json_of_no_flows_is_an_empty_list() -> None:
    assert json.loads(text(Analyzer([]).matrix(), "json")) == {"flows": []}


def test_csv_has_a_header_and_one_row_per_flow(guestbook: Analyzer) -> None:
    matrix = guestbook.matrix()
    rows = list(csv.reader(io.StringIO(text(matrix, "csv"))))
    assert rows[0] == ["from", "to", "port", "protocol", "allowed"]
    assert rows[1:] == [
        [f.source, f.destination, str(f.port), f.protocol, "true" if f.allowed else "false"]
        for f in matrix
    ]


def test_the_table_groups_alike_pods_and_explains_the_groups_below(guestbook: Analyzer) -> None:
    table = text(guestbook.matrix(allowed_only=True), "table")
    lines = table.splitlines()
    assert lines[0].split() == ["FROM", "TO", "PORT", "VERDICT"]
    assert any(
        line.split() == ["guestbook/ui-0", "(+1)", "guestbook/api-0", "8080/TCP", "allowed"]
        for line in lines
    )
    assert "  guestbook/ui-0 (+1): guestbook/ui-0, guestbook/ui-1" in lines
    assert "\x1b[" not in table


def test_the_table_is_coloured_only_when_asked_or_on_a_terminal(guestbook: Analyzer) -> None:
    matrix = guestbook.matrix()
    coloured = text(matrix, "table", color=True)
    assert "\x1b[32mallowed\x1b[0m" in coloured
    assert "\x1b[31mdenied\x1b[0m" in coloured

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    render(matrix, "table", out)
    assert "\x1b[32m" in out.getvalue()
    assert "\x1b[" not in text(matrix, "table")  # a StringIO is not a terminal


def test_an_empty_table_says_so() -> None:
    assert text(Analyzer([]).matrix(), "table") == "FROM  TO  PORT  VERDICT\n(no flows)\n"


def test_markdown_is_a_table_with_a_legend(guestbook: Analyzer) -> None:
    lines = text(guestbook.matrix(allowed_only=True), "markdown").splitlines()
    assert lines[:2] == ["| From | To | Port | Verdict |", "| --- | --- | --- | --- |"]
    assert "| guestbook/ui-0 (+1) | guestbook/api-0 | 8080/TCP | allowed |" in lines
    assert "- guestbook/ui-0 (+1): guestbook/ui-0, guestbook/ui-1" in lines


def test_an_unknown_format_is_refused(guestbook: Analyzer) -> None:
    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        text(guestbook.matrix(), "yaml")


def test_groups_with_the_same_first_member_and_size_get_distinct_labels() -> None:
    from podfence.reachability.matrix import Group
    from podfence.reachability.render import _labels

    first = Group(("a/x", "a/y"), ("a/x", "a/z"), 80, "TCP", True)
    labels = _labels([first])
    assert labels == {("a/x", "a/y"): "a/x (+1)", ("a/x", "a/z"): "a/x (+1) #2"}
