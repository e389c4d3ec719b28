"""The Analyzer: policies and an inventory in; one verdict, or the whole matrix, out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from podfence.errors import InputError
from podfence.reachability.context import origin_of, short
from podfence.reachability.model import (
    Address,
    External,
    Namespace,
    Pod,
    implicit_namespace,
    parse_address,
    parse_namespace,
    parse_pod,
)
from podfence.reachability.policy import API_VERSIONS, Policy, parse_policy
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.verdict import DirectionVerdict, RuleMiss, Verdict

if TYPE_CHECKING:
    from podfence.reachability.matrix import Matrix

__all__ = ["Analyzer"]


def _api_version(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("apiVersion")
    return value if isinstance(value, str) else None


class Analyzer:
    """Evaluates NetworkPolicies (networking.k8s.io/v1) against an inventory of pods.

    Args:
        objects: Kubernetes objects as dicts: NetworkPolicy, Namespace and Pod (apiVersion v1);
            every other kind, and NetworkPolicies of other API groups (e.g. Calico's), are
            ignored. A pod whose namespace has no Namespace object gets one with only the
            ``kubernetes.io/metadata.name`` label.
        externals: addresses outside the cluster to use as sources in :meth:`matrix`; none when
            omitted. An address is always evaluated as a non-pod source, even if a pod has it.

    Raises:
        InputError: a malformed object (one line: file, object, field, bad value), a pod,
            namespace or policy listed twice, or an external that is not an address.

    Attributes:
        namespaces: by name, with their labels.
        pods: sorted by namespace and name.
        policies: compiled, in input order.
        externals: the external sources, duplicates dropped.
    """

    def __init__(self, objects: Iterable[Mapping[str, Any]], externals: Iterable[str] = ()) -> None:
        namespaces: dict[str, Namespace] = {}
        pods: dict[str, Pod] = {}
        policies: dict[tuple[str, str], Policy] = {}
        seen: dict[tuple[str, str], str] = {}
        for obj in objects:
            if not isinstance(obj, Mapping):
                raise InputError(f"expected a Kubernetes object (a map), got {short(obj)}")
            kind = obj.get("kind")
            if kind == "Pod" and _api_version(obj) in (None, "v1"):
                pod = parse_pod(obj)
                self._once(seen, ("Pod", pod.key), obj)
                pods[pod.key] = pod
            elif kind == "Namespace" and _api_version(obj) in (None, "v1"):
                namespace = parse_namespace(obj)
                self._once(seen, ("Namespace", namespace.name), obj)
                namespaces[namespace.name] = namespace
            elif kind == "NetworkPolicy" and _api_version(obj) in (None, *API_VERSIONS):
                policy = parse_policy(obj)
                self._once(seen, ("NetworkPolicy", str(policy.ref)), obj)
                policies[(policy.namespace, policy.name)] = policy
        for pod in pods.values():
            if pod.namespace not in namespaces:
                namespaces[pod.namespace] = implicit_namespace(pod.namespace)
        self.namespaces: dict[str, Namespace] = namespaces
        self.pods: tuple[Pod, ...] = tuple(
            sorted(pods.values(), key=lambda p: (p.namespace, p.name))
        )
        self.policies: tuple[Policy, ...] = tuple(policies.values())
        addresses: dict[Address, None] = {}
        for text in externals:
            addresses.setdefault(parse_address(text, None, "--external"))
        self.externals: tuple[External, ...] = tuple(External(a) for a in addresses)
        self._pods = pods
        self._policies_in: dict[str, list[Policy]] = {}
        for policy in self.policies:
            self._policies_in.setdefault(policy.namespace, []).append(policy)

    @staticmethod
    def _once(
        seen: dict[tuple[str, str], str], key: tuple[str, str], obj: Mapping[str, Any]
    ) -> None:
        origin = origin_of(obj) or "the input"
        first = seen.get(key)
        if first is not None:
            raise InputError(f"{key[0]} {key[1]} appears twice (in {first} and {origin})")
        seen[key] = origin

    # -- lookups -------------------------------------------------------------------------------

    def pod(self, key: str) -> Pod:
        """The pod named ``namespace/name`` (a bare name means namespace "default").

        Raises:
            InputError: no such pod; the message suggests close matches.
        """
        full = key if "/" in key else f"default/{key}"
        pod = self._pods.get(full)
        if pod is None:
            import difflib  # only on this error path: keep start-up lean

            close = difflib.get_close_matches(full, list(self._pods), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputError(f"no pod {key!r} in the inventory{hint}")
        return pod

    def _source(self, source: str) -> Pod | External:
        if "/" in source:
            return self.pod(source)
        try:
            return External(parse_address(source))
        except InputError:
            pass
        try:
            return self.pod(source)
        except InputError as error:
            _, _, hint = str(error).partition(";")
            raise InputError(
                f"source {source!r} is neither a pod (namespace/name) nor an IP address"
                + (f";{hint}" if hint else "")
            ) from None

    @staticmethod
    def _port(destination: Pod, port: int | str, protocol: str) -> int:
        if isinstance(port, int) and not isinstance(port, bool):
            number = port
        elif isinstance(port, str) and port.isdigit():
            number = int(port)
        elif isinstance(port, str):
            declared = [p for p in destination.ports if p.name == port]
            for candidate in declared:
                if candidate.protocol == protocol:
                    return candidate.port
            if declared:
                found = declared[0].describe()
                raise InputError(f"port {port!r} of {destination.key} is {found}, not {protocol}")
            names = sorted({p.name for p in destination.ports if p.name})
            known = f" (it names: {', '.join(names)})" if names else " (it names no ports)"
            raise InputError(f"pod {destination.key} has no port named {port!r}{known}")
        else:
            raise InputError(f"port {short(port)} is not a port number or name")
        if not 1 <= number <= 65535:
            raise InputError(f"port {number} is not a port number (1-65535)")
        return number

    # -- one flow ------------------------------------------------------------------------------

    def evaluate(
        self, source: str, destination: str, port: int | str, protocol: str = "TCP"
    ) -> Verdict:
        """Whether ``source`` may connect to ``destination`` on ``port``, and why.

        Steps (NetworkPolicy v1):

        1. Ingress at the destination: the policies of its namespace that select it and have
           Ingress in their policyTypes isolate it; if none, ingress is allowed; otherwise it is
           allowed when some ingress rule of theirs matches the source and the port.
        2. Egress at the source, when it is a pod: the same with its namespace's Egress policies,
           their egress rules matching the destination and the port.
        3. The connection is allowed when both directions allow it.

        Args:
            source: ``namespace/pod``, or an IP address (a source outside the cluster: only
                ipBlocks match it and no egress policy applies).
            destination: ``namespace/pod``.
            port: a number, or a name resolved on the destination pod's containerPorts.
            protocol: TCP (the default), UDP or SCTP.

        Raises:
            InputError: an unknown pod (with close matches), a bad address, protocol or port.
        """
        if protocol not in PROTOCOLS:
            raise InputError(f"unsupported protocol {protocol!r} (expected {', '.join(PROTOCOLS)})")
        target = self.pod(destination)
        origin = self._source(source)
        number = self._port(target, port, protocol)
        if isinstance(origin, Pod):
            other_ns: str | None = origin.namespace
            origin_labels: Mapping[str, str] = origin.labels
            origin_ns_labels = self.namespaces[origin.namespace].labels
            origin_ips: tuple[Address, ...] = origin.ips
        else:
            other_ns, origin_labels, origin_ns_labels = None, {}, {}
            origin_ips = (origin.address,)
        ingress = self._direction(
            "ingress",
            target,
            (other_ns, origin_labels, origin_ns_labels, origin_ips),
            origin.key,
            number,
            protocol,
            target,
        )
        egress = None
        if isinstance(origin, Pod):
            egress = self._direction(
                "egress",
                origin,
                (
                    target.namespace,
                    target.labels,
                    self.namespaces[target.namespace].labels,
                    target.ips,
                ),
                target.key,
                number,
                protocol,
                target,
            )
        return Verdict(origin.key, target.key, number, protocol, ingress, egress)

    def _direction(
        self,
        direction: str,
        subject: Pod,
        other: tuple[str | None, Mapping[str, str], Mapping[str, str], tuple[Address, ...]],
        other_name: str,
        port: int,
        protocol: str,
        destination: Pod,
    ) -> DirectionVerdict:
        policies = [
            policy
            for policy in self._policies_in.get(subject.namespace, ())
            if policy.rules(direction) is not None and policy.pod_selector.matches(subject.labels)
        ]
        if not policies:
            return DirectionVerdict(isolated=False)
        allowed, misses = [], []
        for policy in policies:
            for rule in policy.rules(direction) or ():
                peer_ok = rule.peer_matches(*other)
                port_ok = rule.port_matches(port, protocol, destination.ports)
                if peer_ok and port_ok:
                    allowed.append(rule.ref)
                    continue
                reasons = []
                if not peer_ok:
                    reasons.append(f"{other_name} does not match {rule.describe_peers()}")
                if not port_ok:
                    reasons.append(f"{port}/{protocol} does not match {rule.describe_ports()}")
                misses.append(RuleMiss(rule.ref, " and ".join(reasons)))
        return DirectionVerdict(
            isolated=True,
            policies=tuple(policy.ref for policy in policies),
            allowed_by=tuple(allowed),
            not_matching=tuple(misses),
        )

    # -- every flow ----------------------------------------------------------------------------

    def matrix(
        self, allowed_only: bool = False, extra_ports: Sequence[tuple[int, str]] = ()
    ) -> Matrix:
        """Every flow: each source (every pod, then every external) x each other pod x its ports.

        Args:
            allowed_only: keep only the allowed flows (default: allowed and denied).
            extra_ports: (port, protocol) pairs to evaluate on every destination besides its
                declared containerPorts; none by default, so pods without declared ports then
                receive no flows (see :attr:`Matrix.pods_without_ports`).

        Raises:
            InputError: an extra port out of range or with an unknown protocol.
        """
        from podfence.reachability.matrix import Matrix

        for port, protocol in extra_ports:
            if not 1 <= port <= 65535 or protocol not in PROTOCOLS:
                raise InputError(f"extra port {port}/{protocol} is not a port number and protocol")
        return Matrix(self, allowed_only=allowed_only, extra_ports=tuple(extra_ports))
