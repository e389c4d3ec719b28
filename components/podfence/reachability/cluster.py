"""Kubernetes objects in; the policies, the inventory and what was not evaluated out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from podfence.errors import InputError
from podfence.reachability.admin import ClusterPolicy
from podfence.reachability.admin_loader import API_VERSIONS, parse_cluster_policy
from podfence.reachability.context import origin_of, short, short_key
from podfence.reachability.inventory import Inventory
from podfence.reachability.model import (
    Namespace,
    Node,
    Pod,
    parse_namespace,
    parse_node,
    parse_pod,
)
from podfence.reachability.policy import API_VERSION, Policy, PolicySet, parse_policy

__all__ = ["KINDS", "Cluster", "is_policy", "load_cluster"]


@dataclass(frozen=True)
class Cluster:
    """What the analysis evaluates.

    Attributes:
        policies: the NetworkPolicies (networking.k8s.io/v1) and the cluster-wide policies
            (AdminNetworkPolicy and BaselineAdminNetworkPolicy, policy.networking.k8s.io/v1alpha1;
            ClusterNetworkPolicy, v1alpha2 and v1beta1).
        inventory: the namespaces, pods and nodes.
        warnings: one line for each object that is not evaluated, naming it: another kind
            (a Service, a misspelt ``NetworkPolcy``, an object with no kind), or a known kind of
            another apiVersion (``networking.k8s.io/v1beta1``, Calico's NetworkPolicy, the
            long-removed extensions/v1beta1). Past :data:`NAMED_PER_KIND` objects of one kind and
            apiVersion, one line counts the rest. Then one line for each assumption the
            cluster-wide policies needed: cluster-wide policies of one priority (their order is
            undefined), a domainNames peer (not resolved offline).
    """

    policies: PolicySet
    inventory: Inventory
    warnings: tuple[str, ...] = ()


#: The kinds that are evaluated, with their apiVersions (an object without one is read as the
#: first).
KINDS: dict[str, tuple[str, ...]] = {
    "NetworkPolicy": (API_VERSION,),
    **API_VERSIONS,
    "Namespace": ("v1",),
    "Pod": ("v1",),
    "Node": ("v1",),
}
#: How many objects of one kind and apiVersion the warnings name before they count the rest.
NAMED_PER_KIND = 5
_READS = (
    f"podfence reads NetworkPolicy ({API_VERSION}), AdminNetworkPolicy and "
    "BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy "
    "(policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1) objects only"
)


def is_policy(obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` is of a policy kind: NetworkPolicy or a cluster-wide kind, of any
    apiVersion (:func:`load_cluster` evaluates it, or names it in a warning). A ``kind`` that
    is no string (a list, a map) is no policy."""
    kind = obj.get("kind")
    return isinstance(kind, str) and (kind == "NetworkPolicy" or kind in API_VERSIONS)


