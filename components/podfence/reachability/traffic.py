"""The traffic evaluated: a source, a destination, a port and a protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from podfence.reachability.model import Address
from podfence.reachability.ports import ContainerPort

__all__ = ["Endpoint", "Traffic"]


class Endpoint(Protocol):
    """One end of a connection: a pod of the inventory, or an address outside the cluster.

    Attributes:
        key: ``namespace/pod``, or the address as text.
        namespace: the pod's namespace; None for an address (then only ipBlocks match it).
        labels: the pod's labels (none for an address).
        namespace_labels: its namespace's labels (none for an address).
        ips: the pod's IPs, or the one address.
        ports: the containerPorts a pod declares, which named ports resolve on (none for an
            address).
    """

    @property
    def key(self) -> str: ...
    @property
    def namespace(self) -> str | None: ...
    @property
    def labels(self) -> Mapping[str, str]: ...
    @property
    def namespace_labels(self) -> Mapping[str, str]: ...
    @property
    def ips(self) -> tuple[Address, ...]: ...
    @property
    def ports(self) -> tuple[ContainerPort, ...]: ...


@dataclass(frozen=True)
class Traffic:
    """A connection ``source`` opens to ``destination`` on ``port``/``protocol``.

    Attributes:
        source: a pod, or an address outside the cluster.
        destination: a pod, or an address outside the cluster.
        port: the destination port number (a named port already resolved on the destination).
        protocol: TCP, UDP or SCTP.
    """

    source: Endpoint
    destination: Endpoint
    port: int
    protocol: str = "TCP"

    def describe(self) -> str:
        """``guestbook/ui -> guestbook/api on 8080/TCP``."""
        return f"{self.source.key} -> {self.destination.key} on {self.port}/{self.protocol}"
