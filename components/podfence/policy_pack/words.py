"""How the policies' violations name things: a NetworkPolicy, the pods it selects, a written value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from podfence.reachability.policy import Policy

__all__ = ["object_key", "selected_pods", "written"]


def object_key(obj: Mapping[str, Any]) -> str:
    """``namespace/name`` of a namespaced object (``default`` when it names no namespace)."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    return f"{metadata.get('namespace') or 'default'}/{metadata.get('name') or '(unnamed)'}"


def selected_pods(policy: Policy) -> str:
    """``every pod of namespace shop (podSelector: {})`` or ``pods app=web in namespace shop``."""
    if policy.selects_every_pod:
        return f"every pod of namespace {policy.namespace} (podSelector: {{}})"
    return f"pods {policy.pod_selector.describe()} in namespace {policy.namespace}"


def written(value: Any) -> str:
    """A value as it was written, in JSON: ``{"namespaceSelector": {}}``."""
    return json.dumps(value, separators=(", ", ": "), sort_keys=True, default=str)
