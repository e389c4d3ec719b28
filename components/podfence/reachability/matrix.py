"""The Matrix: every flow of an inventory, allowed or denied, computed class by class."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, compress
from typing import TYPE_CHECKING

from podfence.reachability.bits import indices
from podfence.reachability.grid import Grid
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.verdict import RuleRef, Verdict

if TYPE_CHECKING:
    from podfence.reachability.analyzer import Analyzer

__all__ = ["Flow", "FlowDetail", "Group", "Matrix", "SourceRow"]

_FLAGS = bytes.maketrans(b"01", b"\x00\x01")  # binary digits to 0/1 bytes


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
    """The flows of one source, as tuples: which targets, and whether each flow is allowed.

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
    targets: tuple[int, ...]
    allowed: tuple[bool, ...]


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
    tuples. :meth:`detail` and :meth:`verdict` say why a flow is allowed or denied.

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
        self.source_class: list[int] = table.pod_class + table.external_class
        self.target_pod: list[int] = []
        self.target_entry: list[int] = []
        self._pod_target_start: list[int] = []
        # For each entry, its targets (ascending): the allowed targets of a class, by entry.
        self._entry_targets: list[list[int]] = [[] for _ in grid.entry_class]
        for index, number in enumerate(table.pod_class):
            start = len(self.target_entry)
            self._pod_target_start.append(start)
            entries = grid.class_entries[number]
            self.target_pod.extend([index] * len(entries))
            self.target_entry.extend(entries)
            for target, entry in enumerate(entries, start):
                self._entry_targets[entry].append(target)
        self._pod_target_start.append(len(self.target_entry))
        self.pods_without_ports: tuple[str, ...] = tuple(
            pod.key
            for pod, start, end in zip(
                pods, self._pod_target_start, self._pod_target_start[1:], strict=False
            )
            if start == end
        )
        self._all_targets = tuple(range(len(self.target_entry)))
        self._class_rows: dict[int, tuple[tuple[int, ...], tuple[bool, ...]]] = {}
        self._length: int | None = None

    # -- rows ----------------------------------------------------------------------------------

    def _class_row(self, number: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
        """The targets of a source of class ``number`` (its own included), and their verdicts."""
        row = self.grid.allowed[number]
        cached = self._class_rows.get(row)  # classes often share a row: keyed by the row
        if cached is None:
            if not self.allowed_only:
                cached = (self._all_targets, tuple(map(bool, self._target_flags(row))))
            else:
                lists = [self._entry_targets[entry] for entry in indices(row)]
                if sum(map(len, lists)) * 16 < len(self.target_entry):  # few: merge them
                    targets = tuple(sorted(chain.from_iterable(lists)))
                else:
                    targets = tuple(compress(self._all_targets, self._target_flags(row)))
                cached = (targets, (True,) * len(targets))
            self._class_rows[row] = cached
        return cached

    def _target_flags(self, row: int) -> bytes:
        """For each target, 1 when its entry is in the set of entries ``row``, else 0."""
        digits = format(row, f"0{len(self.grid.entry_class)}b")[::-1]  # bit 0 first
        flags = digits.encode().translate(_FLAGS)
        return bytes(map(flags.__getitem__, self.target_entry))

    def rows(self) -> Iterator[SourceRow]:
        """Each source's flows, in source order, without the flows of a pod to itself."""
        pod_count = len(self.destinations)
        starts = self._pod_target_start
        for index, name in enumerate(self.sources):
            number = self.source_class[index]
            targets, allowed = self._class_row(number)
            if index < pod_count:
                low = bisect_left(targets, starts[index])
                high = bisect_left(targets, starts[index + 1], low)
                if high > low:
                    targets = targets[:low] + targets[high:]
                    allowed = allowed[:low] + allowed[high:]
            yield SourceRow(name, number, targets, allowed)

    def target(self, index: int) -> tuple[str, int, str]:
        """The (destination, port, protocol) of target ``index``."""
        entry = self.target_entry[index]
        return (
            self.destinations[self.target_pod[index]],
            self.grid.entry_port[entry],
            PROTOCOLS[self.grid.entry_protocol[entry]],
        )

    def __iter__(self) -> Iterator[Flow]:
        for row in self.rows():
            for index, allowed in zip(row.targets, row.allowed, strict=True):
                destination, port, protocol = self.target(index)
                yield Flow(row.source, destination, port, protocol, allowed)

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
        source_groups: dict[tuple[bool, int], list[int]] = {}
        for number in range(table.size):
            key = (number >= table.pod_classes, allowed[number])
            source_groups.setdefault(key, []).append(number)
        columns = self._columns()
        destination_groups: dict[tuple[object, ...], list[int]] = {}
        for number in range(table.pod_classes):
            span = grid.class_entries[number]
            behaviour = tuple(
                (grid.entry_port[entry], grid.entry_protocol[entry], columns[entry])
                for entry in span
            )
            destination_groups.setdefault(behaviour, []).append(number)
        names = [self._class_names(number) for number in range(table.size)]
        targets: list[tuple[tuple[str, ...], range]] = []  # per destination group, with entries
        for destination_classes in destination_groups.values():
            destinations = tuple(name for n in destination_classes for name in names[n])
            if destinations:
                targets.append((destinations, grid.class_entries[destination_classes[0]]))
        result: list[Group] = []
        for source_classes in source_groups.values():
            sources = tuple(name for n in source_classes for name in names[n])
            if not sources:
                continue
            row = allowed[source_classes[0]]
            for destinations, entries in targets:
                if len(sources) == 1 and sources == destinations:
                    continue
                if self.allowed_only and not row >> entries.start & ((1 << len(entries)) - 1):
                    continue
                for entry in entries:
                    verdict = row >> entry & 1 == 1
                    if self.allowed_only and not verdict:
                        continue
                    protocol = PROTOCOLS[grid.entry_protocol[entry]]
                    result.append(
                        Group(sources, destinations, grid.entry_port[entry], protocol, verdict)
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
            for i, external in enumerate(table.external_class)
            if external == number
        ]

    def _columns(self) -> list[str]:
        """For each entry, the verdicts of every source class on it, as a string of 0s and 1s."""
        width = len(self.grid.entry_class)
        texts = [format(row, f"0{width}b")[::-1] for row in self.grid.allowed]
        if not width or not texts:
            return []
        return ["".join(column) for column in zip(*texts, strict=True)]
