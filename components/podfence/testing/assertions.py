"""Assertions on policy manifests (NetworkPolicies, and the cluster-wide policies around them),
decided by podfence's reachability engine.

Without an inventory, the assertions evaluate the policies on one derived from them
(:func:`policy_inventory`), whose pods are named as its docstring says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from podfence.errors import ConfigError, InputError
from podfence.expectations import (
    ExpectationFile,
    _entry_error,
    check_expectations,
    describe_failure,
)
from podfence.offline.inventory import _namespace_name
from podfence.reachability import Cluster, evaluate, explain, load_cluster, traffic
from podfence.reachability.admin_loader import API_VERSIONS
from podfence.spec.labels import NAMESPACE_NAME_LABEL

__all__ = [
    "assert_allowed",
    "assert_denied",
    "assert_matrix",
    "policy_inventory",
    "selector_labels",
]

#: Where derived pods' named ports get their numbers: the Nth name (in sorted order) is 20000+N.
NAMED_PORT_BASE = 20000
_FIELDS = ("src", "dst", "port")
#: The name of the namespace an empty namespaceSelector (every namespace) stands for.
ANY_NAMESPACE = "any-namespace"


def selector_labels(selector: Any) -> dict[str, str]:
    """Labels a label selector (wire form) selects: matchLabels, plus a value for each In
    (its first value) and Exists (``present``); NotIn and DoesNotExist by leaving the key out."""
    if not isinstance(selector, Mapping):
        return {}
    labels = {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}
    for requirement in selector.get("matchExpressions") or ():
        key = str(requirement.get("key", ""))
        values = requirement.get("values") or []
        if requirement.get("operator") == "In" and values:
            labels.setdefault(key, str(values[0]))
        elif requirement.get("operator") == "Exists":
            labels.setdefault(key, "present")
    return labels


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:63]


def _pod_name(labels: Mapping[str, str]) -> str:
    for key in sorted(labels):
        if name := _slug(labels[key]):
            return name
    return "pod"


class _Builder:
    def __init__(self, ports: list[dict[str, Any]]) -> None:
        self.namespaces: dict[str, dict[str, str]] = {}
        self.pods: dict[tuple[str, str], dict[str, str]] = {}
        self.ports = ports

    def namespace(self, name: str, labels: Mapping[str, str] | None = None) -> None:
        merged = {**self.namespaces.get(name, {}), **(labels or {}), NAMESPACE_NAME_LABEL: name}
        self.namespaces[name] = merged

    def pod(self, namespace: str, labels: dict[str, str]) -> None:
        self.namespace(namespace)
        if labels in [held for (ns, _), held in self.pods.items() if ns == namespace]:
            return
        base = name = _pod_name(labels)
        number = 1
        while (namespace, name) in self.pods:
            number += 1
            name = f"{base}-{number}"
        self.pods[(namespace, name)] = labels

    def objects(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": labels}}
            for n, labels in self.namespaces.items()
        ]
        for (namespace, name), labels in self.pods.items():
            container: dict[str, Any] = {"name": "main", "image": "registry.invalid/podfence"}
            if self.ports:
                container["ports"] = self.ports
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": name, "namespace": namespace, "labels": labels},
                    "spec": {"containers": [container]},
                }
            )
        return out


def _port_names(port: Any) -> Iterator[tuple[str, str]]:
    """The (name, protocol) a rule's port entry names: a NetworkPolicy's ``port``, a
    cluster-wide policy's ``namedPort`` or ``destinationNamedPort`` (which take the pod's own
    protocol: TCP here)."""
    if not isinstance(port, Mapping):
        return
    if isinstance(port.get("port"), str):
        yield port["port"], str(port.get("protocol") or "TCP")
    for key in ("namedPort", "destinationNamedPort"):
        if isinstance(port.get(key), str):
            yield port[key], "TCP"


def _named_ports(policies: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    named: set[tuple[str, str]] = set()
    for policy in policies:
        spec = policy.get("spec") or {}
        for direction in ("ingress", "egress"):
            for rule in spec.get(direction) or ():
                rule = rule if isinstance(rule, Mapping) else {}
                for port in [*(rule.get("ports") or ()), *(rule.get("protocols") or ())]:
                    named.update(_port_names(port))
    numbers = {name: NAMED_PORT_BASE + i for i, name in enumerate(sorted({n for n, _ in named}))}
    return [
        {"name": name, "containerPort": numbers[name], "protocol": protocol}
        for name, protocol in sorted(named)
    ]


def _cluster_policy_pods(build: _Builder, policy: Mapping[str, Any]) -> None:
    """The pods a cluster-wide policy's subject and pod peers select (``namespaces``: a pod of
    no labels in a namespace it selects; ``pods``: its podSelector's pod in a namespace its
    namespaceSelector selects). Nodes, networks and domain names select no pod."""
    spec = policy.get("spec") or {}
    selections = [spec.get("subject")]
    for direction, peers_field in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or ():
            if isinstance(rule, Mapping):
                selections += rule.get(peers_field) or ()
    for selection in selections:
        if not isinstance(selection, Mapping):
            continue
        pods = selection.get("pods")
        if "namespaces" in selection:
            namespace_labels, pod_labels = selector_labels(selection["namespaces"]), {}
        elif isinstance(pods, Mapping):
            namespace_labels = selector_labels(pods.get("namespaceSelector"))
            pod_labels = selector_labels(pods.get("podSelector"))
        else:
            continue
        where = _namespace_name(namespace_labels, ANY_NAMESPACE)
        build.namespace(where, namespace_labels)
        build.pod(where, pod_labels)


def policy_inventory(policies: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """An inventory (Namespace and Pod objects) derived from policy manifests alone.

    It holds:

    * one pod per distinct (namespace, labels) the NetworkPolicies select (``spec.podSelector``
      in the policy's namespace) or name as a peer (a ``podSelector`` in the policy's
      namespace; a ``namespaceSelector`` with or without a ``podSelector`` in a namespace it
      selects), and the cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
      ClusterNetworkPolicy) select as their subject or name as a peer (``namespaces``: a pod of
      no labels in a namespace the selector selects; ``pods``: as a namespaceSelector with a
      podSelector), with labels satisfying the selector: its matchLabels, the first value of
      each ``In``, ``present`` for each ``Exists`` (NotIn and DoesNotExist by leaving the key
      out);
    * one namespace per namespace those pods are in, labelled ``kubernetes.io/metadata.name``
      plus the labels every namespaceSelector placed in it asks for.

    Names, which tests refer to as ``namespace/pod``:

    * a pod is named after the value of its first label in sorted key order, lowercased, runs
      of other characters than ``a-z0-9-`` made ``-``: ``{app: guestbook-ui, tier: frontend}``
      is ``guestbook-ui``; a pod with no labels (an empty or absent podSelector: every pod) is
      ``pod``. A name already taken in the namespace by a pod of other labels gets ``-2``,
      ``-3``, ... in the order the policies name them (NetworkPolicies first, so adding a
      cluster-wide policy renames none of their pods);
    * a namespace a namespaceSelector (or a cluster-wide policy's ``namespaces``) selects is
      named by its ``kubernetes.io/metadata.name``
      label, else its label values joined by ``-`` in key order (``{team: monitoring}`` is
      ``monitoring``), else (an empty selector: every namespace) ``any-namespace``.

    The pods have no IPs (an address in a test is always outside the cluster). Each declares
    every named port the policies' rules use, numbered from 20000 in name order, so a named
    port resolves on any of them.

    Args:
        policies: policy manifests (other objects are skipped).

    Returns:
        Namespace objects, then Pod objects.
    """
    policies = [p for p in policies if isinstance(p, Mapping)]
    cluster_wide = [p for p in policies if p.get("kind") in API_VERSIONS]
    policies = [p for p in policies if p.get("kind") == "NetworkPolicy"]
    build = _Builder(_named_ports([*policies, *cluster_wide]))
    for policy in policies:
        namespace = str((policy.get("metadata") or {}).get("namespace") or "default")
        spec = policy.get("spec") or {}
        build.pod(namespace, selector_labels(spec.get("podSelector")))
        for direction, peers_field in (("ingress", "from"), ("egress", "to")):
            for rule in spec.get(direction) or ():
                for peer in (rule or {}).get(peers_field) or ():
                    if not isinstance(peer, Mapping) or "ipBlock" in peer:
                        continue
                    where = namespace
                    if "namespaceSelector" in peer:
                        ns_labels = selector_labels(peer["namespaceSelector"])
                        where = _namespace_name(ns_labels, ANY_NAMESPACE)
                        build.namespace(where, ns_labels)
                    build.pod(where, selector_labels(peer.get("podSelector")))
    for policy in cluster_wide:
        _cluster_policy_pods(build, policy)
    return build.objects()


def _cluster(
    policies: Sequence[Mapping[str, Any]], inventory: Sequence[Mapping[str, Any]] | None
) -> Cluster:
    objects = list(inventory) if inventory is not None else policy_inventory(policies)
    return load_cluster([*policies, *objects])


def _unknown(error: InputError, cluster: Cluster) -> AssertionError:
    pods = ", ".join(pod.key for pod in cluster.inventory.pods) or "none"
    return AssertionError(f"{error}\npods in the inventory: {pods}")


def _assert_flow(
    allowed: bool,
    policies: Sequence[Mapping[str, Any]],
    src: str,
    dst: str,
    port: int | str,
    protocol: str | None,
    inventory: Sequence[Mapping[str, Any]] | None,
) -> None:
    cluster = _cluster(policies, inventory)
    try:
        flow = traffic(cluster.inventory, src, dst, port, protocol, _FIELDS)
    except InputError as error:
        raise _unknown(error, cluster) from None
    verdict = evaluate(cluster.policies, cluster.inventory, flow)
    if verdict.allowed != allowed:
        expected = "allowed" if allowed else "denied"
        raise AssertionError(f"expected {flow.describe()} to be {expected}:\n{explain(verdict)}")


def assert_allowed(
    policies: Sequence[Mapping[str, Any]],
    src: str,
    dst: str,
    port: int | str,
    protocol: str | None = None,
    inventory: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Assert that ``policies`` allow ``src`` to connect to ``dst`` on ``port``.

    Args:
        policies: policy manifests (as :func:`run_program` and :func:`capture` return them):
            NetworkPolicies, and the cluster-wide policies evaluated around them
            (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy).
        src: ``namespace/pod`` or an IP address.
        dst: ``namespace/pod``, or an IP address (outside the cluster: checks egress to it).
        port: a number, or a containerPort name of the destination.
        protocol: TCP, UDP or SCTP; omitted, TCP for a number and the named port's own protocol
            for a name.
        inventory: Namespace and Pod objects to evaluate on; omitted, derived from the policies
            (:func:`policy_inventory`, which says how its pods are named).

    Raises:
        AssertionError: the flow is denied (the message is podfence's explanation: why no
            rule admits it), or a pod is not in the inventory (the message lists its pods).
        InputError: a policy or inventory object is malformed, or a bad port or protocol.
    """
    _assert_flow(True, policies, src, dst, port, protocol, inventory)


def assert_denied(
    policies: Sequence[Mapping[str, Any]],
    src: str,
    dst: str,
    port: int | str,
    protocol: str | None = None,
    inventory: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Assert that ``policies`` deny ``src`` connecting to ``dst`` on ``port``.

    The arguments are those of :func:`assert_allowed`.

    Raises:
        AssertionError: the flow is allowed (the message is podfence's explanation: the rules
            that allow it, or that no policy isolates an end), or a pod is not in the inventory
            (the message lists its pods).
        InputError: a policy or inventory object is malformed, or a bad port or protocol.
    """
    _assert_flow(False, policies, src, dst, port, protocol, inventory)


def _expectations(expected: ExpectationFile | Mapping[str, Any] | str | Path) -> ExpectationFile:
    from podfence.expectations import load_expectations

    if isinstance(expected, ExpectationFile):
        return expected
    if isinstance(expected, str | Path):
        return load_expectations(Path(expected))
    try:
        return ExpectationFile.model_validate(dict(expected))
    except ValidationError as error:
        raise ConfigError(f"expectations: {_entry_error(error, dict(expected))}") from error


def assert_matrix(
    policies: Sequence[Mapping[str, Any]],
    expected: ExpectationFile | Mapping[str, Any] | str | Path,
    inventory: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Assert every expectation of ``expected``, as ``podfence check`` does, at once.

    Args:
        policies: policy manifests, as for :func:`assert_allowed`.
        expected: ``{"allow": [...], "deny": [...]}``, each entry ``{from, to, port,
            protocol?, why?}``, in the format of ``podfence check`` (see
            :mod:`podfence.expectations`); or the path of such a YAML file; or an
            :class:`~podfence.expectations.ExpectationFile`.
        inventory: Namespace and Pod objects; omitted, derived from the policies
            (:func:`policy_inventory`).

    Raises:
        AssertionError: one or more expectations fail (one message listing each failure with
            its explanation), or one names a pod not in the inventory (the message lists its
            pods).
        ConfigError: the expectations are invalid.
    """
    expectations = _expectations(expected)
    cluster = _cluster(policies, inventory)
    try:
        outcomes = check_expectations(expectations, cluster.policies, cluster.inventory)
    except InputError as error:
        raise _unknown(error, cluster) from None
    failures = [describe_failure(outcome) for outcome in outcomes if not outcome.passed]
    if failures:
        head = f"{len(failures)} of {len(outcomes)} expectations failed:"
        raise AssertionError("\n".join([head, *failures]))
