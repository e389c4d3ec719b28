"""The Matrix: every flow, in order, consistent with one-flow evaluation on random clusters."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest
from podfence.errors import InputError
from podfence.reachability import Endpoint, Flow, Matrix, Verdict, read_objects
from reachability.engine import Engine
from reachability.helpers import (
    FIXTURES,
    cluster_policy,
    node,
    pod,
    policy,
    random_cluster,
    random_tiered_cluster,
)


@pytest.fixture(scope="module")
def guestbook() -> Engine:
    return Engine(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7"])


def test_flows_run_over_sources_then_destinations_then_declared_ports(guestbook: Engine) -> None:
    matrix = guestbook.matrix()
    flows = list(matrix)
    keys = [endpoint.key for endpoint in matrix.sources]
    assert keys[-1] == "203.0.113.7", "sources are the pods, then the addresses"
    assert [e.key for e in matrix.destinations] == keys
    sources = [f.source for f in flows]
    assert sources == sorted(sources, key=keys.index)
    assert sources[-1] == "203.0.113.7"
    assert not any(f.source == f.destination for f in flows)
    coredns = [
        (f.port, f.protocol)
        for f in flows
        if f.source == "guestbook/api-0" and f.destination == "kube-system/coredns-0"
    ]
    assert coredns == [(53, "UDP"), (53, "TCP")]
    assert matrix.probe_ports == ((8000, "TCP"), (53, "UDP"), (53, "TCP")), (
        "the address is probed on every numeric port an egress rule names (a range: its first)"
    )
    to_address = [
        (f.port, f.protocol)
        for f in flows
        if f.source == "guestbook/api-0" and f.destination == "203.0.113.7"
    ]
    assert to_address == list(matrix.probe_ports)
    # 10 targets: 7 pod ports (coredns declares two) and 3 probe ports on the address. A pod is
    # not its own destination; the address reaches the 7 pod ports, not itself.
    assert len(flows) == 5 * (10 - 1) + (10 - 2) + 7
    assert sum(len(row.targets) for row in matrix.rows()) == len(flows)


def test_allowed_only_keeps_exactly_the_allowed_flows(guestbook: Engine) -> None:
    everything = list(guestbook.matrix())
    allowed = list(guestbook.matrix(allowed_only=True))
    assert allowed == [f for f in everything if f.allowed]
    assert 0 < len(allowed) < len(everything)
    assert Flow("guestbook/ui-0", "guestbook/api-0", 8080, "TCP", True) in allowed
    assert Flow("monitoring/prom-0", "guestbook/ui-1", 80, "TCP", True) in allowed


def test_extra_ports_are_added_to_every_destination_once() -> None:
    engine = Engine([pod("a/x", "10.0.0.1", [{"containerPort": 80}]), pod("a/y", "10.0.0.2")])
    bare = engine.matrix()
    assert bare.pods_without_ports == ("a/y",)
    assert [(f.source, f.destination, f.port) for f in bare] == [("a/y", "a/x", 80)]
    extra = engine.matrix(extra_ports=[(80, "TCP"), (53, "UDP")])
    assert extra.pods_without_ports == ()
    assert [(f.destination, f.port, f.protocol) for f in extra if f.source == "a/y"] == [
        ("a/x", 80, "TCP"),
        ("a/x", 53, "UDP"),
    ]


@pytest.mark.parametrize("bad", [(0, "TCP"), (80, "ICMP")])
def test_extra_ports_that_are_not_a_port_and_protocol_are_an_input_error(
    bad: tuple[int, str],
) -> None:
    engine = Engine([pod("a/x", "10.0.0.1", [{"containerPort": 80}]), pod("a/y", "10.0.0.2")])
    with pytest.raises(InputError, match=rf"{bad[0]}/{bad[1]}"):
        engine.matrix(extra_ports=[bad])


def test_an_empty_inventory_has_no_flows() -> None:
    matrix = Engine([]).matrix()
    assert list(matrix) == []
    assert matrix.groups() == []


def verdict_facts(verdict: Verdict) -> dict[str, object]:
    """Everything a verdict says, misses included, in comparable form."""
    facts: dict[str, object] = {
        "traffic": verdict.traffic.describe(),
        "allowed": verdict.allowed,
    }
    for direction in ("ingress", "egress"):
        side = verdict.side(direction)
        facts[direction] = (
            None
            if side is None
            else (
                side.isolated,
                side.allowed,
                side.policy_refs,
                side.allowed_by,
                verdict.not_matching(direction),
                side.decided_by,
                side.passed_by,
                verdict.ties_of(direction),
            )
        )
    return facts


def assert_verdicts_agree_with_evaluate(engine: Engine, matrix: Matrix) -> int:
    """Compare matrix.verdict with evaluate on every flow of ``matrix``; the flows compared."""
    compared = 0
    for row in matrix.rows():
        source = matrix.sources[row.source].key
        for target, allowed in zip(row.targets, row.allowed, strict=True):
            destination, port, protocol = matrix.target(target)
            from_matrix = matrix.verdict(row.source, target)
            evaluated = engine.evaluate(source, destination, port, protocol)
            flow = f"{source} -> {destination} {port}/{protocol}"
            assert verdict_facts(from_matrix) == verdict_facts(evaluated), flow
            assert from_matrix.allowed == allowed, f"{flow}: the row and the verdict differ"
            compared += 1
    return compared


def test_matrix_verdicts_agree_with_evaluate_on_every_flow_including_misses(
    guestbook: Engine,
) -> None:
    matrix = guestbook.matrix()
    assert assert_verdicts_agree_with_evaluate(guestbook, matrix) == len(list(matrix))
    misses = [
        matrix.verdict(row.source, target).not_matching("egress")
        for row in matrix.rows()
        for target in row.targets
    ]
    assert any(misses), "the guestbook has flows with rules that miss, so misses were compared"


def keys(endpoints: Sequence[Endpoint]) -> tuple[str, ...]:
    return tuple(endpoint.key for endpoint in endpoints)


def assert_groups_expand_to_the_flows(matrix: Matrix) -> None:
    """Every group, expanded member by member (no endpoint to itself), is exactly the flows."""
    flows = [(f.source, f.destination, f.port, f.protocol, f.allowed) for f in matrix]
    expanded = [
        (s.key, d.key, g.port, g.protocol, g.allowed)
        for g in matrix.groups()
        for s in g.sources
        for d in g.destinations
        if s.key != d.key
    ]
    assert len(expanded) == len(set(expanded)), "no flow is in two groups"
    assert set(expanded) == set(flows)


def test_groups_merge_pods_that_behave_alike(guestbook: Engine) -> None:
    groups = guestbook.matrix(allowed_only=True).groups()
    ui = ("guestbook/ui-0", "guestbook/ui-1")
    assert any(
        keys(g.sources) == ui and keys(g.destinations) == ("guestbook/api-0",) for g in groups
    )
    assert all(g.allowed for g in groups)
    assert not any("203.0.113.7" in keys(g.sources) and len(g.sources) > 1 for g in groups)
    assert_groups_expand_to_the_flows(guestbook.matrix(allowed_only=True))
    assert_groups_expand_to_the_flows(guestbook.matrix())
    assert not any(
        len(g.sources) == 1 and g.sources == g.destinations for g in guestbook.matrix().groups()
    ), "no row of a single pod to itself"


def test_addresses_that_behave_alike_share_a_group_and_never_face_each_other() -> None:
    objects = read_objects([FIXTURES / "guestbook"])
    engine = Engine(objects, externals=["203.0.113.7", "198.51.100.1", "10.9.9.9"])
    matrix = engine.matrix()
    groups = matrix.groups()
    outside = ("203.0.113.7", "198.51.100.1")  # both match 0.0.0.0/0 except 10.0.0.0/8
    assert any(keys(g.sources) == outside for g in groups)
    assert ("10.9.9.9",) in {keys(g.sources) for g in groups}, "10.9.9.9 is in the except"
    assert {keys(g.destinations) for g in groups if g.destinations[0].namespace is None} == {
        (*outside, "10.9.9.9")
    }, "as destinations all three behave alike: no egress rule tells them apart"
    addresses = {*outside, "10.9.9.9"}
    assert not any(
        set(keys(g.sources)) <= addresses and set(keys(g.destinations)) <= addresses for g in groups
    ), "no row between addresses"
    assert_groups_expand_to_the_flows(matrix)


# -- random clusters: the vectorised matrix must agree with evaluate() on every flow -----------


@pytest.mark.parametrize("seed", range(60))
def test_the_matrix_agrees_with_evaluate_on_random_clusters(seed: int) -> None:
    objects, externals = random_cluster(seed)
    engine = Engine(objects, externals)
    extra = [(81, "TCP"), (53, "UDP")] if seed % 2 else []
    matrix = engine.matrix(extra_ports=extra)
    flows = list(matrix)
    for flow in flows:
        verdict = engine.evaluate(flow.source, flow.destination, flow.port, flow.protocol)
        assert flow.allowed == verdict.allowed, (seed, flow, verdict)
    assert list(engine.matrix(allowed_only=True, extra_ports=extra)) == [
        f for f in flows if f.allowed
    ]
    assert_groups_expand_to_the_flows(matrix)


@pytest.mark.parametrize("seed", range(0, 60, 6))
def test_matrix_verdicts_agree_with_evaluate_on_random_clusters(seed: int) -> None:
    objects, externals = random_cluster(seed)
    engine = Engine(objects, externals)
    assert_verdicts_agree_with_evaluate(engine, engine.matrix(extra_ports=[(81, "TCP")]))


def test_random_clusters_exercise_both_verdicts() -> None:
    verdicts = set()
    for seed in range(60):
        objects, externals = random_cluster(seed)
        verdicts |= {f.allowed for f in Engine(objects, externals).matrix()}
    assert verdicts == {True, False}


# -- addresses outside the cluster as destinations ----------------------------------------------

HTTPS_OUT = policy(
    "a/https-out",
    {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                "ports": [{"port": 443}],
            },
            {"to": [{"podSelector": {}}], "ports": [{"port": "http"}]},
        ],
    },
)


def test_pods_reach_addresses_on_the_probe_ports_and_addresses_never_reach_addresses() -> None:
    objects = [
        pod("a/web", "10.0.0.1", [{"containerPort": 80, "name": "http"}], app="web"),
        pod("a/db", "10.0.0.2", [{"containerPort": 5432}]),
        HTTPS_OUT,
    ]
    addresses = ("93.184.216.34", "10.200.0.1")
    engine = Engine(objects, externals=addresses)
    matrix = engine.matrix(extra_ports=[(8080, "TCP")])
    assert matrix.probe_ports == ((8080, "TCP"), (443, "TCP")), (
        "the extra ports, then the numeric egress ports (the named one is left out)"
    )
    flows = {(f.source, f.destination, f.port): f.allowed for f in matrix}
    assert flows[("a/web", "93.184.216.34", 443)] is True
    assert flows[("a/web", "93.184.216.34", 8080)] is False
    assert flows[("a/web", "10.200.0.1", 443)] is False, "inside the except"
    assert flows[("a/db", "93.184.216.34", 8080)] is True, "a/db is not isolated for egress"
    assert flows[("a/web", "a/db", 5432)] is False and flows[("a/db", "a/web", 80)] is True
    assert not any(f.source in addresses and f.destination in addresses for f in matrix), (
        "flows between two addresses are not part of the matrix"
    )
    from_address = [(f.destination, f.port) for f in matrix if f.source == "93.184.216.34"]
    assert from_address == [("a/db", 5432), ("a/db", 8080), ("a/web", 80), ("a/web", 8080)]
    assert_verdicts_agree_with_evaluate(engine, matrix)
    to_address = next(
        matrix.verdict(row.source, target)
        for row in matrix.rows()
        for target in row.targets
        if matrix.target(target) == ("93.184.216.34", 443, "TCP")
    )
    assert to_address.ingress is None and to_address.egress is not None


def test_an_address_that_is_a_pods_ip_is_that_pod_and_not_an_address() -> None:
    objects = [pod("a/web", "10.0.0.1", [{"containerPort": 80}]), pod("a/db", "10.0.0.2")]
    engine = Engine(objects, externals=["10.0.0.1", "8.8.8.8", "8.8.8.8"])
    matrix = engine.matrix(extra_ports=[(443, "TCP")])
    assert matrix.addresses_of_pods == ((ipaddress.ip_address("10.0.0.1"), "a/web"),)
    assert keys(matrix.sources) == ("a/db", "a/web", "8.8.8.8"), (
        "the pod's IP is evaluated as the pod; an address given twice is one source"
    )
    assert not any("10.0.0.1" in (f.source, f.destination) for f in matrix)


def test_externals_may_be_cidrs_sampled_at_their_first_host() -> None:
    engine = Engine(
        [pod("a/web", "10.0.0.1", [{"containerPort": 80}])], externals=["203.0.113.0/24"]
    )
    assert keys(engine.matrix().sources) == ("a/web", "203.0.113.1")


# -- random clusters with cluster-wide policies and nodes: the same agreement --------------------


@pytest.mark.parametrize("seed", range(60))
def test_the_matrix_agrees_with_evaluate_on_random_clusters_with_cluster_wide_policies(
    seed: int,
) -> None:
    objects, externals = random_tiered_cluster(seed)
    engine = Engine(objects, [*externals, "192.168.3.4", "8.8.8.8"])
    extra = [(81, "TCP"), (53, "UDP")] if seed % 2 else []
    matrix = engine.matrix(extra_ports=extra)
    compared = assert_verdicts_agree_with_evaluate(engine, matrix)
    assert compared == len(list(matrix))
    assert list(engine.matrix(allowed_only=True, extra_ports=extra)) == [
        f for f in matrix if f.allowed
    ]
    assert_groups_expand_to_the_flows(matrix)


def test_random_clusters_with_cluster_wide_policies_reach_every_tier_and_outcome() -> None:
    outcomes: set[tuple[object, ...]] = set()
    for seed in range(60):
        objects, externals = random_tiered_cluster(seed)
        engine = Engine(objects, [*externals, "192.168.3.4", "8.8.8.8"])
        matrix = engine.matrix()
        for row in matrix.rows():
            for target in row.targets:
                verdict = matrix.verdict(row.source, target)
                for side in (verdict.ingress, verdict.egress):
                    if side is not None:
                        outcomes.add((side.tier, side.passed_by is not None, side.allowed))
    assert outcomes >= {
        ("Admin", False, True),
        ("Admin", False, False),
        ("NetworkPolicy", True, True),
        ("NetworkPolicy", True, False),
        ("Baseline", True, False),
        ("Baseline", False, True),
        ("Baseline", False, False),
        (None, True, True),
        (None, False, True),
    }


def test_addresses_of_nodes_that_a_nodes_peer_tells_apart_are_in_different_classes() -> None:
    deny_workers = cluster_policy(
        "AdminNetworkPolicy",
        "no-workers",
        {
            "priority": 1,
            "subject": {"namespaces": {}},
            "egress": [{"action": "Deny", "to": [{"nodes": {"matchLabels": {"role": "worker"}}}]}],
        },
    )
    objects = [
        pod("a/web", "10.0.0.1"),
        node("control", {"role": "control-plane"}, ["172.18.0.2"]),
        node("worker", {"role": "worker"}, ["172.18.0.3"]),
        deny_workers,
    ]
    engine = Engine(objects, externals=["172.18.0.2", "172.18.0.3", "192.0.2.1"])
    flows = {
        (f.source, f.destination): f.allowed for f in engine.matrix(extra_ports=[(443, "TCP")])
    }
    assert flows[("a/web", "node/worker (172.18.0.3)")] is False
    assert flows[("a/web", "node/control (172.18.0.2)")] is True
    assert flows[("a/web", "192.0.2.1")] is True
    table = engine.matrix().grid.table
    assert len(set(table.external_class)) == 3, "no node, a worker, the control plane"
    bare = Engine(objects[:3], externals=["172.18.0.2", "172.18.0.3", "192.0.2.1"])
    assert len(set(bare.matrix().grid.table.external_class)) == 1, (
        "without a nodes peer, addresses are told apart by ipBlocks alone"
    )


def test_with_nodes_every_node_address_is_an_address_once_and_a_pods_ip_stays_the_pod() -> None:
    objects = [
        pod("a/web", "10.0.0.1"),
        pod("kube-system/proxy", "172.18.0.2"),  # hostNetwork: the node's InternalIP
        node("control", {}, ["172.18.0.2"]),
        node("worker", {}, ["172.18.0.3", "172.18.0.4"]),
    ]
    engine = Engine(objects, externals=["192.0.2.1", "172.18.0.4"])
    matrix = Matrix.build(engine.policies, engine.inventory, engine.externals, nodes=True)
    assert keys(matrix.sources) == (
        "a/web",
        "kube-system/proxy",
        "192.0.2.1",
        "node/worker (172.18.0.4)",
        "node/worker (172.18.0.3)",
    )
    assert matrix.addresses_of_pods == (), "only the given addresses are said to be a pod's"
    assert keys(engine.matrix().sources)[2:] == ("192.0.2.1", "node/worker (172.18.0.4)")
