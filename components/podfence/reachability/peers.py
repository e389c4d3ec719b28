"""Peers of a rule (``from`` / ``to`` entries): pods by selectors, or addresses by ipBlock."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podfence.reachability.context import ObjectContext, short
from podfence.reachability.model import NAME_LABEL, Address
from podfence.reachability.selectors import LabelSelector, parse_selector
from podfence.reachability.traffic import Endpoint

__all__ = ["IpBlockPeer", "Network", "Peer", "PodPeer", "parse_peer"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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

    def describe(self) -> str:
        """``10.0.0.0/8`` or ``10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16``."""
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


def _network(raw: Any, context: ObjectContext, field: str) -> Network:
    if not isinstance(raw, str):
        raise context.error(field, f"expected a CIDR such as 10.0.0.0/8, got {short(raw)}")
    if "/" not in raw:
        suffix = "/128" if ":" in raw else "/32"
        raise context.error(
            field, f"CIDR mask is missing in {raw!r}. Did you mean {raw + suffix!r}?"
        )
    try:
        # Kubernetes parses with Go's net.ParseCIDR, which accepts host bits (10.0.0.1/8).
        return ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise context.error(field, f"{raw!r} is not a valid CIDR") from None


def _ip_block(raw: Any, context: ObjectContext, field: str) -> IpBlockPeer:
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a map with cidr, got {short(raw)}")
    unknown = sorted(set(raw) - {"cidr", "except"})
    if unknown:
        raise context.error(f"{field}.{unknown[0]}", "unknown field (expected cidr, except)")
    cidr = _network(raw.get("cidr"), context, f"{field}.cidr")
    excepts_raw = raw.get("except") or []
    if not isinstance(excepts_raw, list):
        raise context.error(
            f"{field}.except", f"expected a list of CIDRs, got {short(excepts_raw)}"
        )
    excepts: list[Network] = []
    for index, item in enumerate(excepts_raw):
        where = f"{field}.except[{index}]"
        excluded = _network(item, context, where)
        if excluded.version != cidr.version:
            raise context.error(
                where, f"{item!r} is IPv{excluded.version} but cidr {cidr} is IPv{cidr.version}"
            )
        if not excluded.subnet_of(cidr) or excluded.prefixlen <= cidr.prefixlen:  # type: ignore[arg-type]
            raise context.error(where, f"{item!r} is not strictly inside cidr {cidr}")
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

    Args:
        raw: the entry.
        own_namespace: the policy's namespace (cases 2 and 3).
        context: the policy, for errors.
        field: the entry's path, e.g. ``spec.ingress[0].from[1]``.

    Raises:
        InputError: an empty entry, ipBlock combined with a selector, a bad selector or CIDR.
    """
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a peer map, got {short(raw)}")
    unknown = sorted(set(raw) - {"podSelector", "namespaceSelector", "ipBlock"})
    if unknown:
        raise context.error(
            f"{field}.{unknown[0]}",
            "unknown field (expected podSelector, namespaceSelector, ipBlock)",
        )
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
