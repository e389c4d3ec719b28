"""Peers of a rule (``from`` / ``to`` entries): pods by selectors, or addresses by ipBlock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podfence import internet
from podfence.reachability.context import ObjectContext, short
from podfence.reachability.model import NAME_LABEL, Address
from podfence.reachability.selectors import LabelSelector, parse_selector
from podfence.reachability.traffic import Endpoint
from podfence.validation import Network, except_problem, parse_cidr

__all__ = [
    "IpBlockPeer",
    "Network",
    "Peer",
    "PodPeer",
    "describe_peers",
    "excluded_from",
    "parse_peer",
]


_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_IP_BLOCK_FIELDS = frozenset({"cidr", "except"})


@dataclass(frozen=True)
class IpBlockPeer:
    """``ipBlock``: the addresses in ``cidr`` but in none of ``excepts``.

    Semantics: it matches by address, external sources and pod IPs alike (a pod matches when one
    of its IPs does). Each ``except`` lies strictly inside ``cidr`` and is of the same family.
    """

    cidr: Network
    excepts: tuple[Network, ...] = ()

    def contains(self, address: Address) -> bool:
        """Whether ``address`` is inside ``cidr`` and outside every ``except``."""
        if address.version != self.cidr.version or address not in self.cidr:
            return False
        return not any(address in excluded for excluded in self.excepts)

    def matches(self, endpoint: Endpoint) -> bool:
        """Whether one of the endpoint's addresses (a pod's IPs, or the address) is in the block."""
        return any(self.contains(address) for address in endpoint.ips)

    def reads_namespace_labels(self, endpoint: Endpoint) -> bool:
        """False: an ipBlock reads addresses, never labels."""
        return False

    @property
    def public_internet(self) -> int | None:
        """The IP version when this block is that version's public internet (``0.0.0.0/0`` or
        ``::/0`` except exactly the ranges :mod:`podfence.internet` derives), else None."""
        return internet.family_of(self.cidr, self.excepts)

    def describe(self) -> str:
        """``10.0.0.0/8`` or ``10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16``; ``the public IPv4
        internet (0.0.0.0/0 except private, ... ranges)`` for the public internet."""
        version = self.public_internet
        if version is not None:
            return internet.describe([version])
        if not self.excepts:
            return str(self.cidr)
        return f"{self.cidr} except {', '.join(str(e) for e in self.excepts)}"


@dataclass(frozen=True)
class PodPeer:
    """Pods chosen by namespace and labels, with the defaults already settled.

    Exactly one of ``namespace`` and ``namespace_selector`` is set: ``namespace`` is the
    policy's own namespace (the peer had no namespaceSelector); ``namespace_selector`` selects
    namespaces by their labels (empty: all namespaces). ``pod_selector`` selects pods in those
    namespaces (empty: all of them).
    """

    pod_selector: LabelSelector
    namespace: str | None = None
    namespace_selector: LabelSelector | None = None

    def namespace_matches(self, namespace: str, namespace_labels: Mapping[str, str]) -> bool:
        """The namespace part: the policy's own namespace, or the namespaceSelector's."""
        if self.namespace_selector is None:
            return namespace == self.namespace
        return self.namespace_selector.matches(namespace_labels)

    def matches(self, endpoint: Endpoint) -> bool:
        """Whether ``endpoint`` is a pod this peer selects (an address never is).

        Semantics: the namespace part and the pod part must both match (AND).
        """
        namespace = endpoint.namespace
        return (
            namespace is not None
            and self.namespace_matches(namespace, endpoint.namespace_labels)
            and self.pod_selector.matches(endpoint.labels)
        )

    def reads_namespace_labels(self, endpoint: Endpoint) -> bool:
        """Whether matching ``endpoint`` turns on its namespace's labels beyond its name.

        True when the peer has a namespaceSelector on some label other than
        ``kubernetes.io/metadata.name`` (which the API server sets on every namespace) and the
        pod part matches (else the namespace part cannot change the outcome).
        """
        selector = self.namespace_selector
        if selector is None or endpoint.namespace is None:
            return False
        keys = [key for key, _ in selector.match_labels]
        keys += [requirement.key for requirement in selector.requirements]
        return any(key != NAME_LABEL for key in keys) and self.pod_selector.matches(endpoint.labels)

    def describe(self) -> str:
        """``pods app=web in namespace shop``, ``all pods in namespaces team=a`` ...

        A namespaceSelector on ``kubernetes.io/metadata.name`` alone reads as that namespace.
        """
        pods = (
            f"pods {self.pod_selector.describe()}" if not self.pod_selector.is_empty else "all pods"
        )
        if self.namespace_selector is None:
            return f"{pods} in namespace {self.namespace}"
        by_name = self.namespace_selector
        if not by_name.requirements and len(by_name.match_labels) == 1:
            key, value = by_name.match_labels[0]
            if key == NAME_LABEL:
                return f"{pods} in namespace {value}"
        if self.namespace_selector.is_empty:
            return f"{pods} in all namespaces"
        return f"{pods} in namespaces {self.namespace_selector.describe()}"


Peer = PodPeer | IpBlockPeer


def describe_peers(peers: Sequence[Peer]) -> str:
    """The peers in words, ORed; the public internet's IPv4 and IPv6 blocks read as one,
    ``the public internet (0.0.0.0/0 and ::/0 except ...)``, where the first of them stands."""
    internets = {
        index: version
        for index, peer in enumerate(peers)
        if isinstance(peer, IpBlockPeer) and (version := peer.public_internet) is not None
    }
    both = set(internets.values()) == {4, 6}
    words: list[str] = []
    for index, peer in enumerate(peers):
        if both and index in internets:
            if index == min(internets):
                words.append(internet.describe([4, 6]))
            continue
        words.append(peer.describe())
    return " or ".join(words)


def excluded_from(peers: Sequence[Peer], endpoint: Endpoint) -> str | None:
    """Why the public internet among ``peers`` excludes ``endpoint``, or None.

    ``it is excluded as link-local (169.254.0.0/16, cloud metadata included)`` for an address;
    ``its IP 10.244.1.5 is excluded as private (10.0.0.0/8)`` for a pod. None when no peer is
    a public internet block of the endpoint's address family, or the endpoint is in it.
    """
    versions = {
        version
        for peer in peers
        if isinstance(peer, IpBlockPeer) and (version := peer.public_internet) is not None
    }
    for address in endpoint.ips:
        why = internet.excluded_as(address) if address.version in versions else None
        if why is not None:
            whose = "it" if endpoint.namespace is None else f"its IP {address}"
            return f"{whose} is excluded as {why}"
    return None


def _network(raw: Any, context: ObjectContext, field: str) -> Network:
    if not isinstance(raw, str):
        raise context.error(field, f"expected a CIDR such as 10.0.0.0/8, got {short(raw)}")
    parsed = parse_cidr(raw)
    if isinstance(parsed, str):
        raise context.invalid(field, raw, parsed)
    return parsed


def _ip_block(raw: Any, context: ObjectContext, field: str) -> IpBlockPeer:
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a map with cidr, got {short(raw)}")
    unknown = raw.keys() - _IP_BLOCK_FIELDS
    if unknown:
        raise context.unknown(field, unknown, "cidr, except")
    cidr = _network(raw.get("cidr"), context, f"{field}.cidr")
    excepts: list[Network] = []
    listed = context.sequence(raw.get("except"), f"{field}.except", "a list of CIDRs")
    for index, item in enumerate(listed):
        where = f"{field}.except[{index}]"
        excluded = _network(item, context, where)
        problem = except_problem(excluded, cidr)
        if problem is not None:
            raise context.invalid(where, item, problem)
        excepts.append(excluded)
    return IpBlockPeer(cidr, tuple(excepts))


def parse_peer(raw: Any, own_namespace: str, context: ObjectContext, field: str) -> Peer:
    """Compile one ``from``/``to`` entry, settling what an absent selector means.

    The combinations (NetworkPolicyPeer; an entry with ipBlock may have nothing else):

    ====  ============  =================  =========================================
    case  podSelector   namespaceSelector  selects
    ====  ============  =================  =========================================
    1     absent        absent             invalid: a peer must say something
    2     empty {}      absent             every pod in the policy's namespace
    3     set           absent             matching pods in the policy's namespace
    4     absent        empty {}           every pod in every namespace
    5     absent        set                every pod in matching namespaces
    6     empty {}      empty {}           every pod in every namespace
    7     set           empty {}           matching pods in every namespace
    8     set / empty   set                matching pods in matching namespaces (AND)
    9     ipBlock only                     addresses in cidr minus except, pods by IP
    ====  ============  =================  =========================================

    A null entry (``from: [~]``) is an empty one (case 1), as the API server decodes it; a null
    podSelector or namespaceSelector is an absent one.

    Args:
        raw: the entry.
        own_namespace: the policy's namespace (cases 2 and 3).
        context: the policy, for errors.
        field: the entry's path, e.g. ``spec.ingress[0].from[1]``.

    Raises:
        InputError: an empty entry, ipBlock combined with a selector, a bad selector or CIDR.
    """
    if raw is None:  # a null entry decodes to an empty peer, as the API server decodes it
        raw = {}
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a peer map, got {short(raw)}")
    unknown = raw.keys() - _PEER_FIELDS
    if unknown:
        raise context.unknown(field, unknown, "podSelector, namespaceSelector, ipBlock")
    present = [
        key for key in ("podSelector", "namespaceSelector", "ipBlock") if raw.get(key) is not None
    ]
    if not present:  # case 1
        raise context.error(field, "a peer needs podSelector, namespaceSelector or ipBlock")
    if "ipBlock" in present:  # case 9
        if len(present) > 1:
            raise context.error(
                field, "ipBlock cannot be combined with podSelector or namespaceSelector"
            )
        return _ip_block(raw["ipBlock"], context, f"{field}.ipBlock")
    pods = parse_selector(raw.get("podSelector"), context, f"{field}.podSelector")
    if "namespaceSelector" not in present:  # cases 2, 3
        return PodPeer(pods, namespace=own_namespace)
    namespaces = parse_selector(raw["namespaceSelector"], context, f"{field}.namespaceSelector")
    return PodPeer(pods, namespace_selector=namespaces)  # cases 4-8
