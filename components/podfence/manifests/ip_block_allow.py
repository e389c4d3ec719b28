"""IpBlockAllowSpec -> manifests: one ingress (or egress) policy per namespace."""

from __future__ import annotations

from podfence.manifests.wire import Manifest, ip_block_peer, network_policy, rule, selector
from podfence.spec.direction import Direction
from podfence.spec.ip_block_allow import IpBlockAllowSpec

__all__ = ["ip_block_allow_policies"]


def ip_block_allow_policies(spec: IpBlockAllowSpec) -> list[Manifest]:
    """In each namespace, a policy selecting ``pod_selector`` with one rule whose peers are the
    ip blocks (ORed), in ``spec.direction``."""
    peers = [ip_block_peer(block) for block in spec.ip_blocks]
    one_rule = [rule(spec.direction, peers, spec.ports)]
    ingress = one_rule if spec.direction is Direction.INGRESS else []
    egress = one_rule if spec.direction is Direction.EGRESS else []
    return [
        network_policy(
            spec.name,
            namespace,
            selector(spec.pod_selector),
            [spec.direction],
            ingress=ingress,
            egress=egress,
        )
        for namespace in spec.namespaces
    ]
