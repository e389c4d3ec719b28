"""The inventory: the namespaces, pods and nodes policies are evaluated on, and how the CLI names
them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping

from podfence.errors import InputError
from podfence.reachability.context import short
from podfence.reachability.model import (
    Address,
    External,
    Namespace,
    Node,
    Pod,
    implicit_namespace,
)
from podfence.reachability.traffic import Endpoint

__all__ = ["Inventory", "sample_address"]

#: How an address of a node is named (:attr:`External.key`): ``node/worker-1 (10.0.0.11)``.
_NODE_ADDRESS = re.compile(r"node/([^ ]+) \(([^)]+)\)")


def sample_address(text: str, flag: str) -> Address:
    """An address, or for a CIDR a sample address inside it (its first host).

    Args:
        text: ``93.184.216.34`` or ``203.0.113.0/24`` (``2001:db8::/64`` alike).
        flag: the option it came from, for errors (``--external``).

    Raises:
        InputError: neither an address nor a CIDR.
    """
    if "/" not in text:
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            raise InputError(f"{flag} {short(text)} is not an IPv4 or IPv6 address") from None
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InputError(f"{flag} {short(text)} is not an address or a CIDR") from None
    if network.num_addresses <= 2:
        return network.network_address
    return network.network_address + 1


class Inventory:
    """Namespaces, pods and nodes.

    Args:
        namespaces: Namespace objects, each with its labels.
        pods: Pod objects. A pod whose namespace is not among ``namespaces`` gets one with only
            the ``kubernetes.io/metadata.name`` label, as the API server sets it: an assumption,
            recorded in :attr:`implicit_namespaces`.
        nodes: Node objects; none when omitted. An address of a node (that is no pod's IP) is
            that node's, which a ``nodes`` peer of a cluster-wide policy may select.

    Raises:
        InputError: a namespace, pod or node listed twice.

    Attributes:
        namespaces: by name.
        pods: sorted by namespace and name, each knowing its namespace's labels.
        implicit_namespaces: the namespaces pods use that ``namespaces`` did not define, whose
            labels were taken to be only ``kubernetes.io/metadata.name`` (a verdict that reads
            their other labels says so: :meth:`~podfence.reachability.verdict.Verdict.assumptions`).
    """

    def __init__(
        self,
        namespaces: Iterable[Namespace] = (),
        pods: Iterable[Pod] = (),
        nodes: Iterable[Node] = (),
    ) -> None:
        by_name: dict[str, Namespace] = {}
        for namespace in namespaces:
            if namespace.name in by_name:
                raise InputError(f"Namespace {namespace.name} appears twice")
            by_name[namespace.name] = namespace
        placed: dict[str, Pod] = {}
        implicit: list[str] = []
        for pod in pods:
            if pod.key in placed:
                raise InputError(f"Pod {pod.key} appears twice")
            if pod.namespace not in by_name:
                by_name[pod.namespace] = implicit_namespace(pod.namespace)
                implicit.append(pod.namespace)
            labels = by_name[pod.namespace].labels
            if pod.namespace_labels is not labels:
                pod = Pod(pod.namespace, pod.name, pod.labels, pod.ips, pod.ports, labels)
            placed[pod.key] = pod
        self.namespaces: dict[str, Namespace] = by_name
        self.implicit_namespaces: frozenset[str] = frozenset(implicit)
        self.pods: tuple[Pod, ...] = tuple(
            sorted(placed.values(), key=lambda p: (p.namespace, p.name))
        )
        self._by_key = placed
        self._by_ip: dict[Address, Pod] = {}
        for pod in self.pods:
            for ip in pod.ips:
                self._by_ip.setdefault(ip, pod)
        self.nodes: dict[str, Node] = {}
        self._node_by_ip: dict[Address, Node] = {}
        for node in nodes:
            if node.name in self.nodes:
                raise InputError(f"Node {node.name} appears twice")
            self.nodes[node.name] = node
            for ip in node.addresses:
                self._node_by_ip.setdefault(ip, node)

    def with_pods(self, pods: Iterable[Pod], namespaces: Iterable[Namespace] = ()) -> Inventory:
        """This inventory with more pods (stand-ins, say) and namespaces: the namespaces it
        defines and its nodes stay; a namespace neither defines is implicit, as ever.

        Raises:
            InputError: a pod or namespace it already holds.
        """
        defined = [
            namespace
            for name, namespace in self.namespaces.items()
            if name not in self.implicit_namespaces
        ]
        return Inventory([*defined, *namespaces], [*self.pods, *pods], self.nodes.values())

    def pod(self, key: str, flag: str = "") -> Pod:
        """The pod named ``namespace/name`` (a bare name means namespace "default").

        Args:
            key: the pod's name.
            flag: the option or field it came from, for errors ("" leaves it out).

        Raises:
            InputError: no such pod; the message suggests close matches.
        """
        full = key if "/" in key else f"default/{key}"
        pod = self._by_key.get(full)
        if pod is None:
            import difflib  # only on this error path: keep start-up lean

            close = difflib.get_close_matches(full, list(self._by_key), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            where = f"{flag} " if flag else ""
            raise InputError(f"{where}no pod {key!r} in the inventory{hint}")
        return pod

    def with_ip(self, address: Address) -> Pod | None:
        """The pod that has ``address`` among its IPs, if any."""
        return self._by_ip.get(address)

    def address(self, address: Address) -> Endpoint:
        """An address as the cluster sees it: the pod that has it, or an address outside (a
        node's, when it is one)."""
        pod = self._by_ip.get(address)
        return pod if pod is not None else self.external(address)

    def external(self, address: Address) -> External:
        """An address that is no pod's, knowing the node it belongs to, if any."""
        return External(address, self._node_by_ip.get(address))

    def place(self, endpoint: Endpoint) -> Endpoint:
        """``endpoint`` as this inventory knows it.

        A pod becomes the inventory's pod of that name (with its namespace's labels); an
        address that is a pod's IP becomes that pod, as the cluster sees it; any other address
        stays outside.

        Raises:
            InputError: a pod that is not in the inventory.
        """
        if endpoint.namespace is None:
            return self.address(endpoint.ips[0])
        return self.pod(endpoint.key)

    def endpoint(self, text: str, flag: str) -> Endpoint:
        """A pod by ``namespace/name``, an IP address (the pod with that IP, if one has it), or
        a node's address as the matrix names it (``node/worker-1 (10.0.0.11)``).

        A text that looks like an address is never taken for a pod name.

        Args:
            text: what the user typed.
            flag: the option or field it came from (``--from``, ``--to``), for errors.

        Raises:
            InputError: an unknown pod (with close matches), or a malformed address.
        """
        node_address = _NODE_ADDRESS.fullmatch(text)
        if node_address is not None:
            return self._node_address(node_address[1], node_address[2], flag)
        if "/" in text and not _looks_like_address(text):
            return self.pod(text, flag)
        if _looks_like_address(text):
            if "/" in text:
                raise InputError(
                    f"{flag} {short(text)} is a CIDR; give one address, e.g. "
                    f"{text.partition('/')[0]}"
                )
            try:
                return self.address(ipaddress.ip_address(text))
            except ValueError:
                raise InputError(f"{flag} {short(text)} is not a valid IP address") from None
        return self.pod(text, flag)

    def _node_address(self, name: str, text: str, flag: str) -> Endpoint:
        """A node's address as the matrix names it, ``node/<name> (<address>)``.

        Raises:
            InputError: no such node, or an address that is not one of its addresses.
        """
        node = self.nodes.get(name)
        if node is None:
            raise InputError(f"{flag} no node {name!r} in the inventory")
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise InputError(f"{flag} {short(text)} is not a valid IP address") from None
        if address not in node.addresses:
            raise InputError(f"{flag} {address} is not an address of node {name}")
        return self.address(address)

    def namespace_labels(self, name: str) -> Mapping[str, str]:
        """The labels of namespace ``name``."""
        return self.namespaces[name].labels


def _looks_like_address(text: str) -> bool:
    """Digits and dots (IPv4) or hex digits and colons (IPv6), optionally with a /prefix."""
    body = text.partition("/")[0]
    if ":" in body:
        return all(c in "0123456789abcdefABCDEF:." for c in body)
    return bool(body) and all(c in "0123456789." for c in body) and "." in body
