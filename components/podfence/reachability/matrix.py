"""The Matrix: every flow of an inventory, allowed or denied, computed class by class."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from podfence.reachability.grid import Grid, IntArray
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.verdict import RuleRef, Verdict

if TYPE_CHECKING:
    from podfence.reachability.analyzer import Analyzer
    from podfence.reachability.classes import BoolArray

__all__ = ["Flow", "FlowDetail", "Group", "Matrix", "SourceRow"]


@dataclass(frozen=True)
class Flow:
    """One flow of the matrix: ``source`` to ``destination`` on ``port``/``protocol``."""

    source: str
    destination: str
    port: int
    protocol: str
    allowed: bool


@dataclass(frozen=True)
class FlowDetail:
    """Which rules decided a flow, per direction, as (isolated, rules admitting the flow).

    ``egress`` is None for a source outside the cluster.
    """

    ingress: tuple[bool, tuple[RuleRef, ...]]
    egress: tuple[bool, tuple[RuleRef, ...]] | None


@dataclass(frozen=True)
class SourceRow:
    """The flows of one source, as arrays: which targets, and whether each flow is allowed.

    A *target* is a (destination pod, port, protocol) triple, numbered in matrix order;
    :meth:`Matrix.target` names one.

    Attributes:
        source: the source's name (``namespace/pod`` or an address).
        source_class: the source's class (pods and addresses of one class behave alike).
        targets: target numbers, ascending; without the source's own ports, and with only the
            allowed flows when the matrix is ``allowed_only``.
        allowed: for each of ``targets``, whether the flow is allowed.
    """

    source: str
    source_class: int
    targets: IntArray
    allowed: BoolArray


@dataclass(frozen=True)
class Group:
    """A row of the grouped view: pods that behave alike, to pods that behave alike, on a port."""

    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    port: int
    protocol: str
    allowed: bool


class Matrix:
    """Every flow of an inventory, allowed or denied: sources x other pods x their ports.

    Sources are every pod, then every external address; each goes to every other pod on each
    of that pod's ports: its declared containerPorts, then the extra ports. Traffic of a pod to
    itself is not part of the matrix.

    Build it with :meth:`Analyzer.matrix`. Iterating yields :class:`Flow` objects in order
    (source, destination, port); renderers use :meth:`rows`, which hands out whole rows as
    arrays. :meth:`detail` and :meth:`verdict` say why a flow is allowed or denied.

    Attributes:
        allowed_only: whether denied flows are left out.
        extra_ports: the (port, protocol) pairs added to every destination.
        sources: the sources' names, pods then externals.
        destinations: the pods' names (every pod is a potential destination).
        pods_without_ports: the pods that receive no flows: no declared ports, no extra ports.
        target_pod: for each (destination pod, port) target, the index of the pod.
        target_entry: for each target, its class-level entry (see :class:`Grid`).
    """

    def __init__(
        self,
        analyzer: Analyzer,
        allowed_only: bool = False,
        extra_ports: tuple[tuple[int, str], ...] = (),
    ) -> None:
        self.analyzer = analyzer
        self.allowed_only = allowed_only
        self.extra_ports = extra_ports
        pods = analyzer.pods
        self.grid = grid = Grid(
            pods, analyzer.externals, analyzer.namespaces, analyzer.policies, extra_ports
        )
        table = grid.table
        self.destinations: tuple[str, ...] = tuple(pod.key for pod in pods)
        self.sources: tuple[str, ...] = self.destinations + tuple(e.key for e in analyzer.externals)
        self.source_class: IntArray = np.concatenate([table.pod_class, table.external_class])
        starts = np.asarray([r.start for r in grid.class_entries], dtype=np.int64)
        counts = np.asarray([len(r) for r in grid.class_entries], dtype=np.int64)
        per_pod = counts[table.pod_class] if len(pods) else np.zeros(0, dtype=np.int64)
        self.target_pod: IntArray = np.repeat(np.arange(len(pods), dtype=np.int64), per_pod)
        ends = np.cumsum(per_pod)
        self._pod_target_start: IntArray = ends - per_pod
        self._pod_target_end: IntArray = ends
        first = starts[table.pod_class] if len(pods) else np.zeros(0, dtype=np.int64)
        offsets = np.arange(len(self.target_pod), dtype=np.int64) - np.repeat(
            self._pod_target_start, per_pod
        )
        self.target_entry: IntArray = np.repeat(first, per_pod) + offsets
        self.pods_without_ports: tuple[str, ...] = tuple(
            pod.key for pod, count in zip(pods, per_pod, strict=True) if count == 0
        )
        self._class_rows: dict[int, tuple[IntArray, BoolArray]] = {}
        self._length: int | None = None

    # -- rows ----------------------------------------------------------------------------------

    def _class_row(self, number: int) -> tuple[IntArray, BoolArray]:
        cached = self._class_rows.get(number)
        if cached is None:
            verdicts = self.grid.allowed[number, self.target_entry]
            if self.allowed_only:
                targets = np.flatnonzero(verdicts)
                cached = (targets, np.ones(len(targets), dtype=np.bool_))
            else:
                cached = (np.arange(len(verdicts), dtype=np.int64), verdicts)
            self._class_rows[number] = cached
        return cached

    def rows(self) -> Iterator[SourceRow]:
        """Each source's flows, in source order, without the flows of a pod to itself."""
        pod_count = len(self.destinations)
        for index, name in enumerate(self.sources):
            number = int(self.source_class[index])
            targets, allowed = self._class_row(number)
            if index < pod_count:
                low = int(np.searchsorted(targets, self._pod_target_start[index]))
                high = int(np.searchsorted(targets, self._pod_target_end[index]))
                if high > low:
                    targets = np.concatenate([targets[:low], targets[high:]])
                    allowed = np.concatenate([allowed[:low], allowed[high:]])
            yield SourceRow(name, number, targets, allowed)

    def target(self, index: int) -> tuple[str, int, str]:
        """The (destination, port, protocol) of target ``index``."""
        entry = int(self.target_entry[index])
        return (
            self.destinations[int(self.target_pod[index])],
            int(self.grid.entry_port[entry]),
            PROTOCOLS[int(self.grid.entry_protocol[entry])],
        )

    def __iter__(self) -> Iterator[Flow]:
        for row in self.rows():
            for index, allowed in zip(row.targets.tolist(), row.allowed.tolist(), strict=True):
                destination, port, protocol = self.target(index)
                yield Flow(row.source, destination, port, protocol, bool(allowed))

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(len(row.targets) for row in self.rows())
        return self._length

    # -- why -----------------------------------------------------------------------------------

    def detail(self, source_class: int, entry: int) -> FlowDetail:
        """The rules behind every flow from ``source_class`` to target entry ``entry``."""
        isolated, rules = self.grid.ingress_detail(source_class, entry)
        egress = self.grid.egress_detail(source_class, entry)
        return FlowDetail(
            (isolated, tuple(rules)),
            None if egress is None else (egress[0], tuple(egress[1])),
        )

    def verdict(self, flow: Flow) -> Verdict:
        """The full verdict of one flow, with the reasons (see :meth:`Analyzer.evaluate`)."""
        return self.analyzer.evaluate(flow.source, flow.destination, flow.port, flow.protocol)

    # -- grouped view --------------------------------------------------------------------------

    def groups(self) -> list[Group]:
        """The flows with pods that behave alike merged, for tables meant for people.

        Sources are merged when their classes have the same verdict on every target entry
        (pods with pods, addresses outside the cluster with addresses);
        destinations when their classes declare the same ports and every source class gets the
        same verdicts on them. A row of one pod to itself only is left out.
        """
        grid = self.grid
        table = grid.table
        allowed = grid.allowed
        source_groups: dict[tuple[bool, bytes], list[int]] = {}
        for number in range(table.size):
            key = (number >= table.pod_classes, allowed[number].tobytes())
            source_groups.setdefault(key, []).append(number)
        destination_groups: dict[tuple[bytes, bytes], list[int]] = {}
        for number in range(table.pod_classes):
            span = slice(grid.class_entries[number].start, grid.class_entries[number].stop)
            ports = grid.entry_port[span].tobytes() + grid.entry_protocol[span].tobytes()
            behaviour = (ports, allowed[:, span].tobytes())
            destination_groups.setdefault(behaviour, []).append(number)
        names = [self._class_names(number) for number in range(table.size)]
        result: list[Group] = []
        for source_classes in source_groups.values():
            sources = tuple(name for n in source_classes for name in names[n])
            if not sources:
                continue
            for destination_classes in destination_groups.values():
                destinations = tuple(name for n in destination_classes for name in names[n])
                if not destinations or (len(sources) == 1 and sources == destinations):
                    continue
                entries = grid.class_entries[destination_classes[0]]
                for entry in entries:
                    verdict = bool(allowed[source_classes[0], entry])
                    if self.allowed_only and not verdict:
                        continue
                    protocol = PROTOCOLS[int(grid.entry_protocol[entry])]
                    result.append(
                        Group(sources, destinations, int(grid.entry_port[entry]), protocol, verdict)
                    )
        order = {name: index for index, name in enumerate(self.sources)}
        result.sort(key=lambda g: (order[g.sources[0]], order[g.destinations[0]]))
        return result

    def _class_names(self, number: int) -> list[str]:
        table = self.grid.table
        if number < table.pod_classes:
            return [self.destinations[i] for i in table.members[number]]
        return [
            self.sources[len(self.destinations) + i]
            for i in np.flatnonzero(table.external_class == number)
        ]
