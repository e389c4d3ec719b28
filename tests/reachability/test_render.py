"""Rendering a Matrix: json (the contract), jsonl, csv, table and markdown, and group labels."""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import random

import pytest
from podfence.reachability import External, Matrix, Pod, read_objects
from podfence.reachability.matrix import Group
from podfence.reachability.render import group_labels, render
from podfence.reachability.traffic import Endpoint
from reachability.engine import Engine
from reachability.helpers import ADMIN_TIER, FIXTURES, random_cluster


@pytest.fixture(scope="module")
def guestbook() -> Engine:
    return Engine(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7"])


def text(matrix: Matrix, output: str, color: bool | None = None) -> str:
    out = io.StringIO()
    render(matrix, output, out, color=color)
    return out.getvalue()


def test_json_lists_every_flow_with_the_contract_keys_in_matrix_order(guestbook: Engine) -> None:
    matrix = guestbook.matrix()
    flows = json.loads(text(matrix, "json"))["flows"]
    assert [(f["from"], f["to"], f["port"], f["protocol"], f["allowed"]) for f in flows] == [
        (f.source, f.destination, f.port, f.protocol, f.allowed) for f in matrix
    ]


def test_json_names_the_rules_of_each_side_and_null_egress_for_externals(
    guestbook: Engine,
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


def test_json_has_null_ingress_for_a_destination_outside_the_cluster(guestbook: Engine) -> None:
    flows = json.loads(text(guestbook.matrix(), "json"))["flows"]
    to_address = [f for f in flows if f["to"] == "203.0.113.7"]
    assert {(f["port"], f["protocol"]) for f in to_address} == {
        (8000, "TCP"),
        (53, "UDP"),
        (53, "TCP"),
    }
    assert all(f["ingress"] is None for f in to_address)
    assert all(f["ingress"] is not None for f in flows if f["to"] != "203.0.113.7")
    ui = next(f for f in to_address if f["from"] == "guestbook/ui-0" and f["port"] == 53)
    assert ui["allowed"] is False
    assert ui["egress"] == {"isolated": True, "allowed_by": []}
    prom = next(f for f in to_address if f["from"] == "monitoring/prom-0")
    assert prom["allowed"] is True and prom["egress"] == {"isolated": False, "allowed_by": []}
    assert not any(f["from"] == f["to"] == "203.0.113.7" for f in flows)


def test_json_sides_are_the_matrix_verdicts(guestbook: Engine) -> None:
    from podfence.reachability.report import side_json

    matrix = guestbook.matrix()
    flows = json.loads(text(matrix, "json"))["flows"]
    verdicts = [
        matrix.verdict(row.source, target) for row in matrix.rows() for target in row.targets
    ]
    assert len(flows) == len(verdicts)
    for flow, verdict in zip(flows, verdicts, strict=True):
        assert (flow["from"], flow["to"], flow["port"]) == (
            verdict.source,
            verdict.destination,
            verdict.port,
        )
        assert flow["ingress"] == side_json(verdict.ingress)
        assert flow["egress"] == side_json(verdict.egress)


def test_json_of_no_flows_is_an_empty_list() -> None:
    assert json.loads(text(Engine([]).matrix(), "json")) == {"flows": []}


@pytest.mark.parametrize("allowed_only", [False, True])
def test_jsonl_is_one_flow_object_per_line_equal_to_the_json_flows(
    guestbook: Engine, allowed_only: bool
) -> None:
    matrix = guestbook.matrix(allowed_only=allowed_only)
    lines = text(matrix, "jsonl").splitlines()
    flows = json.loads(text(matrix, "json"))["flows"]
    assert [json.loads(line) for line in lines] == flows
    assert len(lines) == len(flows) > 0


def test_jsonl_of_no_flows_is_empty() -> None:
    assert text(Engine([]).matrix(), "jsonl") == ""


def test_csv_has_a_header_and_one_row_per_flow(guestbook: Engine) -> None:
    matrix = guestbook.matrix()
    rows = list(csv.reader(io.StringIO(text(matrix, "csv"))))
    assert rows[0] == ["from", "to", "port", "protocol", "allowed"]
    assert rows[1:] == [
        [f.source, f.destination, str(f.port), f.protocol, "true" if f.allowed else "false"]
        for f in matrix
    ]


UI = "guestbook/app=ui,tier=frontend (2 pods)"


def test_the_table_groups_alike_pods_and_explains_the_groups_below(guestbook: Engine) -> None:
    table = text(guestbook.matrix(allowed_only=True), "table")
    lines = table.splitlines()
    assert lines[0].split() == ["FROM", "TO", "PORT", "VERDICT"]
    assert any(
        line.split() == [*UI.split(), "guestbook/api-0", "8080/TCP", "allowed"] for line in lines
    ), "the two ui pods share a row, named by their namespace and shared labels"
    assert any(
        line.split() == ["203.0.113.7", *UI.split(), "80/TCP", "allowed"] for line in lines
    ), "an address reaches the ui group"
    assert f"  {UI}: guestbook/ui-0, guestbook/ui-1" in lines
    assert "\x1b[" not in table


def test_the_table_is_coloured_only_when_asked_or_on_a_terminal(guestbook: Engine) -> None:
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
    assert text(Engine([]).matrix(), "table") == "FROM  TO  PORT  VERDICT\n(no flows)\n"


def test_markdown_is_a_table_with_a_legend(guestbook: Engine) -> None:
    lines = text(guestbook.matrix(allowed_only=True), "markdown").splitlines()
    assert lines[:2] == ["| From | To | Port | Verdict |", "| --- | --- | --- | --- |"]
    assert f"| {UI} | guestbook/api-0 | 8080/TCP | allowed |" in lines
    assert f"- {UI}: guestbook/ui-0, guestbook/ui-1" in lines
    assert "| guestbook/api-0 | 203.0.113.7 | 8000/TCP | allowed |" not in lines, (
        "allowed only: guestbook pods may not leave the cluster"
    )
    assert "| monitoring/prom-0 | 203.0.113.7 | 8000/TCP | allowed |" in lines


def test_an_unknown_format_is_refused(guestbook: Engine) -> None:
    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        text(guestbook.matrix(), "yaml")


def make_pod(key: str, **labels: str) -> Pod:
    namespace, name = key.split("/")
    return Pod(namespace, name, labels)


def address(text: str) -> External:
    return External(ipaddress.ip_address(text))


def label_of(members: tuple[Endpoint, ...]) -> str:
    return group_labels([Group(members, members, 80, "TCP", True)])[members]


def test_one_endpoint_is_named_by_its_key() -> None:
    assert label_of((make_pod("shop/web-0", app="web"),)) == "shop/web-0"
    assert label_of((address("203.0.113.7"),)) == "203.0.113.7"


def test_a_group_is_named_by_what_its_members_share() -> None:
    web = (make_pod("guestbook/x", app="x", v="1"), make_pod("guestbook/y", app="x", v="2"))
    assert label_of(web) == "guestbook/app=x (2 pods)", "the shared labels, not the differing"
    assert label_of((make_pod("ns/a", app="a"), make_pod("ns/b"), make_pod("ns/c"))) == (
        "3 pods in ns"
    ), "nothing shared but the namespace"
    assert label_of((make_pod("a/x"), make_pod("b/x"))) == "2 pods in 2 namespaces"
    assert label_of((make_pod("a/x", app="x"), make_pod("b/x", app="x"))) == (
        "app=x (2 pods in 2 namespaces)"
    )
    assert label_of((address("192.0.2.1"), address("192.0.2.2"), address("::1"))) == "3 addresses"


def test_groups_sharing_everything_are_told_apart_by_their_first_members() -> None:
    first = (make_pod("a/x"), make_pod("a/y"))
    second = (make_pod("a/x"), make_pod("a/z"))  # the same first member and size
    third = (make_pod("a/v"), make_pod("a/w"))
    labels = group_labels(
        [Group(first, second, 80, "TCP", True), Group(third, first, 80, "TCP", False)]
    )
    assert labels == {
        first: "2 pods in a: a/x, …",
        second: "2 pods in a: a/x, a/z",
        third: "2 pods in a: a/v, …",
    }
    assert not any("#" in label for label in labels.values()), "never a number suffix"


def assert_labels_are_unique_and_no_pod_faces_itself(matrix: Matrix) -> None:
    groups = matrix.groups()
    labels = group_labels(groups)
    assert len(set(labels.values())) == len(labels), f"labels are not unique: {labels}"
    for group in groups:
        source, destination = labels[group.sources], labels[group.destinations]
        assert source != destination or len(group.sources) > 1, (
            f"a row reads as one pod talking to itself: {source} -> {destination}"
        )
        for members in (group.sources, group.destinations):
            if len(members) > 1:
                assert labels[members] not in {m.key for m in members}, (
                    "a group is not named after one of its members"
                )


def test_group_labels_are_unique_and_never_a_single_pod_to_itself(guestbook: Engine) -> None:
    assert_labels_are_unique_and_no_pod_faces_itself(guestbook.matrix())
    for seed in random.Random(7).sample(range(60), 12):
        objects, externals = random_cluster(seed)
        assert_labels_are_unique_and_no_pod_faces_itself(Engine(objects, externals).matrix())


def test_the_legend_lists_every_group_of_several_members_under_its_label() -> None:
    objects = read_objects([FIXTURES / "guestbook"])
    matrix = Engine(objects, externals=["203.0.113.7", "198.51.100.1"]).matrix()
    table = text(matrix, "table")
    legend = table.split("\nGroups (members behave alike):\n", 1)[1].splitlines()
    assert legend == [
        f"  {UI}: guestbook/ui-0, guestbook/ui-1",
        "  2 addresses: 203.0.113.7, 198.51.100.1",
    ]


def test_json_sides_name_the_cluster_wide_rule_that_decided_or_passed() -> None:
    engine = Engine(read_objects([ADMIN_TIER]))
    flows = {
        (flow["from"], flow["to"], flow["port"], flow["protocol"]): flow
        for flow in json.loads(text(engine.matrix(), "json"))["flows"]
    }
    denied = flows[("monitoring/prometheus", "guestbook/db", 6379, "TCP")]
    assert denied["allowed"] is False
    assert denied["ingress"]["decided_by"]["policy"] == "deny-db-from-monitoring"
    passed = flows[("guestbook/ui", "guestbook/db", 6379, "TCP")]
    assert passed["allowed"] is True and passed["ingress"]["passed_by"]["action"] == "Pass"
    assert passed["ingress"]["allowed_by"] == [{"policy": "guestbook/allow-ui-to-db", "rule": 0}]
    plain = flows[("monitoring/prometheus", "guestbook/ui", 80, "TCP")]
    assert set(plain["ingress"]) == {"isolated", "allowed_by"}, "no cluster-wide rule: as before"
    assert [json.loads(line) for line in text(engine.matrix(), "jsonl").splitlines()] == list(
        flows.values()
    )
