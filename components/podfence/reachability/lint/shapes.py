"""Rule shapes that open a policy wide, read from the rules alone: every namespace, every pod,
every port, every address.

Each shape is written once here, and `podfence lint` and the CrossGuard policy pack both ask
these predicates; what a tool reports them for (which rules, of which policies) stays its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from podfence.reachability.isolation import PEER_FIELDS
from podfence.reachability.model import NAME_LABEL
from podfence.reachability.peers import IpBlockPeer, Network, Peer, PodPeer
from podfence.reachability.policy import Rule
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.selectors import LabelSelector

__all__ = [
    "Anywhere",
    "covered",
    "every_address",
    "every_namespace",
    "every_pod",
    "every_pod_peers",
    "every_port",
    "spans",
]

_FIRST_PORT, _LAST_PORT = 1, 65535
_WHOLE: dict[int, Network] = {
    4: ipaddress.IPv4Network("0.0.0.0/0"),
    6: ipaddress.IPv6Network("::/0"),
}


def covered(stretches: Iterable[tuple[int, int]], first: int, last: int) -> bool:
    """Whether the inclusive ranges ``stretches`` together hold every number of first..last."""
    reach = first
    for low, high in sorted(stretches):
        if low > reach:
            break
        reach = max(reach, high + 1)
        if reach > last:
            return True
    return reach > last


def spans(networks: Iterable[Network], target: Network) -> bool:
    """Whether ``networks`` (those of ``target``'s family) together hold every address of
    ``target``."""
    return covered(
        (
            (int(network.network_address), int(network.broadcast_address))
            for network in networks
            if network.version == target.version
        ),
        int(target.network_address),
        int(target.broadcast_address),
    )


def every_namespace(selector: LabelSelector) -> bool:
    """Whether a namespaceSelector selects every namespace.

    It does when it is empty, or when its only requirements are that ``kubernetes.io/metadata.name``
    exists: the API server sets that label on every namespace. Any other requirement (a
    matchLabels pair, In, NotIn, DoesNotExist, Exists of another key) can leave a namespace out.
    """
    if selector.match_labels:
        return False
    return all(
        requirement.key == NAME_LABEL and requirement.operator == "Exists"
        for requirement in selector.requirements
    )


def every_pod(peer: Peer) -> bool:
    """Whether a peer admits every pod of every namespace: a namespaceSelector that selects
    every namespace (:func:`every_namespace`) and an empty or absent podSelector.

    A peer without namespaceSelector is the policy's own namespace only; an ipBlock matches by
    address (see :func:`every_address`).
    """
    return (
        isinstance(peer, PodPeer)
        and peer.namespace_selector is not None
        and every_namespace(peer.namespace_selector)
        and peer.pod_selector.is_empty
    )


def every_pod_peers(rule: Rule) -> list[int | None]:
    """Where ``rule`` admits every pod of every namespace: the index of each peer that does
    (:func:`every_pod`), or ``[None]`` for a rule without peers (``from``/``to`` absent or
    ``[]``), which admits every source: every pod and every address."""
    if rule.peers is None:
        return [None]
    return [index for index, peer in enumerate(rule.peers) if every_pod(peer)]


def _protocol_covered(rule: Rule, protocol: str) -> str | None:
    """Why ``rule``'s ports cover every port of ``protocol``, in words, or None."""
    mine = [
        (index, port) for index, port in enumerate(rule.ports or ()) if port.protocol == protocol
    ]
    for index, port in mine:
        if port.port is None:
            return f"ports[{index}] has no port"
    ranges = [
        (index, port.port, port.end_port if port.end_port is not None else port.port)
        for index, port in mine
        if isinstance(port.port, int)
    ]
    for index, low, high in ranges:
        if covered([(low, high)], _FIRST_PORT, _LAST_PORT):
            return f"ports[{index}] is {_FIRST_PORT}-{_LAST_PORT}"
    if covered(((low, high) for _, low, high in ranges), _FIRST_PORT, _LAST_PORT):
        listed = ", ".join(f"ports[{index}]" for index, _, _ in ranges)
        return f"{listed} together cover {_FIRST_PORT}-{_LAST_PORT}"
    return None


def every_port(rule: Rule) -> str | None:
    """Which protocols ``rule`` opens on every port, in words; None when it opens none so.

    A rule covers every port of a protocol when it has no ports (every port of every
    protocol), or an entry of that protocol without a port number, or numeric entries of that
    protocol whose ranges together cover 1-65535. A named port never does (it resolves to the
    ports the destination declares with that name).

    Returns:
        ``every port of every protocol (no ports)``, ``every TCP port (ports[0] has no port)``,
        ``every UDP port (ports[1], ports[2] together cover 1-65535)``; several protocols
        joined with ``and``.
    """
    if rule.ports is None:
        return "every port of every protocol (no ports)"
    found = []
    for protocol in PROTOCOLS:
        why = _protocol_covered(rule, protocol)
        if why is not None:
            found.append(f"every {protocol} port ({why})")
    return " and ".join(found) or None


@dataclass(frozen=True)
class Anywhere:
    """How a rule admits every address of an IP family (see :func:`every_address`).

    Attributes:
        side: ``from`` (an ingress rule) or ``to`` (an egress rule).
        version: 4 or 6; None for a rule without peers, which admits every source (or, an
            egress rule, every destination): both families, and every pod of every namespace.
        peers: the ipBlock peers that do it, with their index in the rule's ``from``/``to``:
            one whose cidr is the family's whole space, or several whose cidrs together span
            it; empty when ``version`` is None.
    """

    side: str
    version: int | None
    peers: tuple[tuple[int, IpBlockPeer], ...] = ()

    def describe(self, subject: str = "it", peer: Callable[[int], str] = "peer {}".format) -> str:
        """In words, naming the rule ``subject`` and a peer by ``peer(index)``.

        ``it has no from, so it admits every source: ...``, ``peer 0 (0.0.0.0/0) admits every
        IPv4 address (its except entries keep out only 10.0.0.0/8)``, ``peer 0 (0.0.0.0/1),
        peer 1 (128.0.0.0/1) together admit every IPv4 address``.
        """
        if self.version is None:
            end = "source" if self.side == "from" else "destination"
            return (
                f"{subject} has no {self.side}, so it admits every {end}: every address outside "
                "the cluster and every pod of every namespace"
            )
        whole = f"every IPv{self.version} address"
        if len(self.peers) == 1:
            index, block = self.peers[0]
            holes = (
                f" (its except entries keep out only {', '.join(str(e) for e in block.excepts)})"
                if block.excepts
                else ""
            )
            return f"{peer(index)} ({block.cidr}) admits {whole}{holes}"
        listed = ", ".join(f"{peer(index)} ({block.describe()})" for index, block in self.peers)
        return f"{listed} together admit {whole}"


def every_address(rule: Rule) -> list[Anywhere]:
    """Where ``rule`` admits every address of an IP family.

    A rule without peers admits every source. Otherwise, per family: an ipBlock whose cidr is
    the whole space (``0.0.0.0/0``, ``::/0``), excepts or not (they carve holes; the rest of
    the internet stays admitted), or else ipBlocks whose cidrs together span the family.
    """
    side = PEER_FIELDS[rule.direction]
    if rule.peers is None:
        return [Anywhere(side, None)]
    found = []
    blocks = [(i, p) for i, p in enumerate(rule.peers) if isinstance(p, IpBlockPeer)]
    for version, whole in _WHOLE.items():
        mine = tuple((i, p) for i, p in blocks if p.cidr.version == version)
        single = [(i, p) for i, p in mine if p.cidr == whole]
        if single:
            found.append(Anywhere(side, version, (single[0],)))
        elif mine and spans((p.cidr for _, p in mine), whole):
            found.append(Anywhere(side, version, mine))
    return found
