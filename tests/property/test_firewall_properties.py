"""Random valid firewall configs: schema-valid manifests, and exactly the reachability declared.

The heart is the second property: on the inventory derived from a config, the engine's matrix
allows a flow exactly when the config declares it (each flow, namespace allow and ip-block
allow, the ingress controller, DNS under egress denial, and nothing else), as worked out by
:mod:`property.reference` from the config dict alone, without podfence's builders.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from podfence.config import FirewallConfig
from podfence.offline.inventory import derive_inventory
from podfence.reachability import Matrix, evaluate, explain, load_cluster, traffic
from podfence.reachability.verdict import DirectionVerdict
from property.reference import Reference, Side, endpoints
from property.schema import assert_schema_valid
from property.strategies import PROTOCOLS, firewall_configs, numeric_ports

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

# Extra (port, protocol) pairs probed on every pod besides its containerPorts: none, or a few,
# so that pods without ports (clients, the controller, the outsider) receive flows too.
probe_ports = st.lists(st.tuples(numeric_ports(), st.sampled_from(PROTOCOLS)), max_size=2)


@settings(max_examples=400, **SETTINGS)
@given(firewall_configs())
def test_valid_configs_render_schema_valid_manifests_each_with_a_namespace_and_policy_types(
    config: dict[str, Any],
) -> None:
    firewall = FirewallConfig.parse(config, root="firewall")
    manifests = firewall.manifests()
    assert manifests, "a firewall always denies something"
    names = set()
    for manifest in manifests:
        assert_schema_valid(manifest)
        metadata, spec = manifest["metadata"], manifest["spec"]
        assert metadata.get("namespace"), manifest
        assert spec.get("policyTypes"), manifest
        names.add((metadata["namespace"], metadata["name"]))
    assert len(names) == len(manifests), "two policies share a namespace and name"
    # podfence's own loader reads back every policy it made.
    assert len(load_cluster(manifests).policies) == len(manifests)


def _same_side(verdict: DirectionVerdict | None, expected: Side | None, what: str) -> None:
    if expected is None:
        assert verdict is None, what
        return
    assert verdict is not None, what
    assert verdict.isolated == expected.isolated, what
    isolating = {(p.namespace, p.name) for p in verdict.policy_refs}
    assert isolating == set(expected.isolating), what
    admitted = {(rule.namespace, rule.policy) for rule in verdict.allowed_by}
    assert admitted == set(expected.admitted_by), what


def _explained(text: str, allowed: bool, destination: str, ingress: Side | None) -> None:
    first, *rest = text.split("\n")
    assert first.endswith(": allowed" if allowed else ": denied"), text
    body = "\n".join(rest)
    if ingress is None:
        assert f"ingress at {destination}: not applicable" in body, text
    elif not ingress.isolated:
        assert f"ingress at {destination}: allowed: no policy selects" in body, text
    else:
        for namespace, name in ingress.admitted_by:
            assert f"{namespace}/{name} ingress rule" in body, text


def _record(config: dict[str, Any], flows: list[Any]) -> None:
    """What the example exercised, for --hypothesis-show-statistics."""
    allowed = sum(flow.allowed for flow in flows)
    share = "none" if allowed == 0 else "all" if allowed == len(flows) else "some"
    event(f"flows allowed: {share}" if flows else "no flows")
    deny = config.get("defaultDeny", {})
    event(
        f"ingress denied: {deny.get('ingress', True)}, egress denied: {deny.get('egress', False)}"
    )
    allows = len(config.get("namespaceAllows", ())), len(config.get("ipBlockAllows", ()))
    event(f"namespace allows: {allows[0]}, ip-block allows: {allows[1]}")


@settings(max_examples=800, **SETTINGS)
@given(firewall_configs(), probe_ports)
def test_reachability_on_the_derived_inventory_is_exactly_what_the_config_declares(
    config: dict[str, Any], extra: list[tuple[int, str]]
) -> None:
    assert_reachability_as_declared(config, extra)


def assert_reachability_as_declared(config: dict[str, Any], extra: list[tuple[int, str]]) -> None:
    """The matrix, evaluate() and explain() on the derived inventory agree with the reference."""
    firewall = FirewallConfig.parse(config, root="firewall")
    derived = derive_inventory(firewall)
    cluster = load_cluster([*firewall.manifests(), *derived.objects])
    addresses = [ipaddress.ip_address(a) for a in derived.externals]
    matrix = Matrix.build(cluster.policies, cluster.inventory, externals=addresses, ports=extra)

    reference = Reference(config)
    known = endpoints(derived.objects, derived.externals)
    flows = list(matrix)
    seen = set()
    for flow in flows:
        source, destination = known[flow.source], known[flow.destination]
        expected, _, _ = reference.decide(source, destination, flow.port, flow.protocol)
        assert flow.allowed == expected, (
            f"{flow.source} -> {flow.destination} on {flow.port}/{flow.protocol}: "
            f"engine says {'allowed' if flow.allowed else 'denied'}, the config declares "
            f"{'allowed' if expected else 'denied'}"
        )
        seen.add((flow.source, flow.destination, flow.port, flow.protocol))

    _record(config, flows)

    # Every source reaches every tier pod on each of its ports: none is left out of the matrix.
    for tier in derived.tiers:
        pod = known[tier]
        ports = {(number, protocol) for number, protocol, _ in pod.ports} | set(extra)
        for source in known.values():
            if source.key == tier:
                continue
            for number, protocol in ports:
                assert (source.key, tier, number, protocol) in seen, (
                    f"the matrix leaves out {source.key} -> {tier} on {number}/{protocol}"
                )

    # Spot checks: the matrix's verdict, evaluate() and explain() agree with the reference on
    # the sides too: isolated or not, by which policies, admitted by which.
    numbered = [(row.source, target) for row in matrix.rows() for target in row.targets]
    assert len(numbered) == len(flows)
    for index in range(0, len(flows), max(1, len(flows) // 8)):
        flow = flows[index]
        source, destination = known[flow.source], known[flow.destination]
        allowed, ingress, egress = reference.decide(source, destination, flow.port, flow.protocol)
        what = f"{flow.source} -> {flow.destination} on {flow.port}/{flow.protocol}"
        evaluated = evaluate(
            cluster.policies,
            cluster.inventory,
            traffic(cluster.inventory, flow.source, flow.destination, flow.port, flow.protocol),
        )
        for verdict in (matrix.verdict(*numbered[index]), evaluated):
            assert verdict.allowed == allowed, what
            _same_side(verdict.ingress, ingress, f"{what}: ingress")
            _same_side(verdict.egress, egress, f"{what}: egress")
        _explained(explain(evaluated), allowed, flow.destination, ingress)
