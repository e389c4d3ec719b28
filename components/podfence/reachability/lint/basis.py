"""What the checks share: the policies, the inventory, and the engine's grid over every port and
every address outside the cluster that can make a difference."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from podfence.reachability.bits import indices
from podfence.reachability.grid import Grid
from podfence.reachability.inventory import Inventory
from podfence.reachability.matrix import Matrix
from podfence.reachability.model import Address, Pod
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.policy import Policy, PolicySet
from podfence.reachability.ports import PROTOCOLS, PortRule

__all__ = ["Basis", "free_address", "ip_blocks", "probe_addresses", "probe_ports"]

_LAST_PORT = 65535
#: How many addresses of one stretch are tried before giving up on finding one that is no pod's.
_TRIES = 64


def probe_ports(policies: PolicySet, inventory: Inventory) -> list[tuple[int, str]]:
    """Ports that stand for every port: port 1, and where a rule's port or range starts and just
    past where it ends, and each port a pod declares and the one after it, for each protocol.

    Semantics relied on: a numeric port rule matches a range of one protocol; a rule without
    ports, or a port without a number, matches every port (of a protocol); a named port matches
    only a port the destination declares with that name. So the ports fall into stretches
    between these boundaries in which every verdict stays the same: a declared port is a stretch
    of its own, and every other stretch holds no declared port. Each is probed at its first
    port, which a pod either declares (a stretch of one port) or none does. The rules are those
    of the NetworkPolicies and of the cluster-wide policies (``portNumber``, ``portRange``;
    a ``namedPort`` is a name, like a NetworkPolicy's).
    """
    found: dict[str, set[int]] = {protocol: {1} for protocol in PROTOCOLS}

    def stretch(protocol: str, first: int, last: int) -> None:
        found[protocol].add(first)
        if last < _LAST_PORT:
            found[protocol].add(last + 1)

    for port in _port_rules(policies):
        if isinstance(port.port, int):
            end = port.end_port if port.end_port is not None else port.port
            stretch(port.protocol, port.port, end)
    for pod in inventory.pods:
        for declared in pod.ports:
            stretch(declared.protocol, declared.port, declared.port)
    return [(port, protocol) for protocol in PROTOCOLS for port in sorted(found[protocol])]


def _port_rules(policies: PolicySet) -> Iterator[PortRule]:
    """Every port rule of every rule, NetworkPolicies' then cluster-wide policies' (whose named
    ports are no :class:`PortRule`, and are left out)."""
    for policy in policies:
        for direction in ("ingress", "egress"):
            for rule in policy.rules(direction) or ():
                yield from rule.ports or ()
    for cluster_policy in policies.cluster_policies:
        for admin_rule in (*cluster_policy.ingress, *cluster_policy.egress):
            for port in admin_rule.ports or ():
                if isinstance(port, PortRule):
                    yield port


def ip_blocks(policies: PolicySet) -> list[IpBlockPeer]:
    """Every ipBlock peer of every rule of ``policies``, ingress and egress, in order: the
    NetworkPolicies' ``ipBlock`` peers, then the cluster-wide policies' ``networks``."""
    blocks = [
        peer
        for policy in policies
        for direction in ("ingress", "egress")
        for rule in policy.rules(direction) or ()
        for peer in rule.peers or ()
        if isinstance(peer, IpBlockPeer)
    ]
    blocks += [
        peer
        for cluster_policy in policies.cluster_policies
        for admin_rule in (*cluster_policy.ingress, *cluster_policy.egress)
        for peer in admin_rule.peers
        if isinstance(peer, IpBlockPeer)
    ]
    return blocks


def free_address(
    policies: PolicySet, inventory: Inventory, candidates: Sequence[str]
) -> Address | None:
    """The first of ``candidates`` that is no pod's or node's address and lies in no ipBlock (or
    ``networks``) of the policies short of a whole address family, for a stand-in pod: a block
    of a whole family holds every address, a real pod's too, and a narrower one names
    particular addresses. None when every candidate is taken.
    """
    cidrs = [block.cidr for block in ip_blocks(policies) if block.cidr.prefixlen > 0]
    for text in candidates:
        address = ipaddress.ip_address(text)
        if (
            inventory.with_ip(address) is None
            and inventory.external(address).node is None
            and not any(address in cidr for cidr in cidrs)
        ):
            return address
    return None


def _boundaries(blocks: Iterable[IpBlockPeer]) -> dict[int, set[int]]:
    """Per IP version (both, always), the first address, and where a cidr or an except starts
    and just past where it ends."""
    found: dict[int, set[int]] = {4: {0}, 6: {0}}
    for block in blocks:
        for network in (block.cidr, *block.excepts):
            values = found[network.version]
            values.add(int(network.network_address))
            end = int(network.broadcast_address) + 1
            if end < 1 << network.max_prefixlen:
                values.add(end)
    return found


def probe_addresses(policies: PolicySet, inventory: Inventory) -> list[Address]:
    """Addresses outside the cluster that stand for every address outside it.

    Semantics relied on: an address outside the cluster is told apart only by the ipBlocks (and
    cluster-wide ``networks``) that contain it and by the node it belongs to (a ``nodes`` peer
    selects a node's addresses), so the address space falls into stretches between the starts
    and ends of every cidr and except, and each stretch is probed at its first address that is
    neither a pod's IP (an address that is a pod's IP is that pod) nor a node's; each node's
    addresses that are no pod's are probed too, each standing for itself. Each family has at
    least one stretch: with no ipBlock at all, ``0.0.0.0`` and ``::`` stand for every address.
    IPv4 addresses come first, each family in ascending order.
    """
    boundaries = _boundaries(ip_blocks(policies))
    found: set[Address] = set()
    for version, values in sorted(boundaries.items()):
        starts = sorted(values)
        limit = 1 << (32 if version == 4 else 128)
        for start, stop in zip(starts, [*starts[1:], limit], strict=True):
            for value in range(start, min(stop, start + _TRIES)):
                address = (
                    ipaddress.ip_address(value) if version == 4 else ipaddress.IPv6Address(value)
                )
                if inventory.with_ip(address) is None and inventory.external(address).node is None:
                    found.add(address)
                    break
    for node in inventory.nodes.values():
        found.update(a for a in node.addresses if inventory.with_ip(a) is None)
    return sorted(found, key=lambda address: (address.version, int(address)))


@dataclass
class Basis:
    """The policies and inventory, with the engine's decisions over all that matters.

    Attributes:
        policies: the policies.
        inventory: the namespaces and pods.
        grid: every flow between classes of pods and of addresses outside the cluster, on the
            pods' declared ports and on :func:`probe_ports` (see :class:`Grid`); its addresses
            are :func:`probe_addresses` and ``externals``.
        selected: per policy, the set of pod classes its podSelector selects.
    """

    policies: PolicySet
    inventory: Inventory
    grid: Grid
    selected: dict[Policy, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, policies: PolicySet, inventory: Inventory, externals: Sequence[Address] = ()
    ) -> Basis:
        """Decide every flow that can tell two policy sets apart on ``inventory``.

        Args:
            policies: the policies.
            inventory: the namespaces and pods.
            externals: more addresses outside the cluster to evaluate (none by default; the
                probes already stand for every address).
        """
        addresses = list(dict.fromkeys([*probe_addresses(policies, inventory), *externals]))
        matrix = Matrix.build(policies, inventory, addresses, probe_ports(policies, inventory))
        grid = matrix.grid
        table = grid.table
        selected: dict[Policy, int] = {}
        for policy in policies:
            in_namespace = table.by_namespace.get(policy.namespace, ())
            mask = 0
            for number in table.candidates(policy.pod_selector, in_namespace):
                if policy.selects(table.representative[number]):
                    mask |= 1 << number
            selected[policy] = mask
        return cls(policies, inventory, grid, selected)

    def pods(self, classes: int) -> list[Pod]:
        """The pods of the set of pod classes ``classes``, in inventory order."""
        table = self.grid.table
        pods = self.inventory.pods
        found = [
            index
            for number in indices(classes & table.pod_classes_mask)
            for index in table.members[number]
        ]
        return [pods[index] for index in sorted(found)]

    def pod_classes(self, classes: int) -> int:
        """Those of ``classes`` that are classes of pods (not of addresses)."""
        return classes & self.grid.table.pod_classes_mask
