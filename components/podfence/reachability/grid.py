"""Every flow decided at once, class by class: the spec's predicates per class, bitsets to combine."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from podfence.reachability.admin import AdminPeer, AdminPort, AdminRule, ClusterPolicy
from podfence.reachability.admin_peers import DomainNamesPeer, NodePeer
from podfence.reachability.bits import from_indices, indices, runs
from podfence.reachability.classes import ClassTable
from podfence.reachability.inventory import Inventory
from podfence.reachability.isolation import connection_allows, isolating
from podfence.reachability.model import External
from podfence.reachability.peers import IpBlockPeer, Peer, PodPeer
from podfence.reachability.policy import Policy, PolicySet, Rule
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.selectors import LabelSelector
from podfence.reachability.tiers import DENY, PASS, first_match, tiers_allow
from podfence.reachability.traffic import Endpoint
from podfence.reachability.verdict import NOT_ISOLATED, DirectionVerdict, tiered_verdict

__all__ = ["Grid", "Side", "WhyRow"]

#: One side of a flow's verdict: None where the side does not apply (an address's).
Side = DirectionVerdict | None
#: A rule of a NetworkPolicy or of a cluster-wide policy: what the grid asks the predicates of.
AnyRule = Rule | AdminRule
R = TypeVar("R", Rule, AdminRule)
#: NetworkPolicy rules, each with the set of entries it admits one source class to.
Applied = list[tuple[Rule, int]]
#: Cluster-wide rules, each with the set of entries it matches for one source class, in
#: evaluation order.
TierApplied = list[tuple[AdminRule, int]]


@dataclass(frozen=True)
class WhyRow:
    """The verdict sides of one source class on every entry, as bases and the entries rules touch.

    Attributes:
        ingress_base: per entry, its ingress side when no rule admits the source (shared).
        ingress: the entries some ingress rule admits the source to, with their side.
        egress_base: the source's egress side where no egress rule admits it (None for an
            address, which no egress policy applies to).
        egress: the entries some egress rule admits the source to, with their side.
    """

    ingress_base: list[Side]
    ingress: dict[int, DirectionVerdict]
    egress_base: Side
    egress: dict[int, DirectionVerdict]

    def at(self, entry: int) -> tuple[Side, Side]:
        """The (ingress, egress) sides at ``entry``."""
        return (
            self.ingress.get(entry, self.ingress_base[entry]),
            self.egress.get(entry, self.egress_base),
        )


def _keys(selector: LabelSelector) -> set[str]:
    """The label keys ``selector`` reads."""
    return {key for key, _ in selector.match_labels} | {r.key for r in selector.requirements}


def _blocks_and_keys(
    policies: PolicySet,
) -> tuple[list[IpBlockPeer], set[str], set[str] | None]:
    """The distinct ipBlocks (and ``networks`` CIDRs) of every rule, every label key a pod
    selector reads, and every label key a ``nodes`` peer reads (None when there is none)."""
    blocks: dict[IpBlockPeer, None] = {}
    keys: set[str] = set()
    node_keys: set[str] | None = None
    peers: list[AdminPeer] = []
    for policy in policies:
        keys.update(_keys(policy.pod_selector))
        for direction in ("ingress", "egress"):
            for rule in policy.rules(direction) or ():
                peers.extend(rule.peers or ())
    for cluster_policy in policies.cluster_policies:
        peers.append(cluster_policy.subject)
        for admin_rule in (*cluster_policy.ingress, *cluster_policy.egress):
            peers.extend(admin_rule.peers)
    for peer in peers:
        if isinstance(peer, IpBlockPeer):
            blocks.setdefault(peer)
        elif isinstance(peer, PodPeer):
            keys.update(_keys(peer.pod_selector))
        elif isinstance(peer, NodePeer):
            node_keys = (node_keys or set()) | _keys(peer.selector)
    return list(blocks), keys, node_keys


class Grid:
    """The verdict of every (source class, destination entry) pair.

    An *entry* is a destination class and a port: for a pod class, its declared containerPorts
    (port, protocol) followed by the extra ports not already declared; for a class of addresses
    outside the cluster (which declare none), the ``probe_ports``. Sources are all classes: pod
    classes, then the classes of addresses.

    Each predicate of the spec is asked of one representative per class, never re-implemented:
    :meth:`Policy.selects` (through :func:`~podfence.reachability.isolation.isolating`),
    :meth:`PodPeer.matches` (also a cluster-wide policy's subject), :meth:`IpBlockPeer.contains`,
    :meth:`NodePeer.matches`, :meth:`Rule.port_matches` and :meth:`AdminRule.port_matches`.
    Bitsets (ints, bit ``i``: class or entry ``i``; see :mod:`podfence.reachability.bits`) only
    combine their answers. The steps mirror the spec:

    1. Isolation: the policies that isolate each pod class, per direction.
    2. Ingress: each ingress rule of an isolating policy admits (the source classes a peer
       matches) x (the entries of the classes the policy isolates, on the ports it matches).
    3. Egress: each egress rule admits (the classes its policy isolates) x (the entries of the
       destination classes a peer matches, on the ports it matches).
    4. Cluster-wide rules match, likewise, with the classes their policy's subject selects in
       place of the isolated ones; per source class they are kept in evaluation order, and
       :func:`~podfence.reachability.tiers.first_match` gives each entry its deciding rule.
    5. Each direction combines the tiers (:func:`~podfence.reachability.tiers.tiers_allow`:
       Admin, then NetworkPolicies, then Baseline, else allowed); a connection needs both
       (:func:`connection_allows`).

    Attributes:
        table: the classes.
        entry_class, entry_port, entry_protocol: each entry's class, port number and protocol
            (an index into ``PROTOCOLS``).
        class_entries: each class's entries (consecutive; pod classes first).
        pod_entries: the set of the entries of pod classes.
        ingress_isolating: per pod class, the policies that isolate it for ingress.
        egress_isolating: per pod class, the policies that isolate it for egress.
        allowed: for each source class, the set of entries it may reach. An address reaches no
            address: those entries are never allowed from an address.
    """

    def __init__(
        self,
        policies: PolicySet,
        inventory: Inventory,
        externals: Sequence[External] = (),
        extra_ports: Sequence[tuple[int, str]] = (),
        probe_ports: Sequence[tuple[int, str]] = (),
    ) -> None:
        blocks, keys, node_keys = _blocks_and_keys(policies)
        self.table = table = ClassTable(inventory.pods, externals, blocks, keys, node_keys)
        self._inventory = inventory
        self._block_column = {block: column for column, block in enumerate(blocks)}
        self._entries(extra_ports, probe_ports)
        self._named = [ports if any(p.name for p in ports) else () for ports in table.ports_of]
        self._all_entries = (1 << len(self.entry_class)) - 1
        self._peer_cache: dict[AdminPeer, int] = {}
        self._port_cache: dict[tuple[AdminPort, ...], int] = {}
        self._entry_cache: dict[int, int] = {}
        self._kinds: list[tuple[int, str, Endpoint, int]] | None = None
        self._candidates: dict[LabelSelector, list[str]] = {}
        selected = self._isolation(policies)
        # Steps 2 and 3: per source class, the (rule, entries) each rule admits it to.
        self._ingress_rules: list[Applied] = [[] for _ in range(table.size)]
        self._egress_rules: list[Applied] = [[] for _ in range(table.size)]
        for policy in policies:
            for direction in ("ingress", "egress"):
                classes = selected.get((policy, direction), 0)
                if classes:
                    for rule in policy.rules(direction) or ():
                        self._apply(rule, classes, self._ingress_rules, self._egress_rules)
        # Step 4: per source class and tier, the (rule, entries) each cluster-wide rule matches.
        self._tiered = bool(policies.admin or policies.baseline)
        self._admin_rules = self._tier_rules(policies.admin)
        self._baseline_rules = self._tier_rules(policies.baseline)
        self.allowed: list[int] = [self._row(number) for number in range(table.size)]
        self._bases: list[Side] | None = None
        self._rule_sources: dict[Rule, list[int]] | None = None
        self._isolated_by_cache: dict[Policy, tuple[int, int]] | None = None
        self._sides: dict[tuple[object, ...], DirectionVerdict] = {}

    def _isolation(self, policies: PolicySet) -> dict[tuple[Policy, str], int]:
        """Step 1: per pod class and direction, the isolating policies; per policy, its classes."""
        table = self.table
        self.ingress_isolating: list[tuple[Policy, ...]] = []
        self.egress_isolating: list[tuple[Policy, ...]] = []
        selected: dict[tuple[Policy, str], int] = {}
        # The policies selecting each class (Policy.selects, asked of the classes its podSelector
        # may match), in policy order, as :func:`~podfence.reachability.isolation.selecting`.
        selecting: list[list[Policy]] = [[] for _ in range(table.pod_classes)]
        for policy in policies:
            in_namespace = table.by_namespace.get(policy.namespace, ())
            for number in table.candidates(policy.pod_selector, in_namespace):
                if policy.selects(table.representative[number]):
                    selecting[number].append(policy)
        for number, found_here in enumerate(selecting):
            for direction, found in (
                ("ingress", self.ingress_isolating),
                ("egress", self.egress_isolating),
            ):
                chosen = isolating(found_here, direction)
                found.append(chosen)
                for policy in chosen:
                    key = (policy, direction)
                    selected[key] = selected.get(key, 0) | 1 << number
        self.ingress_isolated = from_indices(
            (n for n, found in enumerate(self.ingress_isolating) if found), table.size
        )
        self.egress_isolated = from_indices(
            (n for n, found in enumerate(self.egress_isolating) if found), table.size
        )
        return selected

    # -- entries -------------------------------------------------------------------------------

    def _entries(
        self, extra_ports: Sequence[tuple[int, str]], probe_ports: Sequence[tuple[int, str]]
    ) -> None:
        self.entry_class: list[int] = []
        self.entry_port: list[int] = []
        self.entry_protocol: list[int] = []
        self.class_entries: list[range] = []
        table = self.table
        for number in range(table.size):
            start = len(self.entry_class)
            if number < table.pod_classes:
                declared = [(p.port, p.protocol) for p in table.ports_of[number]]
                ports = [*declared, *extra_ports]
            else:
                ports = list(probe_ports)
            for port, protocol in dict.fromkeys(ports):
                self.entry_class.append(number)
                self.entry_port.append(port)
                self.entry_protocol.append(PROTOCOLS.index(protocol))
            self.class_entries.append(range(start, len(self.entry_class)))
        pod_end = self.class_entries[table.pod_classes - 1].stop if table.pod_classes else 0
        self.pod_entries = (1 << pod_end) - 1

    def entries_of(self, classes: int) -> int:
        """The set of the entries of the set of classes ``classes`` (cached)."""
        cached = self._entry_cache.get(classes)
        if cached is None:
            cached = 0
            spans = self.class_entries
            for first, stop in runs(classes):
                start, end = spans[first].start, spans[stop - 1].stop
                cached |= ((1 << (end - start)) - 1) << start
            self._entry_cache[classes] = cached
        return cached

    # -- what one rule matches -----------------------------------------------------------------

    def _peer_mask(self, peer: AdminPeer) -> int:
        """The set of classes ``peer`` matches, asked of each class in a namespace it can match
        (of each class of addresses, for a ``nodes`` peer)."""
        cached = self._peer_cache.get(peer)
        if cached is not None:
            return cached
        table = self.table
        if isinstance(peer, IpBlockPeer):
            mask = table.in_block[self._block_column[peer]]
        elif isinstance(peer, NodePeer):
            addresses = range(table.pod_classes, table.size)
            mask = from_indices(
                (n for n in addresses if peer.matches(table.representative[n])), table.size
            )
        elif isinstance(peer, DomainNamesPeer):
            mask = 0  # matches no address offline (see DomainNamesPeer)
        else:
            if peer.namespace_selector is None:
                candidates = [peer.namespace or ""]
            else:
                candidates = self._namespaces_for(peer)
            representative = table.representative
            selector = peer.pod_selector
            mask = from_indices(
                (
                    number
                    for name in candidates
                    for number in table.candidates(selector, table.by_namespace.get(name, ()))
                    if peer.matches(representative[number])
                ),
                table.size,
            )
        self._peer_cache[peer] = mask
        return mask

    def _namespaces_for(self, peer: PodPeer) -> list[str]:
        """The namespaces whose labels the peer's namespaceSelector matches (per selector)."""
        selector = peer.namespace_selector
        assert selector is not None
        found = self._candidates.get(selector)
        if found is None:
            found = self._candidates[selector] = [
                name
                for name, namespace in self._inventory.namespaces.items()
                if peer.namespace_matches(name, namespace.labels)
            ]
        return found

    def peer_mask(self, rule: AnyRule) -> int:
        """The set of classes one of the rule's peers matches (every class when it has none)."""
        if rule.peers is None:
            return (1 << self.table.size) - 1
        mask = 0
        for peer in rule.peers:
            mask |= self._peer_mask(peer)
        return mask

    def port_mask(self, rule: AnyRule) -> int:
        """The set of entries :meth:`Rule.port_matches` admits, asked once per kind of entry."""
        if rule.ports is None:
            return self._all_entries
        cached = self._port_cache.get(rule.ports)
        if cached is None:
            cached = 0
            for port, protocol, destination, members in self._entry_kinds():
                if rule.port_matches(port, protocol, destination):
                    cached |= members
            self._port_cache[rule.ports] = cached
        return cached

    def _entry_kinds(self) -> list[tuple[int, str, Endpoint, int]]:
        """Entries alike for every port rule (same port and protocol, same named ports), as
        (port, protocol, a destination of theirs, the set of them)."""
        if self._kinds is None:
            groups: dict[tuple[object, ...], list[int]] = {}
            for entry, number in enumerate(self.entry_class):
                key = (self.entry_port[entry], self.entry_protocol[entry], self._named[number])
                groups.setdefault(key, []).append(entry)
            size = len(self.entry_class)
            self._kinds = [
                (
                    self.entry_port[members[0]],
                    PROTOCOLS[self.entry_protocol[members[0]]],
                    self.table.representative[self.entry_class[members[0]]],
                    from_indices(members, size),
                )
                for members in groups.values()
            ]
        return self._kinds

    # -- steps 2-4 -----------------------------------------------------------------------------

    def _apply(
        self,
        rule: R,
        selected: int,
        ingress: list[list[tuple[R, int]]],
        egress: list[list[tuple[R, int]]],
    ) -> None:
        """Steps 2 to 4 for one rule of a policy that applies to the classes ``selected`` (the
        ones it isolates, or its subject's): per source class, the entries the rule matches it
        to, appended to ``ingress`` or ``egress``."""
        if rule.direction == "ingress":
            sources = self.peer_mask(rule)
            entries = self.entries_of(selected) & self.port_mask(rule)
            owners, found = sources, ingress
        else:
            entries = self.entries_of(self.peer_mask(rule)) & self.port_mask(rule)
            owners, found = selected, egress
        if entries and owners:
            for number in indices(owners):
                found[number].append((rule, entries))

    def _tier_rules(
        self, tier: Sequence[ClusterPolicy]
    ) -> tuple[list[TierApplied], list[TierApplied]]:
        """Step 4 for the policies of one tier, in evaluation order: per source class, the
        (rule, entries) of their ingress rules and of their egress rules, in that order."""
        size = self.table.size
        ingress: list[TierApplied] = [[] for _ in range(size)]
        egress: list[TierApplied] = [[] for _ in range(size)]
        for policy in tier:
            subjects = self._peer_mask(policy.subject)
            if subjects:
                for rule in (*policy.ingress, *policy.egress):
                    self._apply(rule, subjects, ingress, egress)
        return ingress, egress

    @staticmethod
    def _decided(applied: TierApplied, universe: int) -> tuple[int, int]:
        """The entries of ``universe`` the first matching rule allows (Allow, Accept) and denies
        (Deny); the rest were passed on or matched nothing."""
        allowed = denied = 0
        for rule, won in first_match(applied, universe):
            if rule.action == DENY:
                denied |= won
            elif rule.action != PASS:
                allowed |= won
        return allowed, denied

    def _direction(
        self, number: int, direction: str, isolated: int, admitted: int, everything: int
    ) -> int:
        """Step 5 for one direction of source class ``number``: the entries it allows."""
        at = 0 if direction == "ingress" else 1
        admin_allowed = admin_denied = baseline_denied = 0
        if self._tiered:
            admin_allowed, admin_denied = self._decided(self._admin_rules[at][number], everything)
            _, baseline_denied = self._decided(self._baseline_rules[at][number], everything)
        return tiers_allow(
            admin_allowed, admin_denied, isolated, admitted, baseline_denied, everything
        )

    def _row(
        self,
        number: int,
        dropped: Collection[Rule] = (),
        ingress_isolated: int | None = None,
        egress_isolated: int | None = None,
    ) -> int:
        """Step 5 for source class ``number``: the entries it may reach.

        Args:
            number: the source class.
            dropped: rules to leave out, as if they did not exist (none by default).
            ingress_isolated: the classes isolated for ingress (default: as the policies say).
            egress_isolated: the classes isolated for egress (default: as the policies say).
        """
        everything = self._all_entries
        ingress_rules = self._ingress_rules[number]
        egress_rules = self._egress_rules[number]
        if dropped:
            ingress_rules = [pair for pair in ingress_rules if pair[0] not in dropped]
            egress_rules = [pair for pair in egress_rules if pair[0] not in dropped]
        admitted_in = 0
        for _, entries in ingress_rules:
            admitted_in |= entries
        admitted_out = 0
        for _, entries in egress_rules:
            admitted_out |= entries
        if ingress_isolated is None:
            ingress_isolated = self.ingress_isolated
        if egress_isolated is None:
            egress_isolated = self.egress_isolated
        isolated_in = self.entries_of(ingress_isolated)
        isolated_out = everything if egress_isolated >> number & 1 else 0
        row = connection_allows(
            self._direction(number, "ingress", isolated_in, admitted_in, everything),
            self._direction(number, "egress", isolated_out, admitted_out, everything),
        )
        if number >= self.table.pod_classes:  # an address reaches pods only
            row &= self.pod_entries
        return int(row)

    # -- what-if: the same steps without some rules or policies --------------------------------

    def admissions(self, number: int, direction: str) -> Sequence[tuple[Rule, int]]:
        """The rules of ``direction`` that admit source class ``number``, with the entries each
        admits it to (steps 2 and 3), in policy and rule order; a rule that admits the class to
        no entry is not listed."""
        return (self._ingress_rules if direction == "ingress" else self._egress_rules)[number]

    def rule_sources(self, rule: Rule) -> list[int]:
        """The source classes ``rule`` admits to at least one entry (see :meth:`admissions`)."""
        if self._rule_sources is None:
            found: dict[Rule, list[int]] = {}
            for lists in (self._ingress_rules, self._egress_rules):
                for number, applied in enumerate(lists):
                    for admitting, _ in applied:
                        found.setdefault(admitting, []).append(number)
            self._rule_sources = found
        return self._rule_sources.get(rule, [])

    def peer_classes(self, peer: Peer) -> int:
        """The set of classes ``peer`` matches (pods' classes, and addresses' for an ipBlock)."""
        return self._peer_mask(peer)

    def _isolated_by(self) -> dict[Policy, tuple[int, int]]:
        """Per policy, the sets of classes it isolates for ingress and for egress (cached)."""
        if self._isolated_by_cache is None:
            found: dict[Policy, list[int]] = {}
            for slot, lists in enumerate((self.ingress_isolating, self.egress_isolating)):
                for number, policies in enumerate(lists):
                    for policy in policies:
                        found.setdefault(policy, [0, 0])[slot] |= 1 << number
            self._isolated_by_cache = {policy: (a, b) for policy, (a, b) in found.items()}
        return self._isolated_by_cache

    def rows_without(
        self, rules: Collection[Rule] = (), policies: Collection[Policy] = ()
    ) -> Iterator[tuple[int, int]]:
        """The rows of :attr:`allowed` that can differ were ``rules`` and ``policies`` deleted,
        each as (source class, the entries it would reach), worked out one at a time.

        The same steps on the same classes and entries: a deleted policy no longer isolates the
        classes it selects (step 1) and none of its rules admits anything (steps 2 and 3); a
        deleted rule admits nothing. The classes stay this grid's, which tell apart at least
        what any subset of its policies does, so each row is the one a grid built without them
        would give. Every other row stays as it is.

        Args:
            rules: rules to delete (their policies stay, and keep isolating).
            policies: policies to delete, with all their rules.
        """
        dropped = set(rules)
        gone = set(policies)
        ingress_isolated, egress_isolated = self.ingress_isolated, self.egress_isolated
        isolated_by = self._isolated_by()
        for policy in gone:
            for direction in ("ingress", "egress"):
                dropped.update(policy.rules(direction) or ())
            ingress, egress = isolated_by.get(policy, (0, 0))
            for number in indices(ingress & ingress_isolated):
                if all(p in gone for p in self.ingress_isolating[number]):
                    ingress_isolated &= ~(1 << number)
            for number in indices(egress & egress_isolated):
                if all(p in gone for p in self.egress_isolating[number]):
                    egress_isolated &= ~(1 << number)
        touched: Iterable[int]
        if ingress_isolated != self.ingress_isolated:
            touched = range(self.table.size)  # a destination's isolation: every row may change
        else:
            found = {n for rule in dropped for n in self.rule_sources(rule)}
            found.update(indices(egress_isolated ^ self.egress_isolated))
            touched = sorted(found)
        for number in touched:
            yield number, self._row(number, dropped, ingress_isolated, egress_isolated)

    def allowed_without(
        self, rules: Collection[Rule] = (), policies: Collection[Policy] = ()
    ) -> list[int]:
        """:attr:`allowed` as it would be were ``rules`` and ``policies`` deleted (see
        :meth:`rows_without`)."""
        allowed = list(self.allowed)
        for number, row in self.rows_without(rules, policies):
            allowed[number] = row
        return allowed

    # -- why -----------------------------------------------------------------------------------

    def _side(self, policies: tuple[Policy, ...], rules: Sequence[Rule]) -> DirectionVerdict:
        """The isolated side with these policies and admitting rules, one object per value."""
        key = (id(policies), *map(id, rules))  # the tuples of policies are the grid's own
        side = self._sides.get(key)
        if side is None:
            refs = tuple(rule.ref for rule in rules)
            side = self._sides[key] = DirectionVerdict(True, policies, refs)
        return side

    def _ingress_base(self) -> list[Side]:
        """Per entry, its ingress verdict when no rule admits the source (shared by all rows)."""
        if self._bases is None:
            table = self.table
            ingress: list[Side] = []
            for number in self.entry_class:
                if number >= table.pod_classes:
                    ingress.append(None)
                elif self.ingress_isolating[number]:
                    ingress.append(self._side(self.ingress_isolating[number], ()))
                else:
                    ingress.append(NOT_ISOLATED)
            self._bases = ingress
        return self._bases

    def why(self, number: int, within: int = -1) -> WhyRow:
        """For source class ``number``: per entry, the ingress and the egress verdict.

        The row starts from the bases (the entry's isolation; the source's), and only the
        entries some rule admits the source to are overwritten with those rules, in policy and
        rule order, as :func:`~podfence.reachability.evaluate.evaluate` lists them, and with the
        cluster-wide rule that decides them or passes them on.

        Args:
            number: the source class.
            within: the set of entries asked about (every entry by default); the sides of
                others may be left at their bases.
        """
        touched = self._touched(self._ingress_rules[number], within)
        isolating, entry_class = self.ingress_isolating, self.entry_class
        if self._tiered:
            open_in = ~self.entries_of(self.ingress_isolated)  # where the baseline is consulted
            ingress = self._tier_sides(
                number, 0, touched, within, open_in, lambda e: isolating[entry_class[e]]
            )
        else:
            ingress = {e: self._side(isolating[entry_class[e]], r) for e, r in touched.items()}
        if number >= self.table.pod_classes:
            return WhyRow(self._ingress_base(), ingress, None, {})
        policies = self.egress_isolating[number]
        if self._tiered:
            touched = self._touched(self._egress_rules[number], within) if policies else {}
            open_out = 0 if policies else -1
            egress = self._tier_sides(number, 1, touched, within, open_out, lambda e: policies)
            base = self._side(policies, ()) if policies else NOT_ISOLATED
            return WhyRow(self._ingress_base(), ingress, base, egress)
        if not policies:
            return WhyRow(self._ingress_base(), ingress, NOT_ISOLATED, {})
        touched = self._touched(self._egress_rules[number], within)
        egress = {entry: self._side(policies, rules) for entry, rules in touched.items()}
        return WhyRow(self._ingress_base(), ingress, self._side(policies, ()), egress)

    def _tier_sides(
        self,
        number: int,
        at: int,
        touched: dict[int, list[Rule]],
        within: int,
        consulted: int,
        isolating: Callable[[int], tuple[Policy, ...]],
    ) -> dict[int, DirectionVerdict]:
        """The sides of the entries (of ``within``) some rule of any tier touches, for one
        direction (``at``: 0 ingress, 1 egress) of source class ``number``.

        A Baseline rule counts only on the entries of ``consulted`` (those no NetworkPolicy
        isolates): elsewhere the baseline is never consulted and the side stays the base."""
        admin = self._first(self._admin_rules[at][number], within)
        open_entries = within & consulted
        baseline = (
            self._first(self._baseline_rules[at][number], open_entries) if open_entries else {}
        )
        sides: dict[int, DirectionVerdict] = {}
        for entry in touched.keys() | admin.keys() | baseline.keys():
            policies = isolating(entry)
            rules = touched.get(entry, ())
            first, last = admin.get(entry), baseline.get(entry)
            key = (id(policies), *map(id, rules), id(first), id(last))
            side = self._sides.get(key)
            if side is None:
                side = self._sides[key] = tiered_verdict(
                    policies,
                    tuple(rule.ref for rule in rules),
                    first.ref if first is not None else None,
                    last.ref if last is not None else None,
                )
            sides[entry] = side
        return sides

    @staticmethod
    def _first(applied: TierApplied, within: int) -> dict[int, AdminRule]:
        """The entries (of ``within``) some rule of ``applied`` matches, with the first one."""
        found: dict[int, AdminRule] = {}
        for rule, won in first_match(applied, within):
            for entry in indices(won):
                found[entry] = rule
        return found

    @staticmethod
    def _touched(applied: Applied, within: int) -> dict[int, list[Rule]]:
        """The entries (of ``within``) the rules ``applied`` admit a class to, with the rules."""
        touched: dict[int, list[Rule]] = {}
        for rule, entries in applied:
            for entry in indices(entries & within):
                touched.setdefault(entry, []).append(rule)
        return touched