def _api_version(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("apiVersion")
    return value if isinstance(value, str) else None


def _name(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return "(unnamed)"
    name = metadata.get("name") or "(unnamed)"
    namespace = metadata.get("namespace")
    shown = short_key(name) if isinstance(name, str) else short(name)
    if namespace and isinstance(namespace, str):
        return f"{short_key(namespace)}/{shown}"
    return shown


def _versions(versions: tuple[str, ...]) -> str:
    """``policy.networking.k8s.io/v1alpha2 and v1beta1``: the group said once."""
    group = versions[0].rpartition("/")[0]
    rest = [v.rpartition("/")[2] if v.rpartition("/")[0] == group else v for v in versions[1:]]
    return " and ".join([versions[0], *rest])


def _why(kind: str, version: str | None) -> str:
    """Why an object of ``kind`` and ``version`` is not evaluated."""
    if kind == "NetworkPolicy" and version == "extensions/v1beta1":
        return "that API was removed in Kubernetes 1.16; write it as networking.k8s.io/v1"
    if kind == "NetworkPolicy" and version is not None and version.startswith("networking.k8s.io/"):
        return f"the API server serves NetworkPolicy as {API_VERSION} only; write it so"
    if kind in API_VERSIONS and version is not None and version.startswith("policy.networking."):
        return f"podfence evaluates {kind} as {_versions(API_VERSIONS[kind])} only"
    if "NetworkPolicy" in kind:
        return f"podfence evaluates {API_VERSION} NetworkPolicies only, not this API's semantics"
    if kind in KINDS:
        return (
            f"the API server serves {kind} as apiVersion {_versions(KINDS[kind])} only; write it so"
        )
    import difflib  # only on this path: keep start-up lean

    close = difflib.get_close_matches(kind, list(KINDS), n=1, cutoff=0.75)
    return _READS + (f"; did you mean {close[0]}?" if close else "")


def _not_evaluated(obj: Mapping[str, Any], kind: Any, version: str | None) -> str:
    where = origin_of(obj)
    prefix = f"{where}: " if where else ""
    if not isinstance(kind, str) or not kind:
        position = str(getattr(obj, "position", "") or "")
        at = f"{where} ({position})" if where and position else where or position
        head = f"{at}: " if at else ""
        found = "no kind" if kind is None or kind == "" else f"kind {short(kind)}"
        return f"{head}an object with {found} ({_name(obj)}) is not evaluated: {_READS}"
    what = f"{short_key(version) if version else '(no apiVersion)'} {short_key(kind)} {_name(obj)}"
    return f"{prefix}{what} is not evaluated: {_why(kind, version)}"


def load_cluster(objects: Iterable[Mapping[str, Any]]) -> Cluster:
    """Sort Kubernetes objects into policies and inventory.

    Args:
        objects: dicts as read from YAML or JSON (``kind: List`` already flattened):
            NetworkPolicy (networking.k8s.io/v1), AdminNetworkPolicy and
            BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy
            (policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1); an
            object without an apiVersion is read as its kind's (the first, for
            ClusterNetworkPolicy: v1alpha2). Every other object is left out of the
            analysis and named in :attr:`Cluster.warnings`.

    Raises:
        InputError: a malformed object (one line: file, object, field, bad value), or a pod,
            namespace, node or policy listed twice.
    """
    namespaces: list[Namespace] = []
    pods: list[Pod] = []
    nodes: list[Node] = []
    policies: list[Policy] = []
    cluster_policies: list[ClusterPolicy] = []
    seen: dict[tuple[str, str], str] = {}
    objects = list(objects)
    for obj in objects:  # namespaces first, so that each pod is read with its namespace's labels
        if not isinstance(obj, Mapping):
            raise InputError(f"expected a Kubernetes object (a map), got {short(obj)}")
        version = obj.get("apiVersion")
        if obj.get("kind") == "Namespace" and (version is None or version == "v1"):
            namespace = parse_namespace(obj)
            _once(seen, ("Namespace", namespace.name), obj)
            namespaces.append(namespace)
    labels = {namespace.name: namespace.labels for namespace in namespaces}
    skipped: dict[tuple[str, str], list[str]] = {}
    for obj in objects:
        kind = obj.get("kind")
        version = obj.get("apiVersion")
        if kind == "Pod" and (version is None or version == "v1"):
            metadata = obj.get("metadata")
            where = metadata.get("namespace") if isinstance(metadata, Mapping) else None
            pod = parse_pod(
                obj, labels.get(where if isinstance(where, str) and where else "default")
            )
            _once(seen, ("Pod", pod.key), obj)
            pods.append(pod)
        elif kind == "NetworkPolicy" and (version is None or version == API_VERSION):
            policy = parse_policy(obj)
            _once(seen, ("NetworkPolicy", str(policy.ref)), obj)
            policies.append(policy)
        elif (
            isinstance(kind, str)
            and kind in API_VERSIONS
            and (version is None or version in API_VERSIONS[kind])
        ):
            cluster_policy = parse_cluster_policy(obj)
            _once(seen, (cluster_policy.kind, cluster_policy.name), obj)
            cluster_policies.append(cluster_policy)
        elif kind == "Node" and (version is None or version == "v1"):
            node = parse_node(obj)
            _once(seen, ("Node", node.name), obj)
            nodes.append(node)
        elif kind != "Namespace" or (version is not None and version != "v1"):  # read above
            version = _api_version(obj)
            group = (version or "(no apiVersion)", kind if isinstance(kind, str) else "")
            skipped.setdefault(group, []).append(_not_evaluated(obj, kind, version))
    warnings: list[str] = []
    for (version, kind), lines in skipped.items():
        warnings += lines[:NAMED_PER_KIND]
        if len(lines) > NAMED_PER_KIND:
            what = (
                f"{short_key(version)} {short_key(kind)} objects"
                if kind
                else "objects with no kind"
            )
            warnings.append(f"{len(lines) - NAMED_PER_KIND} more {what} are not evaluated")
    policy_set = PolicySet(policies, cluster_policies)
    warnings += policy_set.warnings
    warnings += [note for cluster_policy in cluster_policies for note in cluster_policy.notes]
    return Cluster(policy_set, Inventory(namespaces, pods, nodes), tuple(warnings))


def _once(seen: dict[tuple[str, str], str], key: tuple[str, str], obj: Mapping[str, Any]) -> None:
    origin = origin_of(obj) or "the input"
    first = seen.get(key)
    if first is not None:
        raise InputError(f"{key[0]} {key[1]} appears twice (in {first} and {origin})")
    seen[key] = origin
