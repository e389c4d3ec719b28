"""The Matrix: every flow of an inventory, allowed or denied, decided class by class."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress

from podfence.errors import InputError
from podfence.reachability.bits import indices
from podfence.reachability.grid import Grid, WhyRow
from podfence.reachability.inventory import Inventory
from podfence.reachability.model import Address, External
from podfence.reachability.policy import PolicySet
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.traffic import Endpoint, Traffic
from podfence.reachability.verdict import Verdict

__all__ = ["Flow", "Group", "Matrix", "SourceRow"]

_FLAGS = bytes.maketrans(b"01", b"\x00\x01")  # binary digits to 0/1 bytes
_ROW_CACHE = 64  # class rows kept at once: memory stays flat however large the output


@dataclass(frozen=True)
class Flow:
    """One flow of the matrix: ``source`` to ``destination`` on ``port``/``protocol``."""

    source: str
    destination: str
    port: int
    protocol: str
    allowed: bool


@dataclass(frozen=True)
class SourceRow:
    """The flows of one source: which targets, and whether each flow is allowed.

    A *target* is a (destination, port, protocol) triple, numbered in matrix order;
    :meth:`Matrix.target` names one.

    Attributes:
        source: the source's index in :attr:`Matrix.sources`.
        source_class: its class (pods and addresses of one class behave alike).
        targets: target numbers, ascending; without a pod's own ports and, for an address,
            without other addresses; only the allowed ones when the matrix is ``allowed_only``.
        allowed: for each of ``targets``, whether the flow is allowed.
    """

    source: int
    source_class: int
    targets: Sequence[int]
    allowed: Sequence[bool]


@dataclass(frozen=True)
class Group:
    """A row of the grouped view: endpoints that behave alike, to endpoints alike, on a port."""

    sources: tuple[Endpoint, ...]
    destinations: tuple[Endpoint, ...]
    port: int
    protocol: str
    allowed: bool


class Matrix:
    """Every flow: each source to every other pod (and address) on each of its ports.

    Sources are every pod, then every address outside the cluster; destinations the same. A pod
    is probed on its declared containerPorts and the extra ports; an address, which declares
    none, on the extra ports and on every numeric port an egress rule names. A pod's traffic to
    itself, and traffic between two addresses, are not part of the matrix.

    Build it with :meth:`build`. :meth:`rows` hands out each source's flows, computed once per
    class of sources and never all held at once; :meth:`why` gives the verdict sides per class,
    :meth:`verdict` one flow's :class:`Verdict`.

    Attributes:
        policies: the policies.
        inventory: the pods and namespaces.
        grid: the class-level decisions.
        allowed_only: whether denied flows are left out.
        sources: pods, then addresses.
        destinations: the same (every endpoint is a potential destination).
        pods_without_ports: the pods that receive no flows (no declared ports, no extra ports).
        addresses_of_pods: the given addresses that are a pod's IP, with that pod: they are
            evaluated as the pod, and left out of the addresses.
        probe_ports: the (port, protocol) pairs probed on each address as a destination.
        target_endpoint: for each target, the index of its destination.
        target_entry: for each target, its class-level entry (see :class:`Grid`).
    """

    def __init__(
        self,
        policies: PolicySet,
        inventory: Inventory,
        grid: Grid,
        externals: Sequence[External],
        allowed_only: bool,
        addresses_of_pods: Sequence[tuple[Address, str]],
        probe_ports: Sequence[tuple[int, str]] = (),
    ) -> None:
        self.policies = policies
        self.inventory = inventory
        self.grid = grid
        self.allowed_only = allowed_only
        self.addresses_of_pods = tuple(addresses_of_pods)
        self.probe_ports = tuple(probe_ports)
        table = grid.table
        self.sources: tuple[Endpoint, ...] = (*inventory.pods, *externals)
        self.destinations = self.sources
        self.source_class: list[int] = table.pod_class + table.external_class
        self.target_endpoint: list[int] = []
        self.target_entry: list[int] = []
        self._starts: list[int] = []
        self._entry_targets: list[list[int]] = [[] for _ in grid.entry_class]
        for index, number in enumerate(self.source_class):
            start = len(self.target_entry)
            self._starts.append(start)
            entries = grid.class_entries[number]
            self.target_endpoint.extend([index] * len(entries))
            self.target_entry.extend(entries)
            for target, entry in enumerate(entries, start):
                self._entry_targets[entry].append(target)
        self._starts.append(len(self.target_entry))
        pod_count = len(inventory.pods)
        self._pod_targets = self._starts[pod_count]
        self.pods_without_ports: tuple[str, ...] = tuple(
            pod.key
            for pod, start, end in zip(inventory.pods, self._starts, self._starts[1:], strict=False)
            if start == end
        )
        self._all_targets = range(len(self.target_entry))
        self._rows: dict[int, tuple[Sequence[int], Sequence[bool]]] = {}
        self._why: dict[int, WhyRow] = {}

    @classmethod
    def build(
        cls,
        policies: PolicySet,
        inventory: Inventory,
        externals: Iterable[Address] = (),
        ports: Sequence[tuple[int, str]] = (),
        allowed_only: bool = False,
        external_ports: Sequence[tuple[int, str]] = (),
        nodes: bool = False,
    ) -> Matrix:
        """Decide every flow.

        Args:
            policies: the NetworkPolicies.
            inventory: the namespaces and pods.
            externals: addresses outside the cluster, each both a source and a destination;
                none when omitted. An address that is a pod's IP is that pod.
            ports: (port, protocol) pairs to probe on every destination besides its declared
                containerPorts; none by default, so pods without declared ports then receive
                no flows (see :attr:`pods_without_ports`).
            allowed_only: keep only the allowed flows (default: allowed and denied).
            external_ports: more (port, protocol) pairs to probe on the addresses, besides
                ``ports`` and the egress rules' ports (e.g. the other side's, to compare two
                policy sets on the same flows); none by default.
            nodes: also every address of the inventory's nodes (InternalIP and ExternalIP, in
                node order), after ``externals`` and each once, so that flows to the nodes
                (what a ``nodes`` peer of a cluster-wide policy decides) are in the matrix
                without naming them; an address of a node that is a pod's IP (a hostNetwork
                pod) is that pod, already a source and destination. Off by default.

        Raises:
            InputError: a port that is not a number 1-65535 with TCP, UDP or SCTP.
        """
        for port, protocol in [*ports, *external_ports]:
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                raise InputError(f"port {port!r}/{protocol}: not a port number (1-65535)")
            if protocol not in PROTOCOLS:
                raise InputError(
                    f"port {port}/{protocol}: unsupported protocol (expected {', '.join(PROTOCOLS)})"
                )
        outside: dict[Address, None] = {}
        of_pods: dict[Address, str] = {}
        for address in externals:
            pod = inventory.with_ip(address)
            if pod is not None:
                of_pods[address] = pod.key
            else:
                outside.setdefault(address)
        if nodes:
            for node in inventory.nodes.values():
                for address in node.addresses:
                    if inventory.with_ip(address) is None:
                        outside.setdefault(address)
        addresses = [inventory.external(address) for address in outside]
        extra = list(dict.fromkeys(ports))
        probes = list(dict.fromkeys([*extra, *policies.egress_ports(), *external_ports]))
        grid = Grid(policies, inventory, addresses, extra, probes)
        return cls(
            policies, inventory, grid, addresses, allowed_only, list(of_pods.items()), probes
        )

    # -- rows ----------------------------------------------------------------------------------

    def class_row(self, number: int) -> tuple[Sequence[int], Sequence[bool]]:
        """The targets of a source of class ``number`` and their verdicts, before :meth:`cut`.

        Every target when the matrix has denied flows too; else only the allowed ones.
        """
        row = self.grid.allowed[number]
        cached = self._rows.get(row)  # classes often share a row: keyed by the row
        if cached is None:
            if len(self._rows) >= _ROW_CACHE:
                self._rows.clear()
            if not self.allowed_only:
                cached = (self._all_targets, self._target_flags(row))
            else:
                lists = [self._entry_targets[entry] for entry in indices(row)]
                if sum(map(len, lists)) * 16 < len(self.target_entry):  # few: merge them
                    targets: Sequence[int] = sorted(chain.from_iterable(lists))
                else:
                    targets = tuple(compress(self._all_targets, self._target_flags(row)))
                cached = (targets, (True,) * len(targets))
            self._rows[row] = cached
        return cached

    def _target_flags(self, row: int) -> Sequence[bool]:
        """For each target, whether its entry is in the set of entries ``row``."""
        digits = format(row, f"0{len(self.grid.entry_class)}b")[::-1]  # bit 0 first
        flags = digits.encode().translate(_FLAGS)
        return list(map(bool, bytes(map(flags.__getitem__, self.target_entry))))

    def cut(self, source: int, targets: Sequence[int]) -> tuple[int, int, int]:
        """Which of a class row's ``targets`` are not flows of source ``source``.

        Returns:
            (low, high, end): ``targets[low:high]`` are a pod's own ports, ``targets[end:]``
            the addresses an address does not reach; keep ``targets[:low] + targets[high:end]``.
        """
        starts = self._starts
        if source < len(self.inventory.pods):
            low = bisect_left(targets, starts[source])
            return low, bisect_left(targets, starts[source + 1], low), len(targets)
        end = bisect_left(targets, self._pod_targets)
        return end, end, end

    def rows(self) -> Iterator[SourceRow]:
        """Each source's flows, in source order (see :class:`SourceRow` for what is left out)."""
        for index, number in enumerate(self.source_class):
            targets, allowed = self.class_row(number)
            low, high, end = self.cut(index, targets)
            if high > low or end < len(targets):
                targets = [*targets[:low], *targets[high:end]]
                allowed = [*allowed[:low], *allowed[high:end]]
            yield SourceRow(index, number, targets, allowed)

    def target(self, index: int) -> tuple[str, int, str]:
        """The (destination, port, protocol) of target ``index``."""
        entry = self.target_entry[index]
        return (
            self.destinations[self.target_endpoint[index]].key,
            self.grid.entry_port[entry],
            PROTOCOLS[self.grid.entry_protocol[entry]],
        )

    def __iter__(self) -> Iterator[Flow]:
        for row in self.rows():
            source = self.sources[row.source].key
            for index, allowed in zip(row.targets, row.allowed, strict=True):
                destination, port, protocol = self.target(index)
                yield Flow(source, destination, port, protocol, allowed)

    # -- why -----------------------------------------------------------------------------------

    def why(self, source_class: int) -> WhyRow:
        """Per entry, the ingress and egress verdicts of a source of ``source_class``.

        In an allowed-only matrix, only the allowed entries' sides are worked out.
        """
        cached = self._why.get(source_class)
        if cached is None:
            if len(self._why) >= _ROW_CACHE:
                self._why.clear()
            within = self.grid.allowed[source_class] if self.allowed_only else -1
            cached = self._why[source_class] = self.grid.why(source_class, within)
        return cached

    def verdict(self, source: int, target: int) -> Verdict:
        """The verdict of the flow from source ``source`` to target ``target``."""
        number, entry = self.source_class[source], self.target_entry[target]
        why = self.why(number)
        if self.allowed_only and not self.grid.allowed[number] >> entry & 1:
            why = self.grid.why(number)  # a flow the matrix does not list: the whole row
        ingress, egress = why.at(entry)
        _, port, protocol = self.target(target)
        traffic = Traffic(
            self.sources[source], self.destinations[self.target_endpoint[target]], port, protocol
        )
        return Verdict(
            traffic, ingress, egress, self.inventory.implicit_namespaces, self.policies.ties
        )

    # -- grouped view --------------------------------------------------------------------------

    def groups(self) -> list[Group]:
        """The flows with endpoints that behave alike merged, for tables meant for people.

        Sources are merged when their classes have the same verdict on every entry (pods with
        pods, addresses with addresses); destinations when their classes are probed on the same
        ports and every source class gets the same verdicts on them. A row of one pod to itself
        only is left out, and so is a row between addresses.
        """
        grid = self.grid
        table = grid.table
        allowed = grid.allowed
        source_groups: dict[tuple[bool, int], list[int]] = {}
        for number in range(table.size):
            key = (number >= table.pod_classes, allowed[number])
            source_groups.setdefault(key, []).append(number)
        columns = self._columns()
        destination_groups: dict[tuple[bool, tuple[object, ...]], list[int]] = {}
        for number in range(table.size):
            behaviour = tuple(
                (grid.entry_port[entry], grid.entry_protocol[entry], columns[entry])
                for entry in grid.class_entries[number]
            )
            destination_groups.setdefault((number >= table.pod_classes, behaviour), []).append(
                number
            )
        members = [self._members(number) for number in range(table.size)]
        targets: list[tuple[tuple[Endpoint, ...], range, bool]] = []
        for (outside, _), classes in destination_groups.items():
            destinations = tuple(e for n in classes for e in members[n])
            if destinations and len(grid.class_entries[classes[0]]):
                targets.append((destinations, grid.class_entries[classes[0]], outside))
        result: list[Group] = []
        for (outside_source, row), classes in source_groups.items():
            sources = tuple(e for n in classes for e in members[n])
            for destinations, entries, outside_destination in targets:
                if (len(sources) == 1 and sources == destinations) or (
                    outside_source and outside_destination
                ):
                    continue
                for entry in entries:
                    verdict = row >> entry & 1 == 1
                    if self.allowed_only and not verdict:
                        continue
                    protocol = PROTOCOLS[grid.entry_protocol[entry]]
                    result.append(
                        Group(sources, destinations, grid.entry_port[entry], protocol, verdict)
                    )
        order = {endpoint.key: index for index, endpoint in enumerate(self.sources)}
        result.sort(key=lambda g: (order[g.sources[0].key], order[g.destinations[0].key]))
        return result

    def _members(self, number: int) -> list[Endpoint]:
        table = self.grid.table
        if number < table.pod_classes:
            return [self.sources[i] for i in table.members[number]]
        offset = len(self.inventory.pods)
        return [self.sources[offset + i] for i in table.members[number]]

    def _columns(self) -> list[str]:
        """For each entry, the verdicts of every source class on it, as a string of 0s and 1s."""
        width = len(self.grid.entry_class)
        texts = [format(row, f"0{width}b")[::-1] for row in self.grid.allowed]
        if not width or not texts:
            return [""] * width
        return ["".join(column) for column in zip(*texts, strict=True)]
