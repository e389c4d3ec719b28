"""The inventory: Namespace, Pod and Node objects read from their dicts, and addresses outside it."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from podfence.errors import InputError
from podfence.reachability.context import ObjectContext, origin_of, short, short_key
from podfence.reachability.ports import ContainerPort, parse_container_port
from podfence.reachability.selectors import parse_labels
from podfence.validation import dns1123_label_problem, dns1123_subdomain_problem

__all__ = [
    "NAME_LABEL",
    "Address",
    "External",
    "Namespace",
    "Node",
    "Pod",
    "implicit_namespace",
    "object_name",
    "parse_address",
    "parse_namespace",
    "parse_node",
    "parse_pod",
]

#: The label every namespace carries with its own name (set by the API server since 1.21).
NAME_LABEL = "kubernetes.io/metadata.name"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Namespace:
    """A namespace and its labels, which always include ``kubernetes.io/metadata.name``."""

    name: str
    labels: Mapping[str, str] = field(compare=False)


def implicit_namespace(name: str) -> Namespace:
    """The namespace a pod lives in when the inventory has no Namespace object for it.

    It carries only the ``kubernetes.io/metadata.name`` label, as the API server would set.
    """
    return Namespace(name, {NAME_LABEL: name})


@dataclass(frozen=True)
class Pod:
    """A pod: where it lives, its labels, its IPs and the ports its containers declare.

    Attributes:
        namespace: metadata.namespace ("default" when absent).
        name: metadata.name.
        labels: metadata.labels.
        ips: status.podIPs (or status.podIP); empty for a pod not yet scheduled, which then
            matches no ipBlock.
        ports: every ``spec.containers[].ports[]`` entry, duplicates dropped, in declared order.
            A name is unique within a container (as Kubernetes validates); should two
            containers give one name to different ports, a named rule port matches both.
        namespace_labels: the labels of the pod's namespace; set by the
            :class:`~podfence.reachability.inventory.Inventory` that holds the pod (empty until
            then).
    """

    namespace: str
    name: str
    labels: Mapping[str, str] = field(compare=False, repr=False)
    ips: tuple[Address, ...] = field(default=(), compare=False)
    ports: tuple[ContainerPort, ...] = field(default=(), compare=False, repr=False)
    namespace_labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        """``namespace/name``, how the CLI and the matrix name the pod."""
        return f"{self.namespace}/{self.name}"


_NO_LABELS: Mapping[str, str] = {}


@dataclass(frozen=True)
class Node:
    """A node of the cluster: its labels and the addresses traffic to it is sent to.

    Attributes:
        name: metadata.name.
        labels: metadata.labels (what a ``nodes`` peer of an AdminNetworkPolicy selects on).
        addresses: the ``InternalIP`` and ``ExternalIP`` entries of ``status.addresses``, in
            order; host names are not addresses and are left out.
    """

    name: str
    labels: Mapping[str, str] = field(compare=False, repr=False)
    addresses: tuple[Address, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class External:
    """An address outside the cluster: no labels, no namespace, no ports; only ipBlocks match it.

    It is a source of ingress (no egress policy applies to it) and a destination of egress (no
    ingress policy applies to it).

    Attributes:
        address: the address.
        node: the node whose address it is, if the inventory has one (then a ``nodes`` peer of
            a cluster-wide policy may select it); None for an address of no known node.
    """

    address: Address
    node: Node | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """How the matrix, explain and diff name it: the address as text, or for a node's
        address ``node/<name> (<address>)``."""
        if self.node is not None:
            return f"node/{self.node.name} ({self.address})"
        return str(self.address)

    @property
    def namespace(self) -> None:
        """None: an address is in no namespace."""
        return None

    @property
    def labels(self) -> Mapping[str, str]:
        """No labels."""
        return _NO_LABELS

    @property
    def namespace_labels(self) -> Mapping[str, str]:
        """No labels."""
        return _NO_LABELS

    @property
    def ips(self) -> tuple[Address, ...]:
        """The address itself."""
        return (self.address,)

    @property
    def ports(self) -> tuple[ContainerPort, ...]:
        """No declared ports: a named port never matches an address."""
        return ()


def object_name(
    obj: Mapping[str, Any], kind: str, namespaced: bool = True, subdomain: bool | None = None
) -> ObjectContext:
    """The context that names ``obj`` in errors; checks metadata.name and metadata.namespace.

    The name must be what the API server accepts for the kind: a DNS-1123 label for a
    Namespace, a DNS-1123 subdomain for a Pod, a NetworkPolicy, a Node or a cluster-wide
    policy; a namespace name is a DNS-1123 label.

    Args:
        obj: the object's dict.
        kind: its kind.
        namespaced: whether it lives in a namespace (default "default" when metadata.namespace
            is absent, null or ""); False for cluster-scoped objects, whose
            metadata.namespace is ignored.
        subdomain: whether the name is a DNS-1123 subdomain (else a label); None (the
            default) means a subdomain for namespaced objects and a label otherwise (a
            Namespace's name).

    Raises:
        InputError: metadata not a map; a missing or non-string metadata.name; a non-string
            metadata.namespace; a name or namespace the API server refuses.
    """
    metadata = obj.get("metadata")
    origin = origin_of(obj)
    if not isinstance(metadata, dict):
        raise ObjectContext(kind, "(unnamed)", origin).error(
            "metadata", f"expected a map with name, got {short(metadata)}"
        )
    name = metadata.get("name")
    namespace = metadata.get("namespace") if namespaced else None
    if namespaced and (namespace is None or namespace == ""):
        namespace = "default"  # as kubectl and the API server read an object without one
    if not isinstance(name, str) or not name:
        shown = short_key(namespace) if isinstance(namespace, str) else "(unnamed)"
        label = f"{shown}/(unnamed)" if namespaced else "(unnamed)"
        raise ObjectContext(kind, label, origin).error(
            "metadata.name", f"expected a name, got {short(name)}"
        )
    if namespaced and not isinstance(namespace, str):
        raise ObjectContext(kind, short_key(name), origin).error(
            "metadata.namespace", f"expected a namespace name, got {short(namespace)}"
        )
    context = ObjectContext(kind, f"{namespace}/{name}" if namespaced else name, origin)
    as_subdomain = namespaced if subdomain is None else subdomain
    rule = dns1123_subdomain_problem if as_subdomain else dns1123_label_problem
    problem = rule(name)
    if problem is not None:
        raise context.invalid("metadata.name", name, problem)
    if namespace is not None:
        problem = dns1123_label_problem(namespace)
        if problem is not None:
            raise context.invalid("metadata.namespace", namespace, problem)
    return context


def parse_namespace(obj: Mapping[str, Any]) -> Namespace:
    """Read a Namespace object; adds the ``kubernetes.io/metadata.name`` label if it lacks it.

    Raises:
        InputError: missing name, malformed labels.
    """
    context = object_name(obj, "Namespace", namespaced=False)
    name = obj["metadata"]["name"]
    labels = dict(parse_labels(obj["metadata"].get("labels"), context, "metadata.labels"))
    labels[NAME_LABEL] = name
    return Namespace(name, labels)


def parse_address(text: str, context: ObjectContext | None = None, field: str = "") -> Address:
    """An IPv4 or IPv6 address.

    Args:
        text: the address.
        context: the object it comes from; None (the default) for a command-line address.
        field: the field it comes from, for errors.

    Raises:
        InputError: not an address (a CIDR such as ``10.0.0.0/8`` is not one address).
    """
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        message = f"{short(text)} is not an IPv4 or IPv6 address"
        if context is None:
            raise InputError(message) from None
        raise context.error(field, message) from None


def _pod_ips(raw: Any, context: ObjectContext) -> tuple[Address, ...]:
    status = raw if type(raw) is dict else context.mapping(raw, "status")
    ips: list[Address] = []
    listed = status.get("podIPs")
    if type(listed) is not list:
        listed = context.sequence(listed, "status.podIPs")
    for index, entry in enumerate(listed):
        text = entry.get("ip") if isinstance(entry, dict) else None
        if not isinstance(text, str):
            raise context.error(
                f"status.podIPs[{index}].ip", f"expected an address, got {short(text)}"
            )
        ips.append(parse_address(text, context, f"status.podIPs[{index}].ip"))
    single = status.get("podIP")
    if single is not None and single != "":
        if not isinstance(single, str):
            raise context.error("status.podIP", f"expected an address, got {short(single)}")
        address = parse_address(single, context, "status.podIP")
        if address not in ips:
            ips.insert(0, address)
    return tuple(ips)


def _container_ports(raw: Any, context: ObjectContext) -> tuple[ContainerPort, ...]:
    spec = raw if type(raw) is dict else context.mapping(raw, "spec")
    ports: dict[ContainerPort, None] = {}
    containers = spec.get("containers")
    if type(containers) is not list:
        containers = context.sequence(containers, "spec.containers")
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            raise context.error(
                f"spec.containers[{index}]", f"expected a map, got {short(container)}"
            )
        declared = container.get("ports")
        if type(declared) is not list:
            declared = context.sequence(declared, f"spec.containers[{index}].ports")
        names: dict[str, ContainerPort] = {}
        for number, raw_port in enumerate(declared):
            field_path = f"spec.containers[{index}].ports[{number}]"
            port = parse_container_port(raw_port, context, field_path)
            if port.name is not None:
                if port.name in names:
                    raise context.error(
                        f"{field_path}.name",
                        f"{port.name!r} already names {names[port.name].port}/"
                        f"{names[port.name].protocol} of this container",
                    )
                names[port.name] = port
            ports.setdefault(port)
    return tuple(ports)


def parse_pod(obj: Mapping[str, Any], namespace_labels: Mapping[str, str] | None = None) -> Pod:
    """Read a Pod object: namespace (default "default"), labels, IPs, container ports.

    Args:
        obj: the object.
        namespace_labels: its namespace's labels, when known (an Inventory sets them anyway).

    Raises:
        InputError: missing name, malformed labels, an unparsable podIP, a bad containerPort.
    """
    context = object_name(obj, "Pod")
    metadata = obj["metadata"]
    labels = parse_labels(metadata.get("labels"), context, "metadata.labels")
    return Pod(
        namespace=metadata.get("namespace") or "default",
        name=metadata["name"],
        labels=labels,
        ips=_pod_ips(obj.get("status"), context),
        ports=_container_ports(obj.get("spec"), context),
        namespace_labels=namespace_labels if namespace_labels is not None else {},
    )


#: The ``status.addresses`` types of a Node that traffic is sent to (host names are not).
NODE_ADDRESS_TYPES = ("InternalIP", "ExternalIP")


def parse_node(obj: Mapping[str, Any]) -> Node:
    """Read a Node object: name, labels, and its InternalIP and ExternalIP addresses.

    Raises:
        InputError: missing name, malformed labels, ``status.addresses`` not a list of maps, an
            InternalIP or ExternalIP that is not an address.
    """
    context = object_name(obj, "Node", namespaced=False, subdomain=True)
    metadata = obj["metadata"]
    labels = parse_labels(metadata.get("labels"), context, "metadata.labels")
    status = context.mapping(obj.get("status"), "status")
    addresses: list[Address] = []
    for index, entry in enumerate(context.sequence(status.get("addresses"), "status.addresses")):
        field_path = f"status.addresses[{index}]"
        if not isinstance(entry, dict):
            raise context.error(
                field_path, f"expected a map with type and address, got {short(entry)}"
            )
        if entry.get("type") not in NODE_ADDRESS_TYPES:
            continue
        text = entry.get("address")
        if not isinstance(text, str):
            raise context.error(f"{field_path}.address", f"expected an address, got {short(text)}")
        address = parse_address(text, context, f"{field_path}.address")
        if address not in addresses:
            addresses.append(address)
    return Node(metadata["name"], labels, tuple(addresses))
