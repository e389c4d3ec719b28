"""DefaultDenySpec -> manifests: deny-all per namespace, plus DNS egress when egress is denied."""

from __future__ import annotations

from podfence.manifests.wire import (
    Manifest,
    namespace_name_selector,
    network_policy,
    pod_peer,
    rule,
    selector,
)
from podfence.spec.default_deny import DefaultDenySpec
from podfence.spec.direction import Direction
from podfence.spec.labels import LabelSelector

__all__ = ["default_deny_policies"]


def default_deny_policies(spec: DefaultDenySpec) -> list[Manifest]:
    """For each namespace: ``deny-all`` (``podSelector: {}``, the denied directions in
    policyTypes, no rules), and when egress is denied and DNS kept, ``allow-dns-egress`` letting
    every pod of the namespace reach the DNS pods on the DNS ports."""
    directions = [
        d for d, on in ((Direction.INGRESS, spec.ingress), (Direction.EGRESS, spec.egress)) if on
    ]
    policies: list[Manifest] = []
    for namespace in spec.namespaces:
        policies.append(network_policy(spec.policy_name, namespace, {}, directions))
        if spec.egress and spec.allow_dns:
            dns = spec.dns
            peer = pod_peer(
                selector(LabelSelector.of(dns.pod_labels)), namespace_name_selector(dns.namespace)
            )
            policies.append(
                network_policy(
                    dns.policy_name,
                    namespace,
                    {},
                    [Direction.EGRESS],
                    egress=[rule(Direction.EGRESS, [peer], dns.ports)],
                )
            )
    return policies
