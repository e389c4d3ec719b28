"""Every flow evaluated at once, class by class, with sets of classes and entries as int bitsets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from podfence.reachability.bits import from_indices, indices, runs
from podfence.reachability.classes import ClassTable
from podfence.reachability.model import External, Namespace, Pod
from podfence.reachability.peers import IpBlockPeer, Peer
from podfence.reachability.policy import Policy, Rule
from podfence.reachability.ports import PROTOCOLS, PortRule
from podfence.reachability.selectors import LabelSelector
from podfence.reachability.verdict import RuleRef

__all__ = ["Grid"]


def _keys(selector: LabelSelector) -> set[str]:
    """The label keys ``selector`` looks at."""
    return {key for key, _ in selector.match_labels} | {r.key for r in selector.requirements}


class Grid:
    """The verdict of every (source class, destination entry) pair.

    An *entry* is a destination pod class and one of its ports: its declared containerPorts
    (port, protocol) followed by the extra ports not already declared. Sources are all classes:
    pod classes, then the classes of external addresses.

    The steps mirror the spec:

    1. Each policy selects the pod classes of its namespace its podSelector matches.
    2. A class is isolated for a direction when a policy with that direction selects it.
    3. Ingress: each ingress rule admits (its peers' source classes) x (the entries of the
       classes its policy selects, on the ports it lists); non-isolated entries admit all.
    4. Egress: each egress rule admits (the classes its policy selects) x (the entries of its
       peers' destination classes, on the ports it lists); non-isolated sources and external
       addresses are admitted everywhere.
    5. Allowed = ingress and egress.

    Sets of classes and of entries are ints used as bitsets (bit ``i``: class or entry ``i``;
    see :mod:`podfence.reachability.bits`).

    Which rules admitted a pair is not stored per pair: :meth:`ingress_detail` and
    :meth:`egress_detail` find them from the per-rule masks when asked.

    Attributes:
        table: the classes.
        entry_class, entry_port, entry_protocol: each entry's pod class, port number and
            protocol (an index into ``PROTOCOLS``).
        class_entries: each pod class's entries (consecutive).
        ingress_isolated: the set of pod classes isolated for ingress.
        egress_isolated: the set of classes isolated for egress.
        allowed: for each source class, the set of entries it may reach (step 5).
    """

    def __init__(
        self,
        pods: Sequence[Pod],
        externals: Sequence[External],
        namespaces: Mapping[str, Namespace],
        policies: Sequence[Policy],
        extra_ports: Sequence[tuple[int, str]] = (),
    ) -> None:
        blocks: dict[IpBlockPeer, None] = {}
        keys: set[str] = set()
        for policy in policies:
            keys.update(_keys(policy.pod_selector))
            for direction in ("ingress", "egress"):
                for rule in policy.rules(direction) or ():
                    for peer in rule.peers or ():
                        if isinstance(peer, IpBlockPeer):
                            blocks.setdefault(peer)
                        else:
                            keys.update(_keys(peer.pod_selector))
        self.table = table = ClassTable(pods, externals, namespaces, list(blocks), keys)
        self._block_column = {block: column for column, block in enumerate(blocks)}
        self._entries(extra_ports)
        self._all_classes = (1 << table.size) - 1
        self._all_entries = (1 << len(self.entry_class)) - 1
        self._peer_cache: dict[tuple[Peer, ...], int] = {}
        self._port_cache: dict[tuple[PortRule, ...], int] = {}
        self._named_cache: dict[tuple[str, str], int] = {}
        self._entry_cache: dict[int, int] = {}
        self.ingress_isolated = 0
        self.egress_isolated = 0
        # What the rules admit, as (set of sources) -> set of entries each of them may reach.
        self._ingress: dict[int, int] = {}
        self._egress: dict[int, int] = {}
        # The rules that admit something, per entry (ingress) and per source class (egress),
        # with the rule's other side (a set of classes or entries) for quick lookups.
        self._entry_rules: list[list[tuple[Rule, int]]] = [[] for _ in self.entry_class]
        self._source_rules: list[list[tuple[Rule, int]]] = [[] for _ in range(table.size)]
        for policy in policies:
            self._apply(policy)
        self.allowed: list[int] = self._combine()
        del self._ingress, self._egress

    def _combine(self) -> list[int]:
        """Steps 3-5 for every source class: the entries it may reach."""
        ingress = [0] * self.table.size
        for sources, entries in self._ingress.items():
            for number in indices(sources):
                ingress[number] |= entries
        egress = [self._all_entries] * self.table.size
        for number in indices(self.egress_isolated):
            egress[number] = 0
        for sources, entries in self._egress.items():
            for number in indices(sources):
                egress[number] |= entries
        open_entries = self.entries_of(self.table.pod_classes_mask & ~self.ingress_isolated)
        return [(i | open_entries) & e for i, e in zip(ingress, egress, strict=True)]

    # -- entries -------------------------------------------------------------------------------

    def _entries(self, extra_ports: Sequence[tuple[int, str]]) -> None:
        self.entry_class: list[int] = []
        self.entry_port: list[int] = []
        self.entry_protocol: list[int] = []
        self.class_entries: list[range] = []
        for number in range(self.table.pod_classes):
            start = len(self.entry_class)
            seen: set[tuple[int, str]] = set()
            declared = [(p.port, p.protocol) for p in self.table.ports_of[number]]
            for port, protocol in [*declared, *extra_ports]:
                if (port, protocol) in seen:
                    continue
                seen.add((port, protocol))
                self.entry_class.append(number)
                self.entry_port.append(port)
                self.entry_protocol.append(PROTOCOLS.index(protocol))
            self.class_entries.append(range(start, len(self.entry_class)))

    def entries_of(self, pod_classes: int) -> int:
        """The set of the entries of the set of pod classes ``pod_classes`` (cached)."""
        cached = self._entry_cache.get(pod_classes)
        if cached is None:
            cached = 0
            spans = self.class_entries
            for first, stop in runs(pod_classes):
                start, end = spans[first].start, spans[stop - 1].stop
                cached |= ((1 << (end - start)) - 1) << start
            self._entry_cache[pod_classes] = cached
        return cached

    # -- masks ---------------------------------------------------------------------------------

    def selected(self, policy: Policy) -> int:
        """Step 1: the set of pod classes ``policy`` selects (its podSelector, in its namespace)."""
        return self.table.label_mask(policy.pod_selector) & self.table.in_namespace(
            policy.namespace
        )

    def peer_mask(self, peers: tuple[Peer, ...] | None) -> int:
        """The set of classes (pods' and externals') one of ``peers`` matches; None matches all."""
        if peers is None:
            return self._all_classes
        cached = self._peer_cache.get(peers)
        if cached is not None:
            return cached
        mask = 0
        table = self.table
        for peer in peers:
            if isinstance(peer, IpBlockPeer):
                mask |= table.in_block[self._block_column[peer]]
                continue
            if peer.namespace_selector is None:
                scope = table.in_namespace(peer.namespace or "")
            elif peer.namespace_selector.is_empty:
                scope = table.pod_classes_mask
            else:
                scope = table.namespaces_matching(peer.namespace_selector)
            mask |= scope & table.label_mask(peer.pod_selector)
        self._peer_cache[peers] = mask
        return mask

    def _named(self, name: str, protocol: str) -> int:
        key = (name, protocol)
        cached = self._named_cache.get(key)
        if cached is None:
            found: list[int] = []
            code = PROTOCOLS.index(protocol)
            for number, ports in enumerate(self.table.ports_of):
                for declared in ports:
                    if declared.name == name and declared.protocol == protocol:
                        found.extend(
                            entry
                            for entry in self.class_entries[number]
                            if self.entry_port[entry] == declared.port
                            and self.entry_protocol[entry] == code
                        )
            cached = self._named_cache[key] = from_indices(found, len(self.entry_class))
        return cached

    def port_mask(self, ports: tuple[PortRule, ...] | None) -> int:
        """The set of entries one of ``ports`` covers (named ports resolved on each entry's class)."""
        if ports is None:
            return self._all_entries
        cached = self._port_cache.get(ports)
        if cached is not None:
            return cached
        mask = 0
        for rule in ports:
            if isinstance(rule.port, str):
                mask |= self._named(rule.port, rule.protocol)
                continue
            code = PROTOCOLS.index(rule.protocol)
            pairs = enumerate(zip(self.entry_port, self.entry_protocol, strict=True))
            if rule.port is None:
                found = [entry for entry, (_, protocol) in pairs if protocol == code]
            else:
                low = rule.port
                high = rule.end_port if rule.end_port is not None else low
                found = [
                    entry
                    for entry, (port, protocol) in pairs
                    if protocol == code and low <= port <= high
                ]
            mask |= from_indices(found, len(self.entry_class))
        self._port_cache[ports] = mask
        return mask

    # -- steps 2-4 -----------------------------------------------------------------------------

    def _apply(self, policy: Policy) -> None:
        selected = self.selected(policy)
        if not selected:
            return
        if policy.ingress is not None:
            self._apply_ingress(selected, policy.ingress)
        if policy.egress is not None:
            self._apply_egress(selected, policy.egress)

    def _apply_ingress(self, selected: int, rules: tuple[Rule, ...]) -> None:
        """Steps 2 and 3 for one policy selecting the set of pod classes ``selected``."""
        self.ingress_isolated |= selected
        targeted = self.entries_of(selected)
        for rule in rules:
            sources = self.peer_mask(rule.peers)
            entries = targeted & self.port_mask(rule.ports)
            if not entries or not sources:
                continue
            self._ingress[sources] = self._ingress.get(sources, 0) | entries
            for entry in indices(entries):
                self._entry_rules[entry].append((rule, sources))

    def _apply_egress(self, selected: int, rules: tuple[Rule, ...]) -> None:
        """Steps 2 and 4 for one policy selecting the set of pod classes ``selected``."""
        self.egress_isolated |= selected
        numbers = indices(selected)
        for rule in rules:
            destinations = self.peer_mask(rule.peers) & self.table.pod_classes_mask
            entries = self.entries_of(destinations) & self.port_mask(rule.ports)
            if not entries:
                continue
            self._egress[selected] = self._egress.get(selected, 0) | entries
            for number in numbers:
                self._source_rules[number].append((rule, entries))

    # -- details -------------------------------------------------------------------------------

    def ingress_detail(self, source: int, entry: int) -> tuple[bool, list[RuleRef]]:
        """Whether the entry's class is isolated for ingress, and the rules admitting ``source``."""
        if not self.ingress_isolated >> self.entry_class[entry] & 1:
            return False, []
        return True, [
            rule.ref for rule, sources in self._entry_rules[entry] if sources >> source & 1
        ]

    def egress_detail(self, source: int, entry: int) -> tuple[bool, list[RuleRef]] | None:
        """Like :meth:`ingress_detail` for the source's egress; None for an external source."""
        if source >= self.table.pod_classes:
            return None
        if not self.egress_isolated >> source & 1:
            return False, []
        return True, [
            rule.ref for rule, entries in self._source_rules[source] if entries >> entry & 1
        ]
