"""A stack's resources as the Kubernetes objects podfence's engine reads: plain dicts, wire form.

CrossGuard hands a policy each resource's properties (a resource policy gets its inputs, a stack
policy every resource's outputs; for pulumi-kubernetes both are the object in wire form:
camelCase, with apiVersion and kind) behind read-only proxies that raise pulumi_policy's
``UnknownValueError`` for a value not known during preview, and with every number a float (the
gRPC wire carries numbers as doubles). :func:`plain` turns them back into the dicts, lists and
integers the engine reads; an unknown value propagates, and CrossGuard reports that the policy
cannot run during preview.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from podfence.errors import InputError
from podfence.offline.stack import NETWORK_POLICY
from podfence.policy_pack.words import object_key
from podfence.reachability.admin import ClusterPolicy
from podfence.reachability.admin_loader import API_VERSIONS, parse_cluster_policy
from podfence.reachability.policy import API_VERSION, Policy, PolicySet, parse_policy
from podfence.reachability.verdict import ClusterPolicyRef, DirectionVerdict, PolicyRef

__all__ = [
    "CLUSTER_POLICIES",
    "NAMESPACE",
    "NETWORK_POLICY",
    "POD_TEMPLATES",
    "Compiled",
    "Resource",
    "StackObjects",
    "Workload",
    "compiled_policy",
    "denying",
    "kubernetes_object",
    "plain",
    "stack_objects",
]

#: The type token of a Kubernetes Namespace resource.
NAMESPACE = "kubernetes:core/v1:Namespace"

#: The workload resources, each with the path to its pod template (``()``: the object is a Pod).
POD_TEMPLATES: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec", "template"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template"),
    "kubernetes:core/v1:ReplicationController": ("spec", "template"),
    "kubernetes:batch/v1:Job": ("spec", "template"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template"),
    "kubernetes:core/v1:Pod": (),
}

#: The type tokens of the cluster-wide policies (a pulumi_kubernetes ``CustomResource`` is
#: ``kubernetes:<apiVersion>:<kind>``; podfence's ClusterBaseline makes one), with their
#: apiVersion and kind.
CLUSTER_POLICIES: dict[str, tuple[str, str]] = {
    f"kubernetes:{version}:{kind}": (version, kind)
    for kind, versions in API_VERSIONS.items()
    for version in versions
}

_KINDS = {
    NETWORK_POLICY: (API_VERSION, "NetworkPolicy"),
    NAMESPACE: ("v1", "Namespace"),
    **CLUSTER_POLICIES,
}


class _Provider(Protocol):
    props: Mapping[str, Any]


class Resource(Protocol):
    """What CrossGuard tells of a resource: ``ResourceValidationArgs`` and ``PolicyResource``
    alike."""

    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str

    @property
    def provider(self) -> _Provider | None:
        """The resource's provider (its ``props`` hold the provider's ``namespace``), or None."""


def plain(value: Any) -> Any:
    """``value`` with every mapping a dict, every sequence a list, and whole numbers integers.

    Raises:
        UnknownValueError: (pulumi_policy's) a value that is not known during preview.
    """
    if isinstance(value, str | bytes | bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): plain(value[key]) for key in value}
    if isinstance(value, Sequence):
        return [plain(value[index]) for index in range(len(value))]
    return value


def _provider_namespace(resource: Resource) -> str | None:
    provider = resource.provider
    if provider is None:
        return None
    namespace = plain(provider.props).get("namespace")
    return namespace if isinstance(namespace, str) and namespace else None


def kubernetes_object(resource: Resource) -> dict[str, Any]:
    """The resource's Kubernetes object, with what the provider would fill in.

    * ``metadata.name`` absent: the Pulumi name (pulumi-kubernetes autonames the object
      ``<name>-<suffix>``; the prefix stands for it).
    * ``metadata.namespace`` absent on a namespaced object: the provider's ``namespace`` option
      when it has one (pulumi-kubernetes puts the object there), else none ("default"); a
      Namespace and a cluster-wide policy live in none.
    * ``apiVersion``/``kind`` absent on a NetworkPolicy, Namespace or cluster-wide policy:
      from the type token.

    Returns:
        A dict (empty when the properties are not a map).
    """
    obj = plain(resource.props)
    if not isinstance(obj, dict):
        return {}
    if resource.resource_type in _KINDS:
        version, kind = _KINDS[resource.resource_type]
        obj.setdefault("apiVersion", version)
        obj.setdefault("kind", kind)
    metadata = obj.setdefault("metadata", {})
    if isinstance(metadata, dict):
        if not metadata.get("name"):
            metadata["name"] = resource.name
        cluster_scoped = resource.resource_type == NAMESPACE or resource.resource_type in (
            CLUSTER_POLICIES
        )
        if not cluster_scoped and not metadata.get("namespace"):
            namespace = _provider_namespace(resource)
            if namespace:
                metadata["namespace"] = namespace
    return obj


class _Refusable(Resource, Protocol):
    def not_applicable(self, reason: str | None = None) -> None:
        """Mark the policy not applicable (raises pulumi_policy's error)."""


def compiled_policy(args: _Refusable) -> tuple[Policy, dict[str, Any]] | None:
    """The resource's NetworkPolicy, compiled by the engine, and its object; None for a
    resource of another type.

    A NetworkPolicy the API server would refuse is not applicable: ``args.not_applicable``
    (which raises) says why, naming the field and the bad value.
    """
    if args.resource_type != NETWORK_POLICY:
        return None
    obj = kubernetes_object(args)
    try:
        return parse_policy(obj), obj
    except InputError as error:
        args.not_applicable(f"the API server would refuse {object_key(obj)}: {error}")
        raise  # not_applicable raises; this is for a checker that cannot know it


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


@dataclass(frozen=True)
class Workload:
    """A workload resource, and the Pod object its template makes.

    Attributes:
        resource: the resource.
        kind: its kind, ``Deployment`` (from the type token).
        namespace: where its pods run (``default`` when neither the object nor its provider
            says).
        name: its ``metadata.name``.
        pod: a Pod object named like the workload, with the template's labels and containers'
            ports (no IP: it matches no ipBlock).
    """

    resource: Resource
    kind: str
    namespace: str
    name: str
    pod: dict[str, Any]

    def describe(self) -> str:
        """``Deployment shop/web``."""
        return f"{self.kind} {self.namespace}/{self.name}"


def _workload(resource: Resource, path: tuple[str, ...]) -> Workload | None:
    obj = kubernetes_object(resource)
    metadata = obj.get("metadata") or {}
    template = _at(obj, path) if path else obj
    if not isinstance(template, dict):
        return None
    template_metadata = template.get("metadata")
    labels = template_metadata.get("labels") if isinstance(template_metadata, dict) else None
    spec = template.get("spec")
    containers = spec.get("containers") if isinstance(spec, dict) else None
    ports = [
        {"name": str(c.get("name") or f"container-{i}"), "ports": c.get("ports") or []}
        for i, c in enumerate(containers if isinstance(containers, list) else [])
        if isinstance(c, dict)
    ]
    namespace = str(metadata.get("namespace") or "default")
    name = str(metadata.get("name"))
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": ports},
    }
    kind = resource.resource_type.rsplit(":", 1)[-1]
    return Workload(resource, kind, namespace, name, pod)


@dataclass
class StackObjects:
    """The NetworkPolicies, cluster-wide policies, Namespaces and workloads among a stack's
    resources.

    Attributes:
        policies: each NetworkPolicy resource with its object.
        cluster_policies: each AdminNetworkPolicy, BaselineAdminNetworkPolicy and
            ClusterNetworkPolicy resource with its object.
        namespaces: a Namespace object per name (labels of two resources of one name merged:
            a ``Namespace.get`` and a created one).
        workloads: the workload resources (see :data:`POD_TEMPLATES`).
    """

    policies: list[tuple[Resource, dict[str, Any]]] = field(default_factory=list)
    cluster_policies: list[tuple[Resource, dict[str, Any]]] = field(default_factory=list)
    namespaces: list[dict[str, Any]] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)

    def manifests(self) -> list[dict[str, Any]]:
        """The NetworkPolicy objects."""
        return [obj for _, obj in self.policies]

    def cluster_manifests(self) -> list[dict[str, Any]]:
        """The cluster-wide policy objects."""
        return [obj for _, obj in self.cluster_policies]

    def pods(self) -> list[dict[str, Any]]:
        """A Pod object per workload; a name taken twice in a namespace gets ``-2``, ``-3``..."""
        taken: set[tuple[str, str]] = set()
        out: list[dict[str, Any]] = []
        for workload in self.workloads:
            base = name = workload.name
            number = 1
            while (workload.namespace, name) in taken:
                number += 1
                name = f"{base}-{number}"
            taken.add((workload.namespace, name))
            pod = {**workload.pod, "metadata": {**workload.pod["metadata"], "name": name}}
            out.append(pod)
        return out

    def compiled(self) -> Compiled:
        """Every policy compiled by the engine; see :class:`Compiled`."""
        found = Compiled()
        policies = found.add(self.policies, parse_policy)
        cluster_policies = found.add(self.cluster_policies, parse_cluster_policy)
        found.policies = PolicySet(policies, cluster_policies)
        return found


