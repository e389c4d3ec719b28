"""The peers and ports only cluster-wide policies have: nodes, domain names, ports by name alone.

The other peers of an AdminNetworkPolicy are NetworkPolicy's, with their defaults settled:
``namespaces`` and ``pods`` are :class:`~podfence.reachability.peers.PodPeer` values and each CIDR
of ``networks`` is an :class:`~podfence.reachability.peers.IpBlockPeer` without exceptions;
``portNumber`` and ``portRange`` are :class:`~podfence.reachability.ports.PortRule` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podfence.reachability.model import External
from podfence.reachability.ports import ContainerPort
from podfence.reachability.selectors import LabelSelector
from podfence.reachability.traffic import Endpoint

__all__ = ["DomainNamesPeer", "NamedPort", "NodePeer"]


@dataclass(frozen=True)
class NodePeer:
    """``nodes``: the nodes whose labels the selector matches (empty: every node).

    Semantics: it matches traffic to an address of a selected node (its ``InternalIP`` or
    ``ExternalIP``), as the inventory's Node objects give them; never a pod, not even one on
    the host network (whose IP is taken to be the pod's), and never an address of no known node.
    """

    selector: LabelSelector

    def matches(self, endpoint: Endpoint) -> bool:
        """Whether ``endpoint`` is an address of a node the selector selects."""
        node = endpoint.node if isinstance(endpoint, External) else None
        return node is not None and self.selector.matches(node.labels)

    def reads_namespace_labels(self, endpoint: Endpoint) -> bool:
        """False: nodes are in no namespace."""
        return False

    def describe(self) -> str:
        """``nodes role=worker``, or ``all nodes``."""
        return "all nodes" if self.selector.is_empty else f"nodes {self.selector.describe()}"


@dataclass(frozen=True)
class DomainNamesPeer:
    """``domainNames``: destinations by DNS name, which only a cluster's resolver can map to IPs.

    Semantics (assumed, and warned about when the policy is read): offline there is no
    resolution, so the peer matches no address; a rule with only this peer decides nothing.
    """

    names: tuple[str, ...]

    def matches(self, endpoint: Endpoint) -> bool:
        """False: no address is known to belong to a domain name offline."""
        return False

    def reads_namespace_labels(self, endpoint: Endpoint) -> bool:
        """False: names are not labels."""
        return False

    def describe(self) -> str:
        """``domain names example.com, *.example.org (not resolved offline)``."""
        return f"domain names {', '.join(self.names)} (not resolved offline)"


@dataclass(frozen=True)
class NamedPort:
    """``namedPort``: a port by the name the destination pod gives it, whatever its protocol.

    Semantics: it matches traffic to a containerPort of the destination pod with that name, that
    number and that protocol (a NetworkPolicy's named port also fixes the protocol; this one
    takes the pod's). An address outside the cluster declares no ports and never matches.
    """

    name: str

    def matches(
        self, port: int, protocol: str, destination_ports: Sequence[ContainerPort] = ()
    ) -> bool:
        """Whether ``port``/``protocol`` is the destination's port of this name."""
        return any(
            declared.name == self.name and declared.port == port and declared.protocol == protocol
            for declared in destination_ports
        )

    def describe(self) -> str:
        """``port http`` (on its own protocol)."""
        return f"port {self.name}"
