"""Kubernetes objects in; the policies, the inventory and what was not evaluated out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from podfence.errors import InputError
from podfence.reachability.context import origin_of, short
from podfence.reachability.inventory import Inventory
from podfence.reachability.model import Namespace, Pod, parse_namespace, parse_pod
from podfence.reachability.policy import API_VERSION, Policy, PolicySet, parse_policy

__all__ = ["Cluster", "load_cluster"]


@dataclass(frozen=True)
class Cluster:
    """What the analysis evaluates.

    Attributes:
        policies: the NetworkPolicies (networking.k8s.io/v1).
        inventory: the namespaces and pods.
        warnings: one line for each object that looks like a network policy but is not
            evaluated (another API group's NetworkPolicy, extensions/v1beta1, a CRD such as
            CiliumNetworkPolicy), naming it.
    """

    policies: PolicySet
    inventory: Inventory
    warnings: tuple[str, ...] = ()


def _api_version(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("apiVersion")
    return value if isinstance(value, str) else None


def _name(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return "(unnamed)"
    name = metadata.get("name") or "(unnamed)"
    namespace = metadata.get("namespace")
    return f"{namespace}/{name}" if namespace else str(name)


def _not_evaluated(obj: Mapping[str, Any], kind: str, version: str | None) -> str:
    where = origin_of(obj)
    prefix = f"{where}: " if where else ""
    what = f"{version or '(no apiVersion)'} {kind} {_name(obj)}"
    if version == "extensions/v1beta1":
        why = "that API was removed in Kubernetes 1.16; write it as networking.k8s.io/v1"
    else:
        why = f"podfence evaluates {API_VERSION} NetworkPolicies only, not this API's semantics"
    return f"{prefix}{what} is not evaluated: {why}"


def load_cluster(objects: Iterable[Mapping[str, Any]]) -> Cluster:
    """Sort Kubernetes objects into policies and inventory.

    Args:
        objects: dicts as read from YAML or JSON (``kind: List`` already flattened):
            NetworkPolicy (networking.k8s.io/v1), Namespace and Pod (v1). Other kinds are not
            part of the analysis; those that are network policies of another kind or API group
            are named in :attr:`Cluster.warnings`.

    Raises:
        InputError: a malformed object (one line: file, object, field, bad value), or a pod,
            namespace or policy listed twice.
    """
    namespaces: list[Namespace] = []
    pods: list[Pod] = []
    policies: list[Policy] = []
    warnings: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    objects = list(objects)
    for obj in objects:  # namespaces first, so that each pod is read with its namespace's labels
        if not isinstance(obj, Mapping):
            raise InputError(f"expected a Kubernetes object (a map), got {short(obj)}")
        if obj.get("kind") == "Namespace" and _api_version(obj) in (None, "v1"):
            namespace = parse_namespace(obj)
            _once(seen, ("Namespace", namespace.name), obj)
            namespaces.append(namespace)
    labels = {namespace.name: namespace.labels for namespace in namespaces}
    for obj in objects:
        kind = obj.get("kind")
        version = _api_version(obj)
        if kind == "Pod" and version in (None, "v1"):
            metadata = obj.get("metadata")
            where = metadata.get("namespace") if isinstance(metadata, Mapping) else None
            pod = parse_pod(
                obj, labels.get(where if isinstance(where, str) and where else "default")
            )
            _once(seen, ("Pod", pod.key), obj)
            pods.append(pod)
        elif kind == "NetworkPolicy" and version in (None, API_VERSION):
            policy = parse_policy(obj)
            _once(seen, ("NetworkPolicy", str(policy.ref)), obj)
            policies.append(policy)
        elif isinstance(kind, str) and "NetworkPolicy" in kind:
            warnings.append(_not_evaluated(obj, kind, version))
    return Cluster(PolicySet(policies), Inventory(namespaces, pods), tuple(warnings))


def _once(seen: dict[tuple[str, str], str], key: tuple[str, str], obj: Mapping[str, Any]) -> None:
    origin = origin_of(obj) or "the input"
    first = seen.get(key)
    if first is not None:
        raise InputError(f"{key[0]} {key[1]} appears twice (in {first} and {origin})")
    seen[key] = origin
