"""podfence's own truth tables for the cluster-wide policies, on the conformance suite's cluster.

The upstream conformance tests themselves (kubernetes-sigs/network-policy-api conformance/tests,
their policies, subtests and probes, transcribed) are test_upstream_conformance.py. The tables
here are NOT those tests: they were written before the upstream files were available, and
checked against them since (every table that resembles an upstream test says how the upstream
policy differs). They add what upstream's probes do not: every cell of the matrix (every pod
pair, nodes and addresses outside the cluster) rather than two probes per subtest, port ranges,
NetworkPolicies behind a Pass, nodes and networks peers, named ports on three protocols, and
ClusterNetworkPolicy tiers. The expectations are written by hand from the semantics
(sigs.k8s.io/network-policy-api):

* Admin tier (AdminNetworkPolicy; Admin-tier ClusterNetworkPolicy): lowest priority first, rules
  in order, the first match decides: Allow/Accept and Deny are final; Pass goes on.
* NetworkPolicies: when one isolates the pod for the direction, they decide.
* Baseline tier (BaselineAdminNetworkPolicy ``default``; Baseline-tier ClusterNetworkPolicy),
  only for a pod no NetworkPolicy isolates: first match, Allow/Accept or Deny (Pass: nothing).
* Otherwise allowed. A connection needs egress at the source and ingress at the destination.
* Ingress peers are pods only (an address outside the cluster matches none); ``networks``
  matches pod IPs too; ``nodes`` matches a node's address; a named port is the destination
  pod's port of that name, on its own protocol.

Rows are sources, columns destinations: every pod (and, for ingress, an address outside the
cluster); for egress also the nodes' addresses and two addresses outside the cluster. Every
table is held to both ``evaluate`` and the matrix (see ``truth.Reachability.check``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conformance import (
    ALL_PODS,
    EXTERNAL,
    EXTERNAL_V6,
    G,
    H,
    R,
    S,
    all_namespaces,
    anp,
    banp,
    cluster,
    cnp,
    deny_all,
    named_port,
    networks,
    node_ips,
    nodes,
    ns,
    pod_ip,
    pods_of,
    port_number,
    port_range,
    rule,
)
from truth import (
    Json,
    Reachability,
    check_tables,
    egress_rule,
    ingress_rule,
    ip_block,
    namespaces,
    netpol,
    ns_name,
    port,
)

CONTROL_PLANE, WORKER, WORKER2 = node_ips()
G_PODS = pods_of(G)


@dataclass(frozen=True)
class Protocol:
    """One protocol's ports, as the suite's tcp/udp/sctp variants probe them.

    Attributes:
        name: TCP, UDP or SCTP.
        exact: the port a ``portNumber`` names.
        ranged: a port inside the ``portRange`` start..end.
        start: the range's first port.
        end: its last.
        other: a port of another protocol, which no rule of the variant names.
    """

    name: str
    exact: int
    ranged: int
    start: int
    end: int
    other: tuple[int, str]

    @property
    def probes(self) -> list[tuple[int, str]]:
        """The ports each table of the variant is checked on."""
        return [(self.exact, self.name), (self.ranged, self.name), self.other]


PROTOCOLS = [
    pytest.param(Protocol("TCP", 80, 8080, 8000, 9000, (53, "UDP")), id="tcp"),
    pytest.param(Protocol("UDP", 53, 5353, 5000, 6000, (80, "TCP")), id="udp"),
    pytest.param(Protocol("SCTP", 9003, 9005, 9004, 9005, (80, "TCP")), id="sctp"),
]


def ingress_table() -> Reachability:
    """Everything allowed: every pod and an address outside the cluster, into every pod."""
    return Reachability(True, sources=[*ALL_PODS, EXTERNAL], destinations=ALL_PODS)


def egress_table() -> Reachability:
    """Everything allowed: every pod, to every pod, node and address outside the cluster."""
    return Reachability(
        True, sources=ALL_PODS, destinations=[*ALL_PODS, *node_ips(), EXTERNAL, EXTERNAL_V6]
    )


def open_table(direction: str) -> Reachability:
    """Everything allowed: :func:`ingress_table` or :func:`egress_table`."""
    return ingress_table() if direction == "ingress" else egress_table()


def with_gryffindor(
    table: Reachability, direction: str, house: str | None, allowed: bool
) -> Reachability:
    """Set the cells of gryffindor's ``direction`` with ``house``: from its pods into
    gryffindor's for ingress, from gryffindor's to its pods for egress (None: from every source,
    or to every destination, of the table)."""
    if direction == "ingress":
        return table.expect_peer(from_ns=house, to_ns=G, allowed=allowed)
    return table.expect_peer(from_ns=G, to_ns=house, allowed=allowed)


def per_port(
    probes: Sequence[tuple[int, str]], make: Callable[[tuple[int, str]], Reachability]
) -> list[tuple[tuple[int, str], Reachability]]:
    """One expected table per probed port."""
    return [(probe, make(probe)) for probe in probes]


def swap(rules: list[Json], first: int, second: int) -> list[Json]:
    """``rules`` with two rules traded places (as upstream's "ensure rule ordering" subtests)."""
    out = list(rules)
    out[first], out[second] = out[second], out[first]
    return out


# --- AdminNetworkPolicy rules in written order, one protocol at a time ---------------------


def gress_rules(direction: str, p: Protocol) -> list[Json]:
    """Six rules for subject gryffindor: ravenclaw allowed then denied on every
    port; slytherin denied then passed on ``exact``; hufflepuff denied then passed on a range."""
    where = "from" if direction == "ingress" else "to"
    exact = [port_number(p.name, p.exact)]
    ranged = [port_range(p.name, p.start, p.end)]
    span = f"{p.start}-{p.end}"
    return [
        rule(f"allow-{where}-ravenclaw-everything", "Allow", direction, [ns(R)]),
        rule(f"deny-{where}-ravenclaw-everything", "Deny", direction, [ns(R)]),
        rule(f"deny-{where}-slytherin-at-port-{p.exact}", "Deny", direction, [ns(S)], exact),
        rule(f"pass-{where}-slytherin-at-port-{p.exact}", "Pass", direction, [ns(S)], exact),
        rule(f"deny-{where}-hufflepuff-at-ports-{span}", "Deny", direction, [ns(H)], ranged),
        rule(f"pass-{where}-hufflepuff-at-ports-{span}", "Pass", direction, [ns(H)], ranged),
    ]


def gress_anp(direction: str, rules: list[Json], p: Protocol) -> Json:
    return anp(f"{direction}-{p.name.lower()}", 10, ns(G), **{direction: rules})


DIRECTIONS = ["ingress", "egress"]


def gryffindors_side(direction: str, house: str) -> tuple[str, str]:
    """A (source, destination) pair of ``direction``: a pod of ``house`` into a gryffindor pod
    for ingress, a gryffindor pod to a pod of ``house`` for egress."""
    other = pods_of(house)[0]
    return (other, G_PODS[1]) if direction == "ingress" else (G_PODS[1], other)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_anp_rules_decide_in_written_order_on_exact_ports_and_ranges(
    p: Protocol, direction: str
) -> None:
    """Both directions, in written order: ravenclaw's Allow comes before its Deny; slytherin is
    denied on the exact port, hufflepuff on the range; nothing else matches. (Like upstream's
    AdminNetworkPolicy{Ingress,Egress}{TCP,UDP,SCTP}, whose policy differs: no ranges, an Allow
    of hufflepuff on one port before a Deny of the rest, a Pass of ravenclaw.)"""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = open_table(direction)
        if probe == (p.exact, p.name):
            with_gryffindor(table, direction, S, False)
        if probe == (p.ranged, p.name):
            with_gryffindor(table, direction, H, False)
        return table

    engine = cluster(gress_anp(direction, gress_rules(direction, p), p))
    check_tables(engine, per_port(p.probes, expected))
    side = getattr(engine.evaluate(*gryffindors_side(direction, S), p.exact, p.name), direction)
    assert side is not None and side.decided_by is not None
    where = "from" if direction == "ingress" else "to"
    assert side.decided_by.name == f"deny-{where}-slytherin-at-port-{p.exact}"


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_anp_deny_before_allow_wins(p: Protocol, direction: str) -> None:
    """With ravenclaw's Deny moved before its Allow, ravenclaw and gryffindor meet on no port."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = with_gryffindor(open_table(direction), direction, R, False)
        if probe == (p.exact, p.name):
            with_gryffindor(table, direction, S, False)
        if probe == (p.ranged, p.name):
            with_gryffindor(table, direction, H, False)
        return table

    rules = swap(gress_rules(direction, p), 0, 1)
    check_tables(cluster(gress_anp(direction, rules, p)), per_port(p.probes, expected))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_anp_pass_before_deny_goes_to_the_default(p: Protocol, direction: str) -> None:
    """With each Pass before its Deny, slytherin and hufflepuff are passed on; no NetworkPolicy
    and no baseline: allowed."""
    rules = swap(swap(gress_rules(direction, p), 2, 3), 4, 5)
    engine = cluster(gress_anp(direction, rules, p))
    check_tables(engine, per_port(p.probes, lambda probe: open_table(direction)))
    verdict = engine.evaluate(*gryffindors_side(direction, H), p.ranged, p.name)
    side = getattr(verdict, direction)
    assert side is not None and side.passed_by is not None
    assert side.decided_by is None and verdict.allowed


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_anp_pass_goes_to_a_network_policy(p: Protocol, direction: str) -> None:
    """A NetworkPolicy isolating gryffindor for the direction and admitting nothing (no
    upstream core test has one): what the Admin tier passes on (or does not match) the
    NetworkPolicy denies; ravenclaw's Allow wins over it."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = with_gryffindor(open_table(direction), direction, None, False)
        return with_gryffindor(table, direction, R, True)

    rules = swap(swap(gress_rules(direction, p), 2, 3), 4, 5)
    engine = cluster(gress_anp(direction, rules, p), deny_all(G, direction.capitalize()))
    check_tables(engine, per_port(p.probes, expected))


# --- AdminNetworkPolicy ingress and egress in one policy ---------------------------------------

ANY_PORTS = [(80, "TCP"), (53, "UDP"), (9003, "SCTP")]


def both_ways(ingress: tuple[str, str], egress: tuple[str, str]) -> Json:
    """Subject gryffindor: ingress from ravenclaw and slytherin, egress to them, with actions."""
    return anp(
        "gress-rules",
        15,
        ns(G),
        ingress=[
            rule("from-ravenclaw", ingress[0], "ingress", [ns(R)]),
            rule("from-slytherin", ingress[1], "ingress", [ns(S)]),
        ],
        egress=[
            rule("to-ravenclaw", egress[0], "egress", [ns(R)]),
            rule("to-slytherin", egress[1], "egress", [ns(S)]),
        ],
    )


def test_anp_ingress_and_egress_rules_decide_each_direction_on_its_own() -> None:
    """Ingress and egress rules of one policy decide each direction on its own; a connection
    needs both. (Upstream's AdminNetworkPolicyGress has a different policy: the seven rules
    of the single-protocol tests in each direction, with ports on three protocols.)"""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = Reachability(True, sources=ALL_PODS, destinations=ALL_PODS)
        table.expect_peer(from_ns=S, to_ns=G, allowed=False)
        return table.expect_peer(from_ns=G, to_ns=R, allowed=False)

    engine = cluster(both_ways(("Allow", "Deny"), ("Deny", "Allow")))
    check_tables(engine, per_port(ANY_PORTS, expected))


def test_anp_ingress_and_egress_rules_with_the_actions_swapped() -> None:
    """The policy with every action swapped."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = Reachability(True, sources=ALL_PODS, destinations=ALL_PODS)
        table.expect_peer(from_ns=R, to_ns=G, allowed=False)
        return table.expect_peer(from_ns=G, to_ns=S, allowed=False)

    engine = cluster(both_ways(("Deny", "Allow"), ("Allow", "Deny")))
    check_tables(engine, per_port(ANY_PORTS, expected))


# --- AdminNetworkPolicy priority ----------------------------------------------------------------


def priority_pair(allow: int, deny: int) -> tuple[Json, Json]:
    subject = ns(G)
    return (
        anp("allow-slytherin", allow, subject, [rule("allow", "Allow", "ingress", [ns(S)])]),
        anp("deny-slytherin", deny, subject, [rule("deny", "Deny", "ingress", [ns(S)])]),
    )


def test_anp_lower_priority_number_first() -> None:
    """An Allow at 50 comes before a Deny at 60; with the Deny at 40 it wins. (Upstream's
    AdminNetworkPolicyPriorityField differs: a Deny at 50, a Pass at 60 moved to 40, a
    baseline Allow.)"""
    check_tables(
        cluster(*priority_pair(50, 60)), per_port(ANY_PORTS, lambda probe: ingress_table())
    )

    def denied(probe: tuple[int, str]) -> Reachability:
        return ingress_table().expect_peer(from_ns=S, to_ns=G, allowed=False)

    check_tables(cluster(*priority_pair(50, 40)), per_port(ANY_PORTS, denied))


def test_anp_priority_zero_and_a_thousand() -> None:
    """At the field's bounds: 0 is evaluated first, 1000 last."""

    def denied(probe: tuple[int, str]) -> Reachability:
        return ingress_table().expect_peer(from_ns=S, to_ns=G, allowed=False)

    check_tables(cluster(*priority_pair(1000, 0)), per_port(ANY_PORTS, denied))


# --- AdminNetworkPolicy, NetworkPolicy and BaselineAdminNetworkPolicy together --------------------

PASS_SLYTHERIN = anp(
    "pass-example",
    16,
    ns(G),
    ingress=[rule("pass-from-slytherin", "Pass", "ingress", [ns(S)])],
    egress=[rule("pass-to-slytherin", "Pass", "egress", [ns(S)])],
)
BASELINE_DENY_SLYTHERIN = banp(
    ns(G),
    ingress=[rule("deny-from-slytherin", "Deny", "ingress", [ns(S)])],
    egress=[rule("deny-to-slytherin", "Deny", "egress", [ns(S)])],
)
ALLOW_SLYTHERIN_ON_80 = netpol(
    "allow-from-slytherin-at-80",
    G,
    types=["Ingress"],
    ingress=[ingress_rule(namespaces(ns_name(S)), ports=[port(80, "TCP")])],
)
INTEGRATION_PORTS = [(80, "TCP"), (8080, "TCP"), (53, "UDP")]


def test_anp_pass_falls_to_the_baseline() -> None:
    """Slytherin is passed on both ways, no NetworkPolicy selects gryffindor, so the baseline
    denies. (Upstream's AdminNetworkPolicyIntegration starts from a Deny, a NetworkPolicy
    allowing slytherin both ways and a baseline Deny, then turns the Deny into Pass and
    deletes the NetworkPolicy.)"""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = Reachability(True, sources=ALL_PODS, destinations=ALL_PODS)
        table.expect_peer(from_ns=S, to_ns=G, allowed=False)
        return table.expect_peer(from_ns=G, to_ns=S, allowed=False)

    engine = cluster(PASS_SLYTHERIN, BASELINE_DENY_SLYTHERIN)
    check_tables(engine, per_port(INTEGRATION_PORTS, expected))
    verdict = engine.evaluate(pods_of(S)[0], G_PODS[0], 80, "TCP")
    assert verdict.ingress is not None and verdict.ingress.passed_by is not None
    assert verdict.ingress.decided_by is not None and verdict.ingress.tier == "Baseline"


def test_anp_pass_to_a_network_policy_skips_the_baseline() -> None:
    """Once a NetworkPolicy isolates gryffindor for ingress it decides (slytherin on 80 only;
    nobody else) and the baseline is not consulted; egress to slytherin, which no
    NetworkPolicy isolates, is still the baseline's to deny."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = ingress_table().expect_peer(to_ns=G, allowed=False)
        table.expect_peer(from_ns=G, to_ns=S, allowed=False)
        if probe == (80, "TCP"):
            table.expect_peer(from_ns=S, to_ns=G, allowed=True)
        return table

    engine = cluster(PASS_SLYTHERIN, BASELINE_DENY_SLYTHERIN, ALLOW_SLYTHERIN_ON_80)
    check_tables(engine, per_port(INTEGRATION_PORTS, expected))


def test_anp_deny_wins_over_a_network_policy_allow() -> None:
    """A NetworkPolicy admits hufflepuff to gryffindor, an AdminNetworkPolicy denies it; without
    the AdminNetworkPolicy the NetworkPolicy's allow stands."""
    allow_hufflepuff = netpol(
        "allow-from-hufflepuff",
        G,
        types=["Ingress"],
        ingress=[ingress_rule(namespaces(ns_name(H)))],
    )
    deny_hufflepuff = anp(
        "deny-hufflepuff",
        15,
        ns(G),
        ingress=[rule("deny-from-hufflepuff", "Deny", "ingress", [ns(H)])],
    )
    policies = [PASS_SLYTHERIN, BASELINE_DENY_SLYTHERIN, ALLOW_SLYTHERIN_ON_80, allow_hufflepuff]

    def expected(with_anp: bool) -> Callable[[tuple[int, str]], Reachability]:
        def table_for(probe: tuple[int, str]) -> Reachability:
            table = ingress_table().expect_peer(to_ns=G, allowed=False)
            table.expect_peer(from_ns=G, to_ns=S, allowed=False)
            table.expect_peer(from_ns=H, to_ns=G, allowed=not with_anp)
            if probe == (80, "TCP"):
                table.expect_peer(from_ns=S, to_ns=G, allowed=True)
            return table

        return table_for

    check_tables(cluster(*policies, deny_hufflepuff), per_port(INTEGRATION_PORTS, expected(True)))
    check_tables(cluster(*policies), per_port(INTEGRATION_PORTS, expected(False)))


# --- BaselineAdminNetworkPolicy rules in written order, one protocol at a time -----------------


def baseline_rules(direction: str, p: Protocol) -> list[Json]:
    """Baseline rules for subject gryffindor: ravenclaw allowed then denied on every
    port; slytherin denied then allowed on ``exact``; hufflepuff denied then allowed on a range."""
    where = "from" if direction == "ingress" else "to"
    exact = [port_number(p.name, p.exact)]
    ranged = [port_range(p.name, p.start, p.end)]
    return [
        rule(f"allow-{where}-ravenclaw-everything", "Allow", direction, [ns(R)]),
        rule(f"deny-{where}-ravenclaw-everything", "Deny", direction, [ns(R)]),
        rule(f"deny-{where}-slytherin-at-port-{p.exact}", "Deny", direction, [ns(S)], exact),
        rule(f"allow-{where}-slytherin-at-port-{p.exact}", "Allow", direction, [ns(S)], exact),
        rule(f"deny-{where}-hufflepuff-at-range", "Deny", direction, [ns(H)], ranged),
        rule(f"allow-{where}-hufflepuff-at-range", "Allow", direction, [ns(H)], ranged),
    ]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_banp_rules_decide_in_written_order_on_exact_ports_and_ranges(
    p: Protocol, direction: str
) -> None:
    """Both directions, three protocols: ravenclaw's Allow before its Deny; slytherin denied on
    the exact port, hufflepuff on the range. (Like upstream's
    BaselineAdminNetworkPolicy{Ingress,Egress}{TCP,UDP,SCTP}, whose policy differs: no ranges,
    no Allow of slytherin after its Deny.)"""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = open_table(direction)
        for house, on in ((S, (p.exact, p.name)), (H, (p.ranged, p.name))):
            if probe == on:
                with_gryffindor(table, direction, house, False)
        return table

    engine = cluster(banp(ns(G), **{direction: baseline_rules(direction, p)}))
    check_tables(engine, per_port(p.probes, expected))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_banp_deny_before_allow_wins(p: Protocol, direction: str) -> None:
    """With ravenclaw's Deny moved before its Allow."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = open_table(direction)
        for house, ports in ((R, p.probes), (S, [(p.exact, p.name)]), (H, [(p.ranged, p.name)])):
            if probe in ports:
                with_gryffindor(table, direction, house, False)
        return table

    rules = swap(baseline_rules(direction, p), 0, 1)
    check_tables(cluster(banp(ns(G), **{direction: rules})), per_port(p.probes, expected))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_banp_allow_at_a_port_before_the_deny(p: Protocol, direction: str) -> None:
    """With each port's Allow moved before its Deny."""
    rules = swap(swap(baseline_rules(direction, p), 2, 3), 4, 5)
    check_tables(
        cluster(banp(ns(G), **{direction: rules})),
        per_port(p.probes, lambda probe: open_table(direction)),
    )


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", PROTOCOLS)
def test_banp_yields_to_a_network_policy(p: Protocol, direction: str) -> None:
    """A NetworkPolicy of gryffindor admitting ravenclaw on the exact port isolates gryffindor,
    so it alone decides (ravenclaw, which the baseline denies, gets in on that port; nothing
    else does, which the baseline would have allowed)."""
    make_rule = ingress_rule if direction == "ingress" else egress_rule
    allow_ravenclaw = netpol(
        f"allow-ravenclaw-{direction}",
        G,
        types=[direction.capitalize()],
        **{direction: [make_rule(namespaces(ns_name(R)), ports=[port(p.exact, p.name)])]},
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = with_gryffindor(open_table(direction), direction, None, False)
        return with_gryffindor(table, direction, R, probe == (p.exact, p.name))

    rules = swap(baseline_rules(direction, p), 0, 1)
    engine = cluster(banp(ns(G), **{direction: rules}), allow_ravenclaw)
    check_tables(engine, per_port(p.probes, expected))


# --- nodes peers ---------------------------------------------------------------------------------

CONTROL_PLANE_NODES = {
    "matchExpressions": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]
}
NODE_PORTS = [(6443, "TCP"), (80, "TCP")]


def test_anp_egress_nodes_peer_allows_the_control_plane_only() -> None:
    """An Allow to the control-plane node before a Deny to all nodes: a nodes peer matches the
    nodes' addresses, never a pod."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table()
        for pod in G_PODS:
            table.expect(pod, WORKER, False).expect(pod, WORKER2, False)
        return table

    engine = cluster(
        anp(
            "egress-node-peer",
            20,
            ns(G),
            egress=[
                rule("allow-to-control-plane", "Allow", "egress", [nodes(CONTROL_PLANE_NODES)]),
                rule("deny-to-all-nodes", "Deny", "egress", [nodes({})]),
            ],
        )
    )
    check_tables(engine, per_port(NODE_PORTS, expected))


def test_anp_egress_nodes_peer_deny_first() -> None:
    """The rules swapped: the Deny to every node comes first."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table()
        for pod in G_PODS:
            for address in node_ips():
                table.expect(pod, address, False)
        return table

    engine = cluster(
        anp(
            "egress-node-peer",
            20,
            ns(G),
            egress=[
                rule("deny-to-all-nodes", "Deny", "egress", [nodes({})]),
                rule("allow-to-control-plane", "Allow", "egress", [nodes(CONTROL_PLANE_NODES)]),
            ],
        )
    )
    check_tables(engine, per_port(NODE_PORTS, expected))


WORKER_NODES = {
    "matchExpressions": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"}
    ]
}


