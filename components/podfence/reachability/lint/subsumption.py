"""Whether one rule admits everything another does on any inventory, read from the rules alone.

Only a sufficient test, to say when a redundancy the engine proved on one inventory holds on
every inventory: it answers True only when each part of the covering rule (its policy's
selection, its peers, its ports) includes the other's part for every possible pod, namespace
and address.
"""

from __future__ import annotations

from podfence.reachability.model import NAME_LABEL
from podfence.reachability.peers import IpBlockPeer, Network, Peer, PodPeer
from podfence.reachability.policy import Policy, Rule
from podfence.reachability.ports import PortRule
from podfence.reachability.selectors import LabelSelector

__all__ = ["covers", "selector_includes"]


def selector_includes(wide: LabelSelector, narrow: LabelSelector) -> bool:
    """Whether every object ``narrow`` selects, ``wide`` selects too (when each requirement of
    ``wide`` is one of ``narrow``'s)."""
    return set(wide.match_labels) <= set(narrow.match_labels) and set(wide.requirements) <= set(
        narrow.requirements
    )


def _namespaces(peer: PodPeer) -> LabelSelector:
    """The peer's namespace part as a selector: its own namespace is ``kubernetes.io/metadata.name``
    equal to its name, a label every namespace carries."""
    if peer.namespace_selector is not None:
        return peer.namespace_selector
    return LabelSelector(((NAME_LABEL, peer.namespace or ""),))


def _within(inner: Network, outer: Network) -> bool:
    """Whether every address of ``inner`` is in ``outer`` (False across families)."""
    return (
        inner.version == outer.version
        and int(outer.network_address) <= int(inner.network_address)
        and int(inner.broadcast_address) <= int(outer.broadcast_address)
    )


def _overlap(one: Network, other: Network) -> bool:
    """Whether two networks share an address (False across families)."""
    return (
        one.version == other.version
        and int(one.network_address) <= int(other.broadcast_address)
        and int(other.network_address) <= int(one.broadcast_address)
    )


def _peer_includes(wide: Peer, narrow: Peer) -> bool:
    if isinstance(wide, IpBlockPeer) and isinstance(narrow, IpBlockPeer):
        if not _within(narrow.cidr, wide.cidr):
            return False
        return all(
            not _overlap(hole, narrow.cidr) or any(_within(hole, gap) for gap in narrow.excepts)
            for hole in wide.excepts
        )
    if isinstance(wide, PodPeer) and isinstance(narrow, PodPeer):
        return selector_includes(_namespaces(wide), _namespaces(narrow)) and selector_includes(
            wide.pod_selector, narrow.pod_selector
        )
    return False


def _port_includes(wide: PortRule, narrow: PortRule) -> bool:
    if wide.protocol != narrow.protocol:
        return False
    if wide.port is None:
        return True
    if isinstance(wide.port, str) or isinstance(narrow.port, str) or narrow.port is None:
        return wide.port == narrow.port and wide.end_port == narrow.end_port
    wide_end = wide.end_port if wide.end_port is not None else wide.port
    narrow_end = narrow.end_port if narrow.end_port is not None else narrow.port
    return wide.port <= narrow.port and narrow_end <= wide_end


def covers(wide: Rule, wide_policy: Policy, narrow: Rule, narrow_policy: Policy) -> bool:
    """Whether ``wide`` (of ``wide_policy``) admits every connection ``narrow`` (of
    ``narrow_policy``) admits, whatever the pods, namespaces and addresses.

    True when both are rules of one direction in one namespace, ``wide_policy`` selects every
    pod ``narrow_policy`` selects (and so isolates it for that direction too), each peer of
    ``narrow`` is included in a peer of ``wide`` (or ``wide`` has no peers) and each of its
    ports in a port of ``wide`` (or ``wide`` has no ports).
    """
    if wide.direction != narrow.direction or wide_policy.namespace != narrow_policy.namespace:
        return False
    if not selector_includes(wide_policy.pod_selector, narrow_policy.pod_selector):
        return False
    if wide.peers is not None:
        if narrow.peers is None:
            return False
        if not all(any(_peer_includes(w, n) for w in wide.peers) for n in narrow.peers):
            return False
    if wide.ports is not None:
        if narrow.ports is None:
            return False
        if not all(any(_port_includes(w, n) for w in wide.ports) for n in narrow.ports):
            return False
    return True
