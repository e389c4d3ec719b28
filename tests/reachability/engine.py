"""A test-side bundle of the engine's pieces: objects in, ``evaluate`` and ``matrix`` out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from podfence.reachability import Matrix, Verdict, evaluate, load_cluster, sample_address, traffic

__all__ = ["Engine"]


class Engine:
    """``load_cluster`` once; then single flows by the names a user types, or the matrix."""

    def __init__(self, objects: Iterable[Mapping[str, Any]], externals: Iterable[str] = ()) -> None:
        cluster = load_cluster(objects)
        self.policies = cluster.policies
        self.inventory = cluster.inventory
        self.warnings = cluster.warnings
        self.externals = [sample_address(text, "--external") for text in externals]

    @property
    def pods(self) -> Sequence[Any]:
        return self.inventory.pods

    @property
    def namespaces(self) -> Mapping[str, Any]:
        return self.inventory.namespaces

    def evaluate(
        self, source: str, destination: str, port: int | str, protocol: str | None = None
    ) -> Verdict:
        flow = traffic(self.inventory, source, destination, port, protocol)
        return evaluate(self.policies, self.inventory, flow)

    def matrix(
        self, allowed_only: bool = False, extra_ports: Sequence[tuple[int, str]] = ()
    ) -> Matrix:
        return Matrix.build(
            self.policies,
            self.inventory,
            externals=self.externals,
            ports=extra_ports,
            allowed_only=allowed_only,
        )
