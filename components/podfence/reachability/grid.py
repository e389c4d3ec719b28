"""Every flow evaluated at once, class by class, with numpy boolean matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from podfence.reachability.classes import BoolArray, ClassTable
from podfence.reachability.model import External, Namespace, Pod
from podfence.reachability.peers import IpBlockPeer, Peer
from podfence.reachability.policy import Policy, Rule
from podfence.reachability.ports import PROTOCOLS, PortRule
from podfence.reachability.selectors import LabelSelector
from podfence.reachability.verdict import RuleRef

__all__ = ["Grid"]

IntArray = npt.NDArray[np.int64]


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

    Which rules admitted a pair is not stored per pair: :meth:`ingress_detail` and
    :meth:`egress_detail` find them from the per-rule masks when asked.
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
        self._peer_cache: dict[tuple[Peer, ...], BoolArray] = {}
        self._port_cache: dict[tuple[PortRule, ...], BoolArray] = {}
        self._named_cache: dict[tuple[str, str], BoolArray] = {}
        size, count = table.size, len(self.entry_class)
        self._ingress: BoolArray = np.zeros((size, count), dtype=np.bool_)
        self._egress: BoolArray = np.zeros((size, count), dtype=np.bool_)
        self.ingress_isolated: BoolArray = np.zeros(table.pod_classes, dtype=np.bool_)
        self.egress_isolated: BoolArray = np.zeros(size, dtype=np.bool_)
        # The rules that admit something, per entry (ingress) and per source class (egress),
        # with the rule's other side as bytes (one 0/1 per class or entry) for quick lookups.
        self._entry_rules: list[list[tuple[Rule, bytes]]] = [[] for _ in range(count)]
        self._source_rules: list[list[tuple[Rule, bytes]]] = [[] for _ in range(size)]
        for policy in policies:
            self._apply(policy)
        self._ingress[:, ~self.ingress_isolated[self.entry_class]] = True
        self._egress[~self.egress_isolated, :] = True
        # Step 5, in place: the two direction matrices are not needed afterwards.
        self._ingress &= self._egress
        self.allowed: BoolArray = self._ingress
        del self._ingress, self._egress

    # -- entries -------------------------------------------------------------------------------

    def _entries(self, extra_ports: Sequence[tuple[int, str]]) -> None:
        classes: list[int] = []
        numbers: list[int] = []
        protocols: list[int] = []
        self.class_entries: list[range] = []
        for number in range(self.table.pod_classes):
            start = len(classes)
            seen: set[tuple[int, str]] = set()
            declared = [(p.port, p.protocol) for p in self.table.ports_of[number]]
            for port, protocol in [*declared, *extra_ports]:
                if (port, protocol) in seen:
                    continue
                seen.add((port, protocol))
                classes.append(number)
                numbers.append(port)
                protocols.append(PROTOCOLS.index(protocol))
            self.class_entries.append(range(start, len(classes)))
        self.entry_class: IntArray = np.asarray(classes, dtype=np.int64)
        self.entry_port: IntArray = np.asarray(numbers, dtype=np.int64)
        self.entry_protocol: IntArray = np.asarray(protocols, dtype=np.int64)

    # -- masks ---------------------------------------------------------------------------------

    def _pad(self, pod_mask: BoolArray) -> BoolArray:
        """A mask over pod classes extended with False for the external classes."""
        full = np.zeros(self.table.size, dtype=np.bool_)
        full[: self.table.pod_classes] = pod_mask
        return full

    def selected(self, policy: Policy) -> BoolArray:
        """Step 1: the pod classes ``policy`` selects (its podSelector, in its namespace)."""
        return self.table.label_mask(policy.pod_selector) & self.table.in_namespace(
            policy.namespace
        )

    def peer_mask(self, peers: tuple[Peer, ...] | None) -> BoolArray:
        """The classes (pods' and externals') that one of ``peers`` matches; None matches all."""
        if peers is None:
            return np.ones(self.table.size, dtype=np.bool_)
        cached = self._peer_cache.get(peers)
        if cached is not None:
            return cached
        mask = np.zeros(self.table.size, dtype=np.bool_)
        pods = np.zeros(self.table.pod_classes, dtype=np.bool_)
        for peer in peers:
            if isinstance(peer, IpBlockPeer):
                mask |= self.table.in_block[:, self._block_column[peer]]
                continue
            if peer.namespace_selector is None:
                scope = self.table.in_namespace(peer.namespace or "")
            elif peer.namespace_selector.is_empty:
                scope = np.ones(self.table.pod_classes, dtype=np.bool_)
            else:
                scope = self.table.namespaces_matching(peer.namespace_selector)
            pods |= scope & self.table.label_mask(peer.pod_selector)
        mask[: self.table.pod_classes] |= pods
        self._peer_cache[peers] = mask
        return mask

    def _named(self, name: str, protocol: str) -> BoolArray:
        key = (name, protocol)
        cached = self._named_cache.get(key)
        if cached is None:
            cached = np.zeros(len(self.entry_class), dtype=np.bool_)
            code = PROTOCOLS.index(protocol)
            for number, ports in enumerate(self.table.ports_of):
                for declared in ports:
                    if declared.name == name and declared.protocol == protocol:
                        for entry in self.class_entries[number]:
                            if (
                                self.entry_port[entry] == declared.port
                                and self.entry_protocol[entry] == code
                            ):
                                cached[entry] = True
            self._named_cache[key] = cached
        return cached

    def port_mask(self, ports: tuple[PortRule, ...] | None) -> BoolArray:
        """The entries one of ``ports`` covers (named ports resolved on each entry's class)."""
        if ports is None:
            return np.ones(len(self.entry_class), dtype=np.bool_)
        cached = self._port_cache.get(ports)
        if cached is not None:
            return cached
        mask = np.zeros(len(self.entry_class), dtype=np.bool_)
        for rule in ports:
            if isinstance(rule.port, str):
                mask |= self._named(rule.port, rule.protocol)
                continue
            same = self.entry_protocol == PROTOCOLS.index(rule.protocol)
            if rule.port is not None:
                high = rule.end_port if rule.end_port is not None else rule.port
                same &= (self.entry_port >= rule.port) & (self.entry_port <= high)
            mask |= same
        self._port_cache[ports] = mask
        return mask

    # -- steps 2-4 -----------------------------------------------------------------------------

    def _apply(self, policy: Policy) -> None:
        selected = self.selected(policy)
        if not selected.any():
            return
        if policy.ingress is not None:
            self._apply_ingress(selected, policy.ingress)
        if policy.egress is not None:
            self._apply_egress(self._pad(selected), policy.egress)

    def _apply_ingress(self, selected: BoolArray, rules: tuple[Rule, ...]) -> None:
        """Steps 2 and 3 for one policy selecting the pod classes ``selected``."""
        self.ingress_isolated |= selected
        targeted = selected[self.entry_class]
        for rule in rules:
            rows = self.peer_mask(rule.peers)
            columns = np.flatnonzero(targeted & self.port_mask(rule.ports))
            row_index = np.flatnonzero(rows)
            if not len(columns) or not len(row_index):
                continue
            self._ingress[np.ix_(row_index, columns)] = True
            packed = rows.tobytes()
            for column in columns.tolist():
                self._entry_rules[column].append((rule, packed))

    def _apply_egress(self, selected: BoolArray, rules: tuple[Rule, ...]) -> None:
        """Steps 2 and 4 for one policy selecting the classes ``selected`` (padded)."""
        self.egress_isolated |= selected
        sources = np.flatnonzero(selected)
        for rule in rules:
            destinations = self.peer_mask(rule.peers)[: self.table.pod_classes]
            columns_mask = destinations[self.entry_class] & self.port_mask(rule.ports)
            columns = np.flatnonzero(columns_mask)
            if not len(columns):
                continue
            self._egress[np.ix_(sources, columns)] = True
            packed = columns_mask.tobytes()
            for number in sources.tolist():
                self._source_rules[number].append((rule, packed))

    # -- details -------------------------------------------------------------------------------

    def ingress_detail(self, source: int, entry: int) -> tuple[bool, list[RuleRef]]:
        """Whether the entry's class is isolated for ingress, and the rules admitting ``source``."""
        number = int(self.entry_class[entry])
        if not self.ingress_isolated[number]:
            return False, []
        return True, [rule.ref for rule, rows in self._entry_rules[entry] if rows[source]]

    def egress_detail(self, source: int, entry: int) -> tuple[bool, list[RuleRef]] | None:
        """Like :meth:`ingress_detail` for the source's egress; None for an external source."""
        if source >= self.table.pod_classes:
            return None
        if not self.egress_isolated[source]:
            return False, []
        return True, [rule.ref for rule, columns in self._source_rules[source] if columns[entry]]