_Compiled = TypeVar("_Compiled", Policy, ClusterPolicy)


@dataclass
class Compiled:
    """A stack's NetworkPolicies and cluster-wide policies as the engine compiled them.

    Attributes:
        policies: those that compile.
        urns: the URN of each, by namespace/name (a cluster-wide policy by kind, name, tier
            and priority).
        objects: the object of each, likewise.
        refused: a line for each that does not compile (the API server refuses it, so a
            cluster never holds it), naming the resource and the field.
    """

    policies: PolicySet = field(default_factory=PolicySet)
    urns: dict[PolicyRef | ClusterPolicyRef, str] = field(default_factory=dict)
    objects: dict[PolicyRef | ClusterPolicyRef, dict[str, Any]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def add(
        self,
        pairs: Iterable[tuple[Resource, dict[str, Any]]],
        parse: Callable[[dict[str, Any]], _Compiled],
    ) -> list[_Compiled]:
        """Compile each object with ``parse``; keep its URN and object by its ref, or a line in
        ``refused`` when the API server would refuse it."""
        compiled: list[_Compiled] = []
        for resource, obj in pairs:
            try:
                policy = parse(obj)
            except InputError as error:
                self.refused.append(f"{resource.name}: {error}")
                continue
            compiled.append(policy)
            self.urns.setdefault(policy.ref, resource.urn)
            self.objects.setdefault(policy.ref, obj)
        return compiled

    def urn(self, refs: Iterable[PolicyRef | ClusterPolicyRef]) -> str | None:
        """The URN of the first of ``refs`` compiled here, for a violation to attach to; None
        when there is none."""
        return next((self.urns[ref] for ref in refs if ref in self.urns), None)


def denying(side: DirectionVerdict | None) -> list[PolicyRef | ClusterPolicyRef]:
    """The policies that deny a verdict's side: the NetworkPolicies that isolate it, then the
    policy of the cluster-wide rule that decided it; none when the side is allowed (or absent).
    """
    if side is None or side.allowed:
        return []
    refs: list[PolicyRef | ClusterPolicyRef] = list(side.policy_refs)
    if side.decided_by is not None:
        refs.append(side.decided_by.policy_ref)
    return refs


def stack_objects(resources: Iterable[Resource]) -> StackObjects:
    """Sort a stack's resources into NetworkPolicies, cluster-wide policies, Namespaces and
    workloads.

    Raises:
        UnknownValueError: (pulumi_policy's) a property not known during preview.
    """
    found = StackObjects()
    namespaces: dict[str, dict[str, Any]] = {}
    for resource in resources:
        kind = resource.resource_type
        if kind == NETWORK_POLICY:
            found.policies.append((resource, kubernetes_object(resource)))
        elif kind in CLUSTER_POLICIES:
            found.cluster_policies.append((resource, kubernetes_object(resource)))
        elif kind == NAMESPACE:
            # No name in the properties: a read (Namespace.get) under mocks, which records no
            # inputs; nothing is known of its labels.
            metadata = plain(resource.props).get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            if not isinstance(name, str) or not name:
                continue
            labels = metadata.get("labels")
            held = namespaces.setdefault(
                str(name), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            )
            if isinstance(labels, dict):
                held["metadata"]["labels"] = {**held["metadata"].get("labels", {}), **labels}
        elif kind in POD_TEMPLATES:
            workload = _workload(resource, POD_TEMPLATES[kind])
            if workload is not None:
                found.workloads.append(workload)
    found.namespaces = list(namespaces.values())
    return found