def test_banp_egress_nodes_peer_denies_the_workers() -> None:
    """A baseline Deny to the worker nodes."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table()
        for pod in G_PODS:
            table.expect(pod, WORKER, False).expect(pod, WORKER2, False)
        return table

    engine = cluster(
        banp(ns(G), egress=[rule("deny-to-workers", "Deny", "egress", [nodes(WORKER_NODES)])])
    )
    check_tables(engine, per_port(NODE_PORTS, expected))


def test_banp_egress_nodes_peer_yields_to_a_network_policy() -> None:
    """A NetworkPolicy of gryffindor admitting egress to the nodes' network isolates gryffindor's
    egress, so the baseline's deny to the workers is not consulted, and everything else is
    denied."""
    to_nodes = netpol(
        "allow-egress-to-nodes",
        G,
        types=["Egress"],
        egress=[egress_rule(ip_block("172.18.0.0/16"))],
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table().expect_peer(from_ns=G, allowed=False)
        for pod in G_PODS:
            for address in node_ips():
                table.expect(pod, address, True)
        return table

    engine = cluster(
        banp(ns(G), egress=[rule("deny-to-workers", "Deny", "egress", [nodes(WORKER_NODES)])]),
        to_nodes,
    )
    check_tables(engine, per_port(NODE_PORTS, expected))


# --- networks peers ------------------------------------------------------------------------------

CIDR_PORTS = [(80, "TCP"), (53, "UDP")]
LUNA_0 = pods_of(R)[0]


def test_anp_egress_networks_match_pod_ips_too() -> None:
    """An Allow to one pod's /32 before a Deny to 0.0.0.0/0: networks match pods' IPs as well as
    addresses outside the cluster (the API says so: denying 0.0.0.0/0 denies all IPv4
    pod-to-pod traffic), nodes included; an IPv6 address is outside 0.0.0.0/0."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table().expect_peer(from_ns=G, allowed=False)
        for pod in G_PODS:
            table.expect(pod, LUNA_0, True).expect(pod, EXTERNAL_V6, True)
        return table

    engine = cluster(
        anp(
            "egress-cidr",
            20,
            ns(G),
            egress=[
                rule("allow-to-luna-0", "Allow", "egress", [networks(f"{pod_ip(LUNA_0)}/32")]),
                rule("deny-to-ipv4", "Deny", "egress", [networks("0.0.0.0/0")]),
            ],
        )
    )
    check_tables(engine, per_port(CIDR_PORTS, expected))


