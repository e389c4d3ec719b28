"""NamespaceAllowSpec -> manifests: one ingress policy per namespace."""

from __future__ import annotations

from podfence.manifests.wire import Manifest, network_policy, pod_peer, rule, selector
from podfence.spec.direction import Direction
from podfence.spec.namespace_allow import NamespaceAllowSpec

__all__ = ["namespace_allow_policies"]


def namespace_allow_policies(spec: NamespaceAllowSpec) -> list[Manifest]:
    """In each namespace, a policy selecting ``pod_selector`` that admits one peer: the source
    namespaces, AND the source pods when ``from_pod_selector`` is given."""
    from_pods = None if spec.from_pod_selector is None else selector(spec.from_pod_selector)
    peer = pod_peer(from_pods, selector(spec.source_namespaces))
    return [
        network_policy(
            spec.name,
            namespace,
            selector(spec.pod_selector),
            [Direction.INGRESS],
            ingress=[rule(Direction.INGRESS, [peer], spec.ports)],
        )
        for namespace in spec.namespaces
    ]
