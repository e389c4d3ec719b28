"""Ports of a NetworkPolicy rule: numeric, named, ranges with endPort; TCP, UDP or SCTP."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Self

from pydantic import field_validator, model_validator

from podfence.spec.base import Spec
from podfence.validation import port_name_problem

__all__ = ["Port", "Protocol", "check_port", "check_protocol"]

# What reads as a number, signed or not: never a port name (a name needs a letter).
_NUMBER = re.compile(r"[-+]?[0-9]+")
_NOT_A_PORT = "is not a port number (1-65535)"


class Protocol(StrEnum):
    """The protocols a NetworkPolicy port may name."""

    TCP = "TCP"
    """TCP, the default."""
    UDP = "UDP"
    """UDP."""
    SCTP = "SCTP"
    """SCTP."""


def check_protocol(value: Any) -> Any:
    """Refuse a protocol other than TCP, UDP, SCTP (upper case, as Kubernetes wants it)."""
    if isinstance(value, str) and value not in Protocol.__members__:
        upper = value.upper()
        hint = f'; did you mean "{upper}"?' if upper in Protocol.__members__ else ""
        raise ValueError(f"protocol {value!r} is not one of TCP, UDP, SCTP{hint}")
    return value


def check_port(value: Any) -> int | str:
    """A port number (1-65535) or a containerPort name."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"port {value!r} is not a port number or name")
    if isinstance(value, int):
        return _check_port_number(value, "port")
    return _check_port_name(value)


def _check_port_number(value: int, field: str) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"{field} {value} {_NOT_A_PORT}")
    return value


def _check_port_name(name: str) -> str:
    if _NUMBER.fullmatch(name.strip()):
        number = int(name)
        if 1 <= number <= 65535:
            raise ValueError(
                f"port {name!r} is a string of digits, which Kubernetes reads as a port name; "
                f"did you mean the number {number}?"
            )
        raise ValueError(f"port {name!r} {_NOT_A_PORT}")
    problem = port_name_problem(name) if name else "must not be empty"
    if problem is not None:
        raise ValueError(f"port name {name!r} is not a valid port name: {problem}")
    return name


class Port(Spec):
    """One entry of a rule's ``ports``: which destination port(s) and protocol it admits.

    Semantics (networking/v1 NetworkPolicyPort):
      * ``port`` a number, or the name of a containerPort, resolved on each destination pod (a
        pod without a port of that name and protocol is not matched). Omitted: every port of
        ``protocol``.
      * ``protocol`` defaults to TCP.
      * ``end_port`` makes the range ``port``..``end_port`` (inclusive); only with a numeric port,
        and never below it. Omitted: the single port.
    In config a port may also be written ``80``, ``"http"``, ``"53/UDP"``, ``"8000-8100/TCP"`` or
    ``"all/UDP"``. Build them in code with the factories: ``Port.tcp(8080)``, ``Port.tcp_range(8000, 8100)``,
    ``Port.named("http")``, ``Port.udp(53)``.
    """

    port: int | str | None = None
    protocol: Protocol = Protocol.TCP
    end_port: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """Accept ``80``, ``"http"``, ``"53/UDP"`` and ``"8000-8100/TCP"`` for brevity in config."""
        if isinstance(value, bool):
            raise ValueError(f"port {value!r} is not a port number or name")
        if isinstance(value, int):
            return {"port": value}
        if not isinstance(value, str):
            return value
        spec, _, protocol = value.partition("/")
        if not spec.strip():
            raise ValueError(
                f"port {value!r} names no port: write a number, a name, or all (every port)"
            )
        out: dict[str, Any] = {"protocol": protocol} if protocol else {}
        start, dash, end = spec.partition("-")
        if dash and start.isdigit() and end.isdigit():
            out.update(port=int(start), endPort=int(end))
        elif spec.isdigit():
            out["port"] = int(spec)
        elif spec not in ("all", "*"):
            out["port"] = spec
        return out

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol(cls, value: Any) -> Any:
        return check_protocol(value)

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int | str | None:
        return None if value is None else check_port(value)

    @field_validator("end_port", mode="before")
    @classmethod
    def _end_port(cls, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            raise ValueError(
                f"endPort {value!r} is a string; did you mean the number {int(value)}?"
            )
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"endPort {value!r} {_NOT_A_PORT}")
        return _check_port_number(value, "endPort")

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.end_port is None:
            return self
        if not isinstance(self.port, int):
            what = "no port" if self.port is None else f"the named port {self.port!r}"
            raise ValueError(f"endPort {self.end_port} needs a numeric port, not {what}")
        if self.end_port < self.port:
            raise ValueError(f"endPort {self.end_port} is below port {self.port}")
        return self

    @classmethod
    def tcp(cls, port: int | str) -> Port:
        """One TCP port, by number or containerPort name."""
        return cls.parse({"port": port, "protocol": "TCP"}, cls.__name__)

    @classmethod
    def udp(cls, port: int | str) -> Port:
        """One UDP port, by number or containerPort name."""
        return cls.parse({"port": port, "protocol": "UDP"}, cls.__name__)

    @classmethod
    def sctp(cls, port: int | str) -> Port:
        """One SCTP port, by number or containerPort name."""
        return cls.parse({"port": port, "protocol": "SCTP"}, cls.__name__)

    @classmethod
    def tcp_range(cls, start: int, end: int) -> Port:
        """TCP ports ``start`` to ``end`` inclusive (endPort)."""
        return cls.parse({"port": start, "endPort": end, "protocol": "TCP"}, cls.__name__)

    @classmethod
    def udp_range(cls, start: int, end: int) -> Port:
        """UDP ports ``start`` to ``end`` inclusive (endPort)."""
        return cls.parse({"port": start, "endPort": end, "protocol": "UDP"}, cls.__name__)

    @classmethod
    def named(cls, name: str, protocol: Protocol | str = Protocol.TCP) -> Port:
        """A containerPort by name; it matches pods that declare that name for ``protocol``."""
        return cls.parse({"port": name, "protocol": str(protocol)}, cls.__name__)

    @classmethod
    def all(cls, protocol: Protocol | str = Protocol.TCP) -> Port:
        """Every port of one protocol."""
        return cls.parse({"protocol": str(protocol)}, cls.__name__)

    def describe(self) -> str:
        """``8080/TCP``, ``8000-8100/TCP``, ``http/TCP`` or ``all/UDP``."""
        if self.port is None:
            return f"all/{self.protocol.value}"
        if self.end_port is not None:
            return f"{self.port}-{self.end_port}/{self.protocol.value}"
        return f"{self.port}/{self.protocol.value}"
