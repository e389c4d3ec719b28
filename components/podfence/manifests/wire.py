"""The NetworkPolicy wire form (networking.k8s.io/v1), built from specs as plain dicts.

This is the one place where a spec becomes Kubernetes YAML: the components create exactly these
objects and the offline commands print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podfence.errors import SpecError
from podfence.spec.direction import Direction
from podfence.spec.ip_block import IpBlock
from podfence.spec.labels import NAMESPACE_NAME_LABEL, LabelSelector
from podfence.spec.ports import Port

__all__ = [
    "API_VERSION",
    "KIND",
    "MANAGED_BY_LABELS",
    "Manifest",
    "check_unique",
    "integral",
    "ip_block_peer",
    "is_deny",
    "namespace_name_selector",
    "network_policy",
    "pod_peer",
    "policy_key",
    "port",
    "rule",
    "selector",
]

Manifest = dict[str, Any]

API_VERSION = "networking.k8s.io/v1"
KIND = "NetworkPolicy"
#: Labels on every policy podfence makes, so they can be listed: kubectl get netpol -l ...
MANAGED_BY_LABELS = {"app.kubernetes.io/managed-by": "podfence"}


def selector(spec: LabelSelector) -> dict[str, Any]:
    """A LabelSelector in wire form; ``{}`` (select everything) when the spec is empty."""
    out: dict[str, Any] = {}
    if spec.match_labels:
        out["matchLabels"] = dict(sorted(spec.match_labels.items()))
    if spec.match_expressions:
        out["matchExpressions"] = [
            {
                "key": r.key,
                "operator": r.operator.value,
                **({"values": list(r.values)} if r.values else {}),
            }
            for r in spec.match_expressions
        ]
    return out


def namespace_name_selector(namespace: str) -> dict[str, Any]:
    """Select one namespace by name, through the label every namespace carries."""
    return {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}


def port(spec: Port) -> dict[str, Any]:
    """One NetworkPolicyPort; the protocol is always written (it would default to TCP)."""
    out: dict[str, Any] = {"protocol": spec.protocol.value}
    if spec.port is not None:
        out["port"] = spec.port
    if spec.end_port is not None:
        out["endPort"] = spec.end_port
    return out


def ip_block_peer(spec: IpBlock) -> dict[str, Any]:
    """An ipBlock peer; ``except`` is omitted when empty."""
    block: dict[str, Any] = {"cidr": spec.cidr}
    if spec.except_:
        block["except"] = list(spec.except_)
    return {"ipBlock": block}


def pod_peer(
    pod_selector: dict[str, Any] | None, namespace_selector: dict[str, Any] | None
) -> dict[str, Any]:
    """A pod peer. Both selectors in ONE peer are ANDed (these pods in those namespaces).

    ``namespace_selector`` None: the policy's own namespace. ``pod_selector`` None: every pod of
    the selected namespaces. At least one must be given; ``{}`` is a deliberate "all".
    """
    if pod_selector is None and namespace_selector is None:
        raise ValueError("a pod peer needs a podSelector, a namespaceSelector or both")
    out: dict[str, Any] = {}
    if namespace_selector is not None:
        out["namespaceSelector"] = namespace_selector
    if pod_selector is not None:
        out["podSelector"] = pod_selector
    return out


def rule(
    direction: Direction, peers: Sequence[dict[str, Any]], ports: Sequence[Port]
) -> dict[str, Any]:
    """One ingress or egress rule admitting ``peers`` on ``ports``.

    An empty ``peers`` would admit every source or destination (a rule without ``from``/``to``),
    so it is refused: podfence never writes an allow-all by accident. Empty ``ports``: all ports.
    """
    if not peers:
        raise ValueError("a rule needs at least one peer; podfence does not write allow-all rules")
    out: dict[str, Any] = {"from" if direction is Direction.INGRESS else "to": list(peers)}
    if ports:
        out["ports"] = [port(p) for p in ports]
    return out


def network_policy(
    name: str,
    namespace: str,
    pod_selector: dict[str, Any],
    policy_types: Sequence[Direction],
    ingress: Sequence[dict[str, Any]] = (),
    egress: Sequence[dict[str, Any]] = (),
) -> Manifest:
    """A whole NetworkPolicy.

    ``policyTypes`` is always written, Ingress before Egress, so isolation never depends on the
    API server's defaulting; a direction listed without rules denies everything in it. Empty
    rule lists are omitted (the API server drops them and the diff would never settle).
    """
    types = [d for d in (Direction.INGRESS, Direction.EGRESS) if d in policy_types]
    if not types:
        raise ValueError(f"policy {namespace}/{name} has no policyTypes")
    if ingress and Direction.INGRESS not in types:
        raise ValueError(f"policy {namespace}/{name} has ingress rules but no Ingress policyType")
    if egress and Direction.EGRESS not in types:
        raise ValueError(f"policy {namespace}/{name} has egress rules but no Egress policyType")
    spec: dict[str, Any] = {"podSelector": pod_selector, "policyTypes": [t.value for t in types]}
    if ingress:
        spec["ingress"] = list(ingress)
    if egress:
        spec["egress"] = list(egress)
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY_LABELS)},
        "spec": spec,
    }


def policy_key(manifest: Manifest) -> str:
    """A namespaced policy's identity, ``namespace/name``: what two policies may not share."""
    metadata = manifest["metadata"]
    return f"{metadata['namespace']}/{metadata['name']}"


def check_unique(manifests: Sequence[Manifest], owner: str = "") -> None:
    """Refuse two policies with the same namespace and name: the second would overwrite the first.

    Raises:
        SpecError: naming the policy, prefixed with ``owner`` when given.
    """
    seen: set[str] = set()
    for manifest in manifests:
        key = policy_key(manifest)
        if key in seen:
            prefix = f"{owner}: " if owner else ""
            raise SpecError(f"{prefix}two policies would be named {key}; rename one")
        seen.add(key)


def is_deny(manifest: Manifest) -> bool:
    """Whether a policy only isolates: it has no ingress and no egress rules.

    Semantics: such a policy allows nothing and, for the pods it selects, takes away everything
    no other policy allows (``deny-all``); every other policy only adds allowed traffic.
    """
    spec = manifest.get("spec") or {}
    return not spec.get("ingress") and not spec.get("egress")


def integral(value: Any) -> Any:
    """``value`` with every whole float an int, in nested dicts and lists too.

    Pulumi's wire (a protobuf Struct, what mocks and a component provider receive) carries every
    number as a double; Kubernetes' ports are integers, and ``80.0`` is no port.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value
