"""Key order for printing manifests the way people write them (apiVersion, kind, metadata, spec)."""

from __future__ import annotations

from typing import Any

__all__ = ["canonical"]

# Known keys first, in this order; any other key after them, alphabetically.
_ORDER = [
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations",
    "spec", "podSelector", "policyTypes", "ingress", "egress",
    "from", "to", "namespaceSelector", "ipBlock", "cidr", "except",
    "matchLabels", "matchExpressions", "key", "operator", "values",
    "ports", "protocol", "port", "endPort",
]  # fmt: skip
_RANK = {key: rank for rank, key in enumerate(_ORDER)}


_LABEL_MAPS = {"labels", "annotations", "matchLabels"}
#: Inside a peer the namespace comes first, as the Kubernetes documentation writes it.
_PEER_ORDER = {"namespaceSelector": 0, "podSelector": 1, "ipBlock": 2}


def canonical(value: Any) -> Any:
    """``value`` with every mapping's keys in the conventional order; label maps sorted by key.

    Only order changes: the same object, as the API server would store it.
    """
    if isinstance(value, dict):
        is_peer = "namespaceSelector" in value and "podSelector" in value
        rank = _PEER_ORDER if is_peer else _RANK
        keys = sorted(value, key=lambda k: (rank.get(k, len(rank)), k))
        return {
            k: dict(sorted(value[k].items()))
            if k in _LABEL_MAPS and isinstance(value[k], dict)
            else canonical(value[k])
            for k in keys
        }
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value
