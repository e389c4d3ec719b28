"""TierFirewallSpec -> manifests: an ingress policy per flow, and its egress twin when needed."""

from __future__ import annotations

from typing import Any

from podfence.manifests.wire import (
    Manifest,
    namespace_name_selector,
    network_policy,
    pod_peer,
    rule,
    selector,
)
from podfence.spec.direction import Direction
from podfence.spec.labels import LabelSelector
from podfence.spec.tier_firewall import TierFirewallSpec

__all__ = ["tier_firewall_policies"]


def _tier_peer(spec: TierFirewallSpec, tier: str, seen_from: str) -> dict[str, Any]:
    """The peer selecting ``tier``'s pods, as written in a policy living in ``seen_from``.

    Same namespace: a podSelector alone (which means the policy's own namespace). Another
    namespace: namespaceSelector AND podSelector in ONE peer.
    """
    pods = selector(LabelSelector.of(spec.tiers[tier].pod_labels))
    namespace = spec.namespace_of(tier)
    return pod_peer(pods, None if namespace == seen_from else namespace_name_selector(namespace))


def tier_firewall_policies(spec: TierFirewallSpec) -> list[Manifest]:
    """Per flow, in the order given: ``allow-<from>-to-<to>`` in the destination's namespace
    selecting the destination tier, admitting the source tier on the flow's ports; and, when the
    source tier is egress-isolated, ``allow-<from>-to-<to>-egress`` in the source's namespace
    letting the source reach the destination on the same ports."""
    policies: list[Manifest] = []
    for flow in spec.flows:
        ports = spec.ports_of(flow)
        dst_ns, src_ns = spec.namespace_of(flow.to), spec.namespace_of(flow.from_)
        policies.append(
            network_policy(
                flow.policy_name,
                dst_ns,
                selector(LabelSelector.of(spec.tiers[flow.to].pod_labels)),
                [Direction.INGRESS],
                ingress=[rule(Direction.INGRESS, [_tier_peer(spec, flow.from_, dst_ns)], ports)],
            )
        )
        if spec.egress_isolated(flow.from_):
            policies.append(
                network_policy(
                    f"{flow.policy_name}-egress",
                    src_ns,
                    selector(LabelSelector.of(spec.tiers[flow.from_].pod_labels)),
                    [Direction.EGRESS],
                    egress=[rule(Direction.EGRESS, [_tier_peer(spec, flow.to, src_ns)], ports)],
                )
            )
    return policies