def test_anp_egress_pass_pods_before_a_networks_deny() -> None:
    """The API's advice followed: a rule passing all pods before the deny to 0.0.0.0/0 keeps pod
    traffic to the NetworkPolicies (none here: allowed); nodes and addresses outside the
    cluster stay denied."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table()
        for pod in G_PODS:
            for address in [*node_ips(), EXTERNAL]:
                table.expect(pod, address, False)
        return table

    engine = cluster(
        anp(
            "egress-cidr",
            20,
            ns(G),
            egress=[
                rule("pass-to-pods", "Pass", "egress", [all_namespaces()]),
                rule("deny-to-ipv4", "Deny", "egress", [networks("0.0.0.0/0")]),
            ],
        )
    )
    check_tables(engine, per_port(CIDR_PORTS, expected))


def test_banp_egress_networks_allow_one_network() -> None:
    """A baseline Allow to a network before a Deny to everything, IPv4 and IPv6."""

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table().expect_peer(from_ns=G, allowed=False)
        for pod in G_PODS:
            table.expect(pod, EXTERNAL, True)
        return table

    engine = cluster(
        banp(
            ns(G),
            egress=[
                rule("allow-to-test-net", "Allow", "egress", [networks("192.0.2.0/24")]),
                rule("deny-to-all", "Deny", "egress", [networks("0.0.0.0/0", "::/0")]),
            ],
        )
    )
    check_tables(engine, per_port(CIDR_PORTS, expected))


# --- named ports (upstream's are BaselineAdminNetworkPolicy{Ingress,Egress}NamedPort) ----------


def test_anp_named_ports_resolve_on_the_destination_with_its_protocol() -> None:
    """AdminNetworkPolicy ingress with ``namedPort``: slytherin denied on ``web`` (80/TCP),
    hufflepuff on ``dns`` (53/UDP): a named port is the destination pod's port of that name,
    on that port's own protocol; other ports are untouched."""
    engine = cluster(
        anp(
            "named-ports",
            10,
            ns(G),
            ingress=[
                rule("deny-slytherin-web", "Deny", "ingress", [ns(S)], [named_port("web")]),
                rule("deny-hufflepuff-dns", "Deny", "ingress", [ns(H)], [named_port("dns")]),
            ],
        )
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = ingress_table()
        if probe == (80, "TCP"):
            table.expect_peer(from_ns=S, to_ns=G, allowed=False)
        if probe == (53, "UDP"):
            table.expect_peer(from_ns=H, to_ns=G, allowed=False)
        return table

    check_tables(engine, per_port([(80, "TCP"), (8080, "TCP"), (53, "UDP"), (80, "UDP")], expected))


def test_anp_egress_named_port_matches_pods_only() -> None:
    """AdminNetworkPolicy egress with ``namedPort``: slytherin denied to every pod's ``web``
    (80/TCP); nodes and addresses outside the cluster, which declare no ports, are untouched.
    (The API refuses a named port in a rule with a networks, nodes or domainNames peer.)"""
    engine = cluster(
        anp(
            "egress-named-port",
            10,
            ns(S),
            egress=[
                rule(
                    "deny-to-web",
                    "Deny",
                    "egress",
                    [all_namespaces()],
                    [named_port("web")],
                )
            ],
        )
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = egress_table()
        if probe == (80, "TCP"):
            for source in pods_of(S):
                for destination in ALL_PODS:
                    if destination != source:
                        table.expect(source, destination, False)
        return table

    check_tables(engine, per_port([(80, "TCP"), (8080, "TCP")], expected))


def test_banp_named_port_denies_pods_not_addresses() -> None:
    """BaselineAdminNetworkPolicy ingress with ``namedPort`` ``sctp`` from every namespace:
    every pod is denied on 9003/SCTP into gryffindor; the address outside the cluster, which no
    ingress peer can match, is not."""
    engine = cluster(
        banp(
            ns(G),
            ingress=[
                rule("deny-sctp", "Deny", "ingress", [all_namespaces()], [named_port("sctp")])
            ],
        )
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = ingress_table()
        if probe == (9003, "SCTP"):
            table.expect_peer(to_ns=G, allowed=False)
            for pod in G_PODS:
                table.expect(EXTERNAL, pod, True)
        return table

    check_tables(engine, per_port([(9003, "SCTP"), (9005, "SCTP")], expected))


# --- ClusterNetworkPolicy (v1alpha2) tiers ---------------------------------------------------------


def test_cluster_network_policy_admin_accept_wins_over_a_network_policy() -> None:
    """An Admin-tier Accept admits
    ravenclaw past a NetworkPolicy that denies all ingress to gryffindor."""
    engine = cluster(
        cnp(
            "accept-ravenclaw",
            "Admin",
            10,
            ns(G),
            ingress=[rule("accept", "Accept", "ingress", [ns(R)])],
        ),
        deny_all(G, "Ingress"),
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = ingress_table().expect_peer(to_ns=G, allowed=False)
        return table.expect_peer(from_ns=R, to_ns=G, allowed=True)

    check_tables(engine, per_port(ANY_PORTS, expected))


def test_cluster_network_policy_admin_pass_falls_to_a_baseline_deny() -> None:
    """An Admin-tier Pass, no NetworkPolicy, a Baseline-tier Deny."""
    engine = cluster(
        cnp(
            "pass-slytherin", "Admin", 10, ns(G), ingress=[rule("pass", "Pass", "ingress", [ns(S)])]
        ),
        cnp(
            "deny-slytherin",
            "Baseline",
            100,
            ns(G),
            ingress=[rule("deny", "Deny", "ingress", [ns(S)])],
        ),
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        return ingress_table().expect_peer(from_ns=S, to_ns=G, allowed=False)

    check_tables(engine, per_port(ANY_PORTS, expected))


def test_cluster_network_policy_baseline_pass_goes_to_the_default_allow() -> None:
    """In the Baseline tier a Pass (priority 1) lets slytherin past the deny
    of every pod (priority 2), to the default: allowed; the address outside the cluster matches
    no ingress peer."""
    engine = cluster(
        cnp(
            "baseline-pass",
            "Baseline",
            1,
            ns(G),
            ingress=[rule("pass", "Pass", "ingress", [ns(S)])],
        ),
        cnp(
            "baseline-deny",
            "Baseline",
            2,
            ns(G),
            ingress=[rule("deny", "Deny", "ingress", [all_namespaces()])],
        ),
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        table = ingress_table().expect_peer(to_ns=G, allowed=False)
        table.expect_peer(from_ns=S, to_ns=G, allowed=True)
        for pod in G_PODS:
            table.expect(EXTERNAL, pod, True)
        return table

    check_tables(engine, per_port(ANY_PORTS, expected))


def test_cluster_network_policy_and_admin_network_policy_share_one_priority_order() -> None:
    """An assumption (a cluster normally serves one API version): an Admin-tier
    ClusterNetworkPolicy at priority 10 accepting slytherin on 80/TCP (v1alpha2
    ``protocols``) comes before an AdminNetworkPolicy at 20 denying slytherin."""
    accept = rule(
        "accept-web",
        "Accept",
        "ingress",
        [ns(S)],
        [{"tcp": {"destinationPort": {"number": 80}}}],
        port_field="protocols",
    )
    engine = cluster(
        cnp("accept-slytherin-web", "Admin", 10, ns(G), ingress=[accept]),
        anp("deny-slytherin", 20, ns(G), ingress=[rule("deny", "Deny", "ingress", [ns(S)])]),
    )

    def expected(probe: tuple[int, str]) -> Reachability:
        return ingress_table().expect_peer(from_ns=S, to_ns=G, allowed=probe == (80, "TCP"))

    check_tables(engine, per_port([(80, "TCP"), (8080, "TCP"), (53, "UDP")], expected))
