"""Ports: a pod's containerPorts and a NetworkPolicy rule's ports (numeric, named, ranges)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from podfence.reachability.context import ObjectContext, short
from podfence.validation import (
    PROTOCOLS,
    end_port_problem,
    port_name_problem,
    port_number_problem,
    protocol_problem,
)

if TYPE_CHECKING:
    from podfence.reachability.traffic import Endpoint, Traffic

__all__ = [
    "PROTOCOLS",
    "ContainerPort",
    "PortRule",
    "RuleBase",
    "parse_container_port",
    "parse_port_name",
    "parse_port_number",
    "parse_port_rule",
    "parse_protocol",
]


def parse_protocol(raw: Any, context: ObjectContext, field: str) -> str:
    """A protocol name; ``None`` (absent) means TCP.

    Raises:
        InputError: anything but TCP, UDP or SCTP (e.g. ICMP, which NetworkPolicy cannot express).
    """
    if raw is None:
        return "TCP"
    problem = protocol_problem(raw)
    if problem is not None:
        raise context.invalid(field, raw, problem)
    return str(raw)


def parse_port_number(raw: Any, context: ObjectContext, field: str) -> int:
    """A port number, 1 to 65535.

    Raises:
        InputError: anything else (absent, a string, a bool, out of range).
    """
    problem = port_number_problem(raw)
    if problem is not None:
        raise context.invalid(field, raw, problem)
    return int(raw)


def parse_port_name(raw: str, context: ObjectContext, field: str, number_hint: bool = True) -> str:
    """A named port (an IANA_SVC_NAME).

    Args:
        raw: the name.
        context: the object, for errors.
        field: the field, for errors.
        number_hint: say that digits in quotes are a number meant unquoted (a rule's ``port``
            is a number or a name; a containerPort's ``name`` only a name); True when omitted.

    Raises:
        InputError: not a valid port name.
    """
    if number_hint and raw.isascii() and raw.isdigit() and len(raw) <= 5:
        raise context.error(field, f"{raw!r} is a string; write the port number unquoted: {raw}")
    problem = port_name_problem(raw)
    if problem is not None:
        raise context.invalid(field, raw, problem, "port name")
    return raw


@dataclass(frozen=True)
class ContainerPort:
    """A port a container declares: ``containerPort``, optional ``name``, ``protocol``."""

    port: int
    protocol: str = "TCP"
    name: str | None = None

    def describe(self) -> str:
        """``8080/TCP``, or ``8080/TCP (http)`` when named."""
        text = f"{self.port}/{self.protocol}"
        return f"{text} ({self.name})" if self.name else text


def parse_container_port(raw: Any, context: ObjectContext, field: str) -> ContainerPort:
    """Read one ``spec.containers[].ports[]`` entry (protocol defaults to TCP).

    Raises:
        InputError: missing or out-of-range containerPort, bad name or protocol.
    """
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a port map, got {short(raw)}")
    port = parse_port_number(raw.get("containerPort"), context, f"{field}.containerPort")
    protocol = parse_protocol(raw.get("protocol"), context, f"{field}.protocol")
    name = raw.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise context.error(f"{field}.name", f"{short(name)} is not a port name (a string)")
        name = parse_port_name(name, context, f"{field}.name", number_hint=False)
    return ContainerPort(port, protocol, name)


_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})


@dataclass(frozen=True)
class PortRule:
    """One entry of a rule's ``ports``.

    Semantics (NetworkPolicyPort): ``protocol`` defaults to TCP; ``port`` absent means every port
    of that protocol; a numeric ``port`` with ``end_port`` is the range port..end_port; a named
    ``port`` is resolved on the *destination* pod, for ingress and egress rules alike: it matches
    traffic to a containerPort of that pod with that name, the same protocol and that number.
    """

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None

    def matches(
        self, port: int, protocol: str, destination_ports: Sequence[ContainerPort] = ()
    ) -> bool:
        """Whether traffic to ``port``/``protocol`` is covered.

        Args:
            port: the destination port number.
            protocol: its protocol.
            destination_ports: the destination pod's containerPorts, which named ports resolve
                on; empty (the default) means a named port matches nothing.
        """
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            return any(
                declared.name == self.port
                and declared.protocol == protocol
                and declared.port == port
                for declared in destination_ports
            )
        high = self.end_port if self.end_port is not None else self.port
        return self.port <= port <= high

    def describe(self) -> str:
        """``8080/TCP``, ``8000-8100/TCP``, ``port http/TCP`` or ``any TCP port``."""
        if self.port is None:
            return f"any {self.protocol} port"
        if isinstance(self.port, str):
            return f"port {self.port}/{self.protocol}"
        if self.end_port is not None and self.end_port != self.port:
            return f"{self.port}-{self.end_port}/{self.protocol}"
        return f"{self.port}/{self.protocol}"


def parse_port_rule(raw: Any, context: ObjectContext, field: str) -> PortRule:
    """Read one ``spec.ingress[].ports[]`` / ``spec.egress[].ports[]`` entry (a null entry is
    ``{}``, every TCP port, as the API server decodes and defaults it).

    Raises:
        InputError: bad protocol; port out of range or badly named; endPort without a port,
            with a named port, or below port.
    """
    if raw is None:  # a null entry decodes to the zero port: TCP (defaulted), every port
        raw = {}
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a port map, got {short(raw)}")
    unknown = raw.keys() - _PORT_FIELDS
    if unknown:
        raise context.unknown(field, unknown, "protocol, port, endPort")
    protocol = parse_protocol(raw.get("protocol"), context, f"{field}.protocol")
    port_raw = raw.get("port")
    port: int | str | None
    if port_raw is None:
        port = None
    elif isinstance(port_raw, str):
        port = parse_port_name(port_raw, context, f"{field}.port")
    else:
        port = parse_port_number(port_raw, context, f"{field}.port")
    end_raw = raw.get("endPort")
    if end_raw is None:
        return PortRule(protocol, port)
    end_port = parse_port_number(end_raw, context, f"{field}.endPort")
    problem = end_port_problem(port, end_port)
    if problem is not None:
        raise context.invalid(f"{field}.endPort", end_port, problem)
    return PortRule(protocol, port, end_port)


class _Described(Protocol):
    def describe(self) -> str: ...


class _Peer(Protocol):
    def matches(self, endpoint: Endpoint) -> bool: ...

    def reads_namespace_labels(self, endpoint: Endpoint) -> bool: ...


class _Port(Protocol):
    def matches(
        self, port: int, protocol: str, destination_ports: Sequence[ContainerPort] = ()
    ) -> bool: ...

    def describe(self) -> str: ...


class _Rule(Protocol):
    @property
    def direction(self) -> str: ...

    @property
    def peers(self) -> Sequence[_Peer] | None: ...

    @property
    def ports(self) -> Sequence[_Port] | None: ...

    def other_end(self, traffic: Traffic) -> Endpoint: ...

    def peer_matches(self, other: Endpoint) -> bool: ...

    def port_matches(self, port: int, protocol: str, destination: Endpoint) -> bool: ...

    def describe_peers(self) -> str: ...

    def describe_ports(self) -> str: ...


class RuleBase:
    """What a rule does, the same for a NetworkPolicy's rules and a cluster-wide policy's: match
    the other end and the port, and read as ``from <peers> on <ports>``.

    Semantics (NetworkPolicyIngressRule / EgressRule, and the cluster-wide rules alike): a rule
    matches a connection when one of its peers (ORed) matches the other end (the source of
    ingress, the destination of egress) AND one of its ports (ORed) matches the destination
    port. No peers (``peers`` None) match every pod and every address; no ports (``ports``
    None) every port. A named port resolves on the destination's containerPorts.

    A mixin: the rule class has ``direction``, ``peers``, ``ports`` and ``describe_peers()``.
    """

    __slots__ = ()

    def other_end(self: _Rule, traffic: Traffic) -> Endpoint:
        """The end the peers are matched against: the source of ingress, the destination of egress."""
        return traffic.source if self.direction == "ingress" else traffic.destination

    def peer_matches(self: _Rule, other: Endpoint) -> bool:
        """Whether the other end (the source of ingress, the destination of egress) is a peer."""
        if self.peers is None:
            return True
        return any(peer.matches(other) for peer in self.peers)

    def port_matches(self: _Rule, port: int, protocol: str, destination: Endpoint) -> bool:
        """Whether one of the ports covers ``port``/``protocol`` at ``destination``."""
        if self.ports is None:
            return True
        return any(rule.matches(port, protocol, destination.ports) for rule in self.ports)

    def admits(self: _Rule, traffic: Traffic) -> bool:
        """Whether the rule matches ``traffic``: a peer the other end AND a port the port."""
        return self.peer_matches(self.other_end(traffic)) and self.port_matches(
            traffic.port, traffic.protocol, traffic.destination
        )

    def reads_namespace_labels(self: _Rule, traffic: Traffic) -> bool:
        """Whether this rule's match on ``traffic`` turns on the other end's namespace labels.

        True when the port matches and a peer's namespace selector reads a label other than
        ``kubernetes.io/metadata.name`` on a pod its pod part matches: then the namespace's
        labels decide whether the rule matches the traffic.
        """
        if self.peers is None:
            return False
        other = self.other_end(traffic)
        return self.port_matches(traffic.port, traffic.protocol, traffic.destination) and any(
            peer.reads_namespace_labels(other) for peer in self.peers
        )

    def describe_ports(self: _Rule) -> str:
        """``80/TCP, port http``; ``any port`` when unrestricted."""
        if self.ports is None:
            return "any port"
        return ", ".join(rule.describe() for rule in self.ports)

    def describe(self: _Rule) -> str:
        """``from pods app=web in namespace shop on 8080/TCP`` (``to`` for egress)."""
        word = "from" if self.direction == "ingress" else "to"
        return f"{word} {self.describe_peers()} on {self.describe_ports()}"
