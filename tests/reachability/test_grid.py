"""Grid: what-if rows (rules or policies deleted) equal a grid built without them."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from podfence.reachability import load_cluster
from podfence.reachability.grid import Grid
from podfence.reachability.inventory import Inventory, sample_address
from podfence.reachability.model import External
from podfence.reachability.policy import Policy, PolicySet, Rule
from podfence.reachability.ports import PROTOCOLS
from reachability.helpers import pod, policy, random_cluster

PORTS = [(port, protocol) for protocol in PROTOCOLS for port in (1, 53, 80, 81, 100, 101)]
Flows = set[tuple[str, str, int, str]]


def _flows(grid: Grid, allowed: list[int], names: Sequence[str]) -> Flows:
    """Every allowed (source, destination, port, protocol), a pod's own ports included."""
    table = grid.table
    classes = [*table.pod_class, *table.external_class]
    found = set()
    for source, source_class in enumerate(classes):
        row = allowed[source_class]
        for destination, destination_class in enumerate(classes):
            for entry in grid.class_entries[destination_class]:
                if row >> entry & 1:
                    port, protocol = grid.entry_port[entry], grid.entry_protocol[entry]
                    found.add((names[source], names[destination], port, PROTOCOLS[protocol]))
    return found


def _without(policies: PolicySet, rules: set[Rule], gone: set[Policy]) -> PolicySet:
    def kept(policy: Policy, direction: str) -> tuple[Rule, ...] | None:
        found = policy.rules(direction)
        return None if found is None else tuple(r for r in found if r not in rules)

    return PolicySet(
        Policy(p.namespace, p.name, p.pod_selector, kept(p, "ingress"), kept(p, "egress"))
        for p in policies
        if p not in gone
    )


def _externals(inventory: Inventory, texts: list[str]) -> list[External]:
    addresses = dict.fromkeys(sample_address(text, "--external") for text in texts)
    return [External(a) for a in addresses if inventory.with_ip(a) is None]


@pytest.mark.parametrize("seed", range(80))
def test_rows_without_rules_or_policies_equal_a_grid_built_without_them(seed: int) -> None:
    objects, texts = random_cluster(seed)
    cluster = load_cluster(objects)
    inventory = cluster.inventory
    externals = _externals(inventory, texts)
    names = [pod.key for pod in inventory.pods] + [e.key for e in externals]
    grid = Grid(cluster.policies, inventory, externals, PORTS, PORTS)
    rules = [
        rule
        for policy in cluster.policies
        for direction in ("ingress", "egress")
        for rule in policy.rules(direction) or ()
    ]
    policies = list(cluster.policies)
    rnd = random.Random(seed)
    for _ in range(4):
        dropped = set(rnd.sample(rules, rnd.randint(0, len(rules))))
        gone = set(rnd.sample(policies, rnd.randint(0, len(policies))))
        rebuilt = Grid(
            _without(cluster.policies, dropped, gone), inventory, externals, PORTS, PORTS
        )
        what_if = grid.allowed_without(dropped, gone)
        assert _flows(grid, what_if, names) == _flows(rebuilt, rebuilt.allowed, names)


def test_rows_without_nothing_are_none_and_the_rows_stay() -> None:
    objects, _ = random_cluster(3)
    cluster = load_cluster(objects)
    grid = Grid(cluster.policies, cluster.inventory)
    assert list(grid.rows_without()) == []
    assert grid.allowed_without() == grid.allowed


def test_a_deleted_policy_that_alone_isolates_a_pod_opens_it() -> None:
    cluster = load_cluster(
        [
            pod("shop/web", "10.0.0.1", [{"containerPort": 80}], app="web"),
            pod("shop/api", "10.0.0.2", [{"containerPort": 80}], app="api"),
            policy("shop/deny", {"podSelector": {}, "policyTypes": ["Ingress"]}),
        ]
    )
    grid = Grid(cluster.policies, cluster.inventory)
    (deny,) = cluster.policies
    before, after = grid.allowed, grid.allowed_without(policies=[deny])
    assert before != after
    assert all(row == grid.entries_of(grid.table.pod_classes_mask) for row in after)
