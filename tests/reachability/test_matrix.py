"""The Matrix: every flow, in order, consistent with one-flow evaluation on random clusters."""

from __future__ import annotations

import random
from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability import Analyzer, Flow, read_objects
from reachability.helpers import FIXTURES, namespace, pod, policy


@pytest.fixture(scope="module")
def guestbook() -> Analyzer:
    return Analyzer(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7"])


def test_flows_run_over_sources_then_destinations_then_declared_ports(guestbook: Analyzer) -> None:
    flows = list(guestbook.matrix())
    sources = [f.source for f in flows]
    assert sources == sorted(sources, key=[*guestbook.matrix().sources].index)
    assert sources[-1] == "203.0.113.7"
    assert not any(f.source == f.destination for f in flows)
    coredns = [
        (f.port, f.protocol)
        for f in flows
        if f.source == "guestbook/api-0" and f.destination == "kube-system/coredns-0"
    ]
    assert coredns == [(53, "UDP"), (53, "TCP")]
    # 7 targets (coredns declares two ports); a pod is not its own destination
    assert len(flows) == 5 * (7 - 1) + (7 - 2) + 7
    assert len(guestbook.matrix()) == len(flows)


def test_allowed_only_keeps_exactly_the_allowed_flows(guestbook: Analyzer) -> None:
    everything = list(guestbook.matrix())
    allowed = list(guestbook.matrix(allowed_only=True))
    assert allowed == [f for f in everything if f.allowed]
    assert 0 < len(allowed) < len(everything)
    assert Flow("guestbook/ui-0", "guestbook/api-0", 8080, "TCP", True) in allowed
    assert Flow("monitoring/prom-0", "guestbook/ui-1", 80, "TCP", True) in allowed


def test_extra_ports_are_added_to_every_destination_once() -> None:
    engine = Analyzer([pod("a/x", "10.0.0.1", [{"containerPort": 80}]), pod("a/y", "10.0.0.2")])
    bare = engine.matrix()
    assert bare.pods_without_ports == ("a/y",)
    assert [(f.source, f.destination, f.port) for f in bare] == [("a/y", "a/x", 80)]
    extra = engine.matrix(extra_ports=[(80, "TCP"), (53, "UDP")])
    assert extra.pods_without_ports == ()
    assert [(f.destination, f.port, f.protocol) for f in extra if f.source == "a/y"] == [
        ("a/x", 80, "TCP"),
        ("a/x", 53, "UDP"),
    ]
    with pytest.raises(InputError, match=r"extra port 0/TCP"):
        engine.matrix(extra_ports=[(0, "TCP")])
    with pytest.raises(InputError, match=r"extra port 80/ICMP"):
        engine.matrix(extra_ports=[(80, "ICMP")])


def test_an_empty_inventory_has_no_flows() -> None:
    matrix = Analyzer([]).matrix()
    assert list(matrix) == []
    assert matrix.groups() == []


def test_details_name_the_rules_like_evaluate_does(guestbook: Analyzer) -> None:
    matrix = guestbook.matrix()
    for row in matrix.rows():
        for target in row.targets:
            destination, port, protocol = matrix.target(target)
            detail = matrix.detail(row.source_class, matrix.target_entry[target])
            verdict = guestbook.evaluate(row.source, destination, port, protocol)
            assert detail.ingress == (verdict.ingress.isolated, verdict.ingress.allowed_by)
            if verdict.egress is None:
                assert detail.egress is None
            else:
                assert detail.egress == (verdict.egress.isolated, verdict.egress.allowed_by)
    flow = next(iter(guestbook.matrix(allowed_only=True)))
    assert matrix.verdict(flow).allowed


def test_groups_merge_pods_that_behave_alike(guestbook: Analyzer) -> None:
    groups = guestbook.matrix(allowed_only=True).groups()
    ui = ("guestbook/ui-0", "guestbook/ui-1")
    assert any(g.sources == ui and g.destinations == ("guestbook/api-0",) for g in groups)
    assert all(g.allowed for g in groups)
    assert not any("203.0.113.7" in g.sources and len(g.sources) > 1 for g in groups)
    flows = {
        (f.source, f.destination, f.port, f.protocol) for f in guestbook.matrix(allowed_only=True)
    }
    expanded = {
        (s, d, g.port, g.protocol)
        for g in groups
        for s in g.sources
        for d in g.destinations
        if s != d
    }
    assert expanded == flows


# -- random clusters: the vectorised matrix must agree with evaluate() on every flow -----------

LABELS = {"app": ["a", "b", "c"], "tier": ["x", "y"], "env": ["p", "q"]}


def _labels(rnd: random.Random) -> dict[str, str]:
    return {k: rnd.choice(v) for k, v in LABELS.items() if rnd.random() < 0.7}


def _selector(rnd: random.Random) -> dict[str, Any]:
    choice = rnd.random()
    if choice < 0.3:
        return {}
    key = rnd.choice(list(LABELS))
    if choice < 0.6:
        return {"matchLabels": {key: rnd.choice(LABELS[key])}}
    operator = rnd.choice(["In", "NotIn", "Exists", "DoesNotExist"])
    expression: dict[str, Any] = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        expression["values"] = rnd.sample(LABELS[key], rnd.randint(1, len(LABELS[key])))
    return {"matchExpressions": [expression]}


def _peer(rnd: random.Random) -> dict[str, Any]:
    kind = rnd.randrange(4)
    if kind == 0:
        return {"podSelector": _selector(rnd)}
    if kind == 1:
        return {"namespaceSelector": _selector(rnd)}
    if kind == 2:
        return {"namespaceSelector": _selector(rnd), "podSelector": _selector(rnd)}
    cidr = rnd.choice(["10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "192.168.0.0/16", "fd00::/112"])
    block: dict[str, Any] = {"cidr": cidr}
    if cidr == "10.0.0.0/16" and rnd.random() < 0.5:
        block["except"] = ["10.0.1.0/25"]
    if cidr == "fd00::/112" and rnd.random() < 0.5:
        block["except"] = ["fd00::/124"]
    return {"ipBlock": block}


def _port(rnd: random.Random) -> dict[str, Any]:
    kind = rnd.randrange(5)
    protocol = rnd.choice(["TCP", "TCP", "UDP"])
    if kind == 0:
        return {"port": rnd.choice([80, 81, 53]), "protocol": protocol}
    if kind == 1:
        return {"port": 80, "endPort": rnd.choice([80, 81, 100]), "protocol": protocol}
    if kind == 2:
        return {"port": rnd.choice(["web", "dns", "alt"]), "protocol": protocol}
    if kind == 3:
        return {"protocol": protocol}
    return {"port": rnd.choice(["web", "dns"])}


def _rules(rnd: random.Random, peer_key: str) -> list[dict[str, Any]]:
    rules = []
    for _ in range(rnd.randrange(3)):
        rule: dict[str, Any] = {}
        if rnd.random() < 0.8:
            rule[peer_key] = [_peer(rnd) for _ in range(rnd.randint(0, 2))]
        if rnd.random() < 0.7:
            rule["ports"] = [_port(rnd) for _ in range(rnd.randint(0, 2))]
        rules.append(rule)
    return rules


def random_cluster(seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    rnd = random.Random(seed)
    objects: list[dict[str, Any]] = [namespace(ns, **_labels(rnd)) for ns in ("n1", "n2")]
    port_choices = [
        {"containerPort": 80, "name": "web"},
        {"containerPort": 81, "name": "web"},
        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
        {"containerPort": 53, "name": "dns"},
        {"containerPort": 100, "name": "alt"},
    ]
    for index in range(rnd.randint(3, 9)):
        ns = rnd.choice(["n1", "n2", "n3"])  # n3 has no Namespace object
        ip = rnd.choice(
            [
                f"10.0.0.{index + 1}",
                f"10.0.1.{index + 1}",
                f"10.0.1.{index + 200}",
                f"fd00::{index + 1:x}0",
                None,
            ]
        )
        ports = rnd.sample(port_choices, rnd.randint(0, 2))
        if len(ports) == 2 and ports[0]["name"] == ports[1]["name"]:
            ports.pop()  # a port name is unique within a container
        objects.append(pod(f"{ns}/p{index}", ip, ports, **_labels(rnd)))
    for index in range(rnd.randint(0, 5)):
        spec: dict[str, Any] = {"podSelector": _selector(rnd)}
        types = rnd.choice([None, ["Ingress"], ["Egress"], ["Egress", "Ingress"]])
        if types is not None:
            spec["policyTypes"] = types
        if rnd.random() < 0.8:
            spec["ingress"] = _rules(rnd, "from")
        if rnd.random() < 0.6:
            spec["egress"] = _rules(rnd, "to")
        objects.append(policy(f"{rnd.choice(['n1', 'n2', 'n3'])}/pol{index}", spec))
    externals = rnd.sample(
        ["10.0.1.5", "10.0.1.200", "192.168.3.4", "8.8.8.8", "fd00::3", "fd00::1:0"], 3
    )
    return objects, externals


@pytest.mark.parametrize("seed", range(60))
def test_the_matrix_agrees_with_evaluate_on_random_clusters(seed: int) -> None:
    objects, externals = random_cluster(seed)
    engine = Analyzer(objects, externals)
    extra = [(81, "TCP"), (53, "UDP")] if seed % 2 else []
    flows = list(engine.matrix(extra_ports=extra))
    for flow in flows:
        verdict = engine.evaluate(flow.source, flow.destination, flow.port, flow.protocol)
        assert flow.allowed == verdict.allowed, (seed, flow, verdict)
    assert list(engine.matrix(allowed_only=True, extra_ports=extra)) == [
        f for f in flows if f.allowed
    ]


def test_random_clusters_exercise_both_verdicts() -> None:
    verdicts = set()
    for seed in range(60):
        objects, externals = random_cluster(seed)
        verdicts |= {f.allowed for f in Analyzer(objects, externals).matrix()}
    assert verdicts == {True, False}
