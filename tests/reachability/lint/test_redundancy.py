"""lint.redundancy: rules and policies whose removal changes no verdict, proved by the engine."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from podfence.reachability import load_cluster
from podfence.reachability.lint.basis import Basis, probe_addresses, probe_ports
from podfence.reachability.lint.dead import dead_parts
from podfence.reachability.lint.findings import Finding
from podfence.reachability.lint.redundancy import ON_THIS_INVENTORY, redundancies
from podfence.reachability.matrix import Matrix
from podfence.reachability.policy import Policy, PolicySet, Rule
from reachability.helpers import namespace, pod, policy, random_cluster

INVENTORY = [
    namespace("shop", team="shop"),
    namespace("monitoring", team="monitoring"),
    pod("shop/web-0", "10.0.0.1", [{"containerPort": 8080, "name": "http"}], app="web"),
    pod("shop/api-0", "10.0.0.2", [{"containerPort": 9000}], app="api", tier="backend"),
    pod("shop/db-0", "10.0.0.3", [{"containerPort": 5432}], app="db"),
    pod("monitoring/prom-0", "10.0.1.1", [], app="prometheus"),
]
DENY = policy("shop/deny-all", {"podSelector": {}, "policyTypes": ["Ingress"]})


def _find(*policies: dict[str, Any]) -> list[Finding]:
    cluster = load_cluster([*INVENTORY, *policies])
    basis = Basis.build(cluster.policies, cluster.inventory)
    explained = {f.rule for f in dead_parts(basis) if f.rule is not None}
    return redundancies(basis, explained)


def _allow(name: str, to: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return policy(
        f"shop/{name}",
        {
            "podSelector": {"matchLabels": {"app": to}},
            "policyTypes": ["Ingress"],
            "ingress": list(rules),
        },
    )


def _from(app: str, *ports: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": [{"podSelector": {"matchLabels": {"app": app}}}]}
    if ports:
        rule["ports"] = [{"port": port} for port in ports]
    return rule


def test_a_rule_another_rule_of_the_policy_covers_is_redundant_on_any_inventory() -> None:
    (finding,) = _find(DENY, _allow("api-to-db", "db", _from("api", 5432), _from("api", 5432)))
    assert (finding.check.name, finding.where) == (
        "redundant-rule",
        "shop/api-to-db ingress rule 1",
    )
    assert finding.why == (
        f"removing it changes no verdict {ON_THIS_INVENTORY}: each connection it admits is also "
        "admitted by shop/api-to-db ingress rule 0; shop/api-to-db ingress rule 0 admits all it "
        "does on any inventory"
    )
    assert finding.fix == "delete it (spec.ingress[1])"


def test_a_policy_covered_whatever_the_pods_says_so() -> None:
    wide = _allow("web", "web", {"from": [{"podSelector": {}}]})
    narrow = _allow("web-from-api", "web", _from("api", 8080))
    (finding,) = _find(DENY, wide, narrow)
    assert (finding.check.name, finding.where) == ("redundant-policy", "shop/web-from-api")
    assert finding.why.endswith(
        "each connection its ingress rules admit is also admitted by shop/web ingress rule 0; "
        "the other policies cover it on any inventory"
    )
    assert finding.fix == "delete the policy"


def test_a_policy_covered_only_on_this_inventory_says_so() -> None:
    backend = {"from": [{"podSelector": {"matchLabels": {"tier": "backend"}}}]}
    wide = _allow("web-from-backend", "web", backend)
    narrow = _allow("web-from-api", "web", _from("api", 8080))
    (finding,) = _find(DENY, wide, narrow)  # every app=api pod is tier=backend, here
    assert finding.where == "shop/web-from-api"
    assert "any inventory" not in finding.why
    assert finding.fix == (
        "delete the policy, unless it is meant for pods or namespaces this inventory does not have"
    )


def test_the_later_of_two_copies_is_reported_and_the_earlier_kept() -> None:
    first = _allow("first", "db", _from("api", 5432))
    second = _allow("second", "db", _from("api", 5432))
    (finding,) = _find(DENY, first, second)
    assert finding.where == "shop/second"
    assert "the pods it isolates for ingress are isolated by shop/deny-all, shop/first too" in (
        finding.why
    )


def test_a_policy_that_only_isolates_is_never_redundant() -> None:
    allow_all_pods = _allow("all", "db", _from("api", 5432))
    everything = policy(
        "shop/everything",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
        },
    )
    assert _find(everything, DENY) == []  # deny-all: everything isolates the same pods
    assert _find(DENY, allow_all_pods) == []


def test_a_rule_that_admits_what_the_other_end_denies_anyway_is_redundant() -> None:
    no_egress = policy(
        "shop/api-no-egress",
        {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"]},
    )
    (finding,) = _find(DENY, no_egress, _allow("db", "db", _from("api", 5432)))
    assert finding.where == "shop/db"
    assert "each connection its ingress rules admit is denied by egress at the source anyway" in (
        finding.why
    )
    assert finding.fix is not None and finding.fix.endswith("this inventory does not have")


def test_a_policy_that_alone_isolates_pods_it_admits_everything_to_is_redundant() -> None:
    everything = policy(
        "shop/open", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}
    )
    (finding,) = _find(everything)
    assert finding.where == "shop/open"
    assert "which only it isolates for ingress, would accept every connection without it" in (
        finding.why
    )


def test_a_rule_for_a_second_replica_is_not_redundant_with_one_replica() -> None:
    replicas = _allow("db-replicas", "db", _from("db", 5432))
    assert _find(DENY, replicas) == []


def test_a_named_port_on_the_same_number_does_not_hide_the_rest_of_a_range() -> None:
    named = _allow("web-named", "web", {"from": [{"podSelector": {}}], "ports": [{"port": "http"}]})
    ranged = _allow(
        "web-range",
        "web",
        {"from": [{"podSelector": {}}], "ports": [{"port": 8080, "endPort": 8100}]},
    )
    # 8080 is http on web-0: both admit it, but only the range admits 8081 to 8100. The range
    # is judged first (the later policy), and 8081 keeps it; then the named port goes.
    (finding,) = _find(DENY, named, ranged)
    assert finding.where == "shop/web-named"


def test_addresses_of_a_family_no_ip_block_names_are_probed_too() -> None:
    v6 = _allow("web-v6", "web", {"from": [{"ipBlock": {"cidr": "::/0"}}]})
    pods = _allow("web-pods", "web", {"from": [{"namespaceSelector": {}}]})
    everything = _allow("web-all", "web", {})
    # web-all alone admits IPv4 addresses outside the cluster: it stays, the other two go.
    found = _find(DENY, v6, pods, everything)
    assert sorted(f.where for f in found) == ["shop/web-pods", "shop/web-v6"]


def test_a_dead_rule_is_left_to_its_own_finding_unless_it_has_none() -> None:
    dead = _allow(
        "web", "web", _from("api", 8080), {"from": [{"podSelector": {"matchLabels": {"x": "y"}}}]}
    )
    assert _find(DENY, dead) == []  # unmatched-peer explains rule 1
    cluster = load_cluster([*INVENTORY, DENY, dead])
    (finding,) = redundancies(Basis.build(cluster.policies, cluster.inventory), set())
    assert finding.where == "shop/web ingress rule 1"
    assert finding.why == f"it admits no connection {ON_THIS_INVENTORY}"


def _rules(policies: PolicySet) -> list[Rule]:
    return [r for p in policies for d in ("ingress", "egress") for r in p.rules(d) or ()]


def _flows(matrix: Matrix) -> set[tuple[str, str, int, str, bool]]:
    return {(f.source, f.destination, f.port, f.protocol, f.allowed) for f in matrix}


def _policy_without(original: Policy, rules: Collection[Rule]) -> Policy:
    """``original`` with ``rules`` deleted; its policyTypes (and so its isolation) unchanged."""

    def kept(direction: str) -> tuple[Rule, ...] | None:
        found = original.rules(direction)
        return None if found is None else tuple(rule for rule in found if rule not in rules)

    return Policy(
        original.namespace,
        original.name,
        original.pod_selector,
        kept("ingress"),
        kept("egress"),
        original.ignored,
    )


@pytest.mark.parametrize("seed", range(80))
def test_removing_every_finding_at_once_changes_no_flow(seed: int) -> None:
    objects, _ = random_cluster(seed)
    cluster = load_cluster(objects)
    basis = Basis.build(cluster.policies, cluster.inventory)
    found = redundancies(basis, set())
    gone = {f.policies[0] for f in found if f.rule is None}
    dropped = {f.rule.rule for f in found if f.rule is not None}
    kept = PolicySet(
        _policy_without(p, [r for r in _rules(cluster.policies) if r in dropped])
        for p in cluster.policies
        if p.ref not in gone
    )
    externals = probe_addresses(cluster.policies, cluster.inventory)
    ports = probe_ports(cluster.policies, cluster.inventory)
    before = Matrix.build(cluster.policies, cluster.inventory, externals, ports, False, ports)
    after = Matrix.build(kept, cluster.inventory, externals, ports, False, ports)
    assert _flows(before) == _flows(after)


def test_policy_without_keeps_the_policy_types() -> None:
    cluster = load_cluster([*INVENTORY, _allow("p", "db", _from("api", 5432))])
    (allow,) = cluster.policies
    bare = _policy_without(allow, list(allow.ingress or ()))
    assert isinstance(bare, Policy)
    assert (bare.ingress, bare.egress, bare.ref) == ((), None, allow.ref)
