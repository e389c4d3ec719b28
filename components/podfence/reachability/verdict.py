"""What an evaluation returns: the verdict, per direction, with the policies and rules behind it.

The :class:`Verdict` is podfence's only "why": explain, check, the matrix's JSON and the table all
read it. A :class:`DirectionVerdict` holds no traffic, so flows that are decided alike share one;
the rules that did *not* admit a flow (:meth:`Verdict.not_matching`) are worked out on demand
from the traffic, with the same predicates the evaluation used. A direction that a cluster-wide
policy decided (or passed on) names its rule with a :class:`TierRuleRef`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from podfence.reachability.isolation import connection_allows
from podfence.reachability.model import NAME_LABEL
from podfence.reachability.tiers import ADMIN, DENY, PASS, tiers_allow

if TYPE_CHECKING:
    from podfence.reachability.policy import Policy
    from podfence.reachability.traffic import Traffic

__all__ = [
    "NOT_ISOLATED",
    "Assumption",
    "ClusterPolicyRef",
    "DirectionVerdict",
    "PolicyRef",
    "RuleMiss",
    "RuleRef",
    "TierRuleRef",
    "Verdict",
    "tiered_verdict",
]


class _Describable(Protocol):
    def describe(self) -> str: ...


class _TierRule(_Describable, Protocol):
    def namespaces_read(self, traffic: Traffic) -> tuple[str, ...]: ...


@dataclass(frozen=True, order=True)
class PolicyRef:
    """A NetworkPolicy by namespace and name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class RuleRef:
    """One rule of a policy: ``spec.<direction>[index]``.

    Attributes:
        namespace: the policy's namespace.
        policy: the policy's name.
        direction: "ingress" or "egress".
        index: the rule's position in ``spec.ingress`` / ``spec.egress``.
        rule: the compiled rule, for its description; None for a RuleRef built by hand.
    """

    namespace: str
    policy: str
    direction: str
    index: int
    rule: _Describable | None = field(default=None, compare=False, repr=False, hash=False)

    @property
    def policy_ref(self) -> PolicyRef:
        """The policy the rule belongs to."""
        return PolicyRef(self.namespace, self.policy)

    def describe(self) -> str:
        """In words: ``ns/allow-web ingress rule 0: from pods app=web in namespace ns on 80/TCP``.

        Without the compiled rule (a RuleRef built by hand), only the head before the colon.
        """
        return f"{self}: {self.rule.describe()}" if self.rule is not None else str(self)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.policy} {self.direction} rule {self.index}"


@dataclass(frozen=True)
class ClusterPolicyRef:
    """A cluster-wide policy by what names it: kind, name, tier and priority.

    Attributes:
        kind: AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.
        name: metadata.name (cluster-wide policies have no namespace).
        tier: "Admin" or "Baseline".
        priority: the policy's priority; None for a BaselineAdminNetworkPolicy, which has none.
    """

    kind: str
    name: str
    tier: str
    priority: int | None

    @property
    def head(self) -> str:
        """``AdminNetworkPolicy deny-db (Admin tier, priority 10)``."""
        priority = "" if self.priority is None else f", priority {self.priority}"
        return f"{self.kind} {self.name} ({self.tier} tier{priority})"

    def __str__(self) -> str:
        """``AdminNetworkPolicy deny-db``, as diff's JSON names it."""
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class TierRuleRef:
    """One rule of a cluster-wide policy: ``spec.<direction>[index]`` of an AdminNetworkPolicy,
    a BaselineAdminNetworkPolicy or a ClusterNetworkPolicy.

    Attributes:
        policy_ref: the policy the rule belongs to (kind, name, tier, priority).
        direction: "ingress" or "egress".
        index: the rule's position in ``spec.ingress`` / ``spec.egress``.
        name: the rule's ``name``; "" when it has none.
        action: Allow, Accept, Deny or Pass.
        rule: the compiled rule, for its description and the namespace labels it reads; None
            for a TierRuleRef built by hand.
    """

    policy_ref: ClusterPolicyRef
    direction: str
    index: int
    name: str
    action: str
    rule: _TierRule | None = field(default=None, compare=False, repr=False, hash=False)

    @property
    def kind(self) -> str:
        """The policy's kind."""
        return self.policy_ref.kind

    @property
    def policy(self) -> str:
        """The policy's name (cluster-wide policies have no namespace)."""
        return self.policy_ref.name

    @property
    def tier(self) -> str:
        """The tier: "Admin" or "Baseline"."""
        return self.policy_ref.tier

    @property
    def priority(self) -> int | None:
        """The policy's priority; None for a BaselineAdminNetworkPolicy, which has none."""
        return self.policy_ref.priority

    @property
    def denies(self) -> bool:
        """Whether the action drops the connection."""
        return self.action == DENY

    def describe_rule(self) -> str:
        """What the rule matches: ``from all pods in namespace monitoring on any port``; ""
        without the compiled rule."""
        return self.rule.describe() if self.rule is not None else ""

    def describe(self) -> str:
        """``<this>: from all pods in namespace monitoring on any port`` (the head alone without
        the compiled rule)."""
        return f"{self}: {self.rule.describe()}" if self.rule is not None else str(self)

    def __str__(self) -> str:
        named = f' "{self.name}"' if self.name else ""
        return f"{self.policy_ref.head}, {self.direction} rule {self.index}{named}"


@dataclass(frozen=True)
class RuleMiss:
    """A rule of an isolating policy that does not admit the traffic, and why."""

    rule: RuleRef
    reason: str


@dataclass(frozen=True)
class Assumption:
    """A namespace the inventory does not define, whose labels a verdict read.

    Its labels were taken to be only ``kubernetes.io/metadata.name``; the verdict may differ in
    the cluster, where the namespace may carry more.

    Attributes:
        namespace: the namespace.
        rules: the rules whose namespace selector read its labels for the flow (for a
            cluster-wide rule, a peer's or its policy's subject's).
    """

    namespace: str
    rules: tuple[RuleRef | TierRuleRef, ...]

    def describe(self) -> str:
        """``namespace payments is not in the inventory; its labels were taken to be only ...``."""
        return (
            f"namespace {self.namespace} is not in the inventory; its labels were taken to be "
            f"only {NAME_LABEL}={self.namespace}"
        )


@dataclass(frozen=True)
class DirectionVerdict:
    """The verdict of one direction (ingress at the destination, egress at the source).

    It names no traffic: every flow decided by the same policies and rules shares one. The
    NetworkPolicy fields (``isolated``, ``policies``, ``allowed_by``) describe the
    NetworkPolicies as they were consulted: when an Admin-tier rule decided (Allow, Accept or
    Deny), they were not, and the fields are empty.

    Attributes:
        isolated: some NetworkPolicy selects the pod with this direction in its policyTypes; a
            direction that is not isolated allows everything, unless a cluster-wide policy
            decides otherwise.
        policies: the policies that isolate the pod for this direction (compiled, so that the
            rules that did not admit a flow can be worked out; see :meth:`Verdict.not_matching`).
        allowed_by: every rule that admits the traffic (empty when denied or not isolated).
        decided_by: the cluster-wide rule that decided: an Admin-tier Allow, Accept or Deny, or
            (for a pod no NetworkPolicy isolates) a Baseline-tier Allow, Accept, Deny or Pass;
            None when no cluster-wide rule decided.
        passed_by: the Admin-tier Pass rule that handed the traffic to the NetworkPolicies
            (and the Baseline tier); None when none did.
    """

    isolated: bool
    policies: tuple[Policy, ...] = ()
    allowed_by: tuple[RuleRef, ...] = ()
    decided_by: TierRuleRef | None = None
    passed_by: TierRuleRef | None = None

    @property
    def allowed(self) -> bool:
        """Whether this direction lets the traffic through (see :func:`tiers_allow`)."""
        decided = self.decided_by
        admin = decided is not None and decided.tier == ADMIN
        baseline = decided is not None and not admin
        denies = decided is not None and decided.denies
        return bool(
            tiers_allow(
                int(admin and not denies),
                int(admin and denies),
                int(self.isolated),
                int(bool(self.allowed_by)),
                int(baseline and denies),
            )
        )

    @property
    def tier(self) -> str | None:
        """What decided: "Admin", "NetworkPolicy", "Baseline", or None (nothing isolates the
        pod and no cluster-wide rule matched: allowed by default)."""
        if self.decided_by is not None:
            return self.decided_by.tier
        return "NetworkPolicy" if self.isolated else None

    @property
    def policy_refs(self) -> tuple[PolicyRef, ...]:
        """The isolating policies by namespace and name."""
        return tuple(policy.ref for policy in self.policies)


#: The verdict of a direction no policy isolates (shared: it is the same for every flow).
NOT_ISOLATED = DirectionVerdict(isolated=False)


def tiered_verdict(
    isolating: tuple[Policy, ...],
    admitting: tuple[RuleRef, ...],
    admin: TierRuleRef | None = None,
    baseline: TierRuleRef | None = None,
) -> DirectionVerdict:
    """One direction's verdict from what each tier found (see :mod:`podfence.reachability.tiers`).

    Args:
        isolating: the NetworkPolicies that isolate the pod for this direction.
        admitting: the rules of theirs that admit the traffic.
        admin: the first Admin-tier rule that matches; None when none does.
        baseline: the first Baseline-tier rule that matches; None when none does (only read
            when no NetworkPolicy isolates the pod and no Admin rule decided).
    """
    passed = None
    if admin is not None:
        if admin.action != PASS:
            return DirectionVerdict(False, decided_by=admin)
        passed = admin
    if isolating:
        return DirectionVerdict(True, isolating, admitting, passed_by=passed)
    if passed is None and baseline is None:
        return NOT_ISOLATED
    return DirectionVerdict(False, decided_by=baseline, passed_by=passed)


@dataclass(frozen=True)
class Verdict:
    """Whether the traffic is allowed: egress at the source and ingress at the destination.

    Attributes:
        traffic: the source, destination, port and protocol evaluated.
        ingress: the destination's side; None when the destination is outside the cluster
            (no ingress policy applies to an address).
        egress: the source's side; None when the source is outside the cluster.
        implicit_namespaces: the namespaces of the inventory whose labels were assumed (see
            :attr:`~podfence.reachability.inventory.Inventory.implicit_namespaces`), for
            :meth:`assumptions`.
        ties: the cluster-wide policies that share their tier and priority with others, and
            those others (see :attr:`~podfence.reachability.policy.PolicySet.ties`), for
            :meth:`ties_of`.
    """

    traffic: Traffic
    ingress: DirectionVerdict | None
    egress: DirectionVerdict | None
    implicit_namespaces: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    ties: Mapping[tuple[str, str], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def source(self) -> str:
        """``namespace/pod`` or an address."""
        return self.traffic.source.key

    @property
    def destination(self) -> str:
        """``namespace/pod`` or an address."""
        return self.traffic.destination.key

    @property
    def port(self) -> int:
        """The destination port (a named port already resolved)."""
        return self.traffic.port

    @property
    def protocol(self) -> str:
        """TCP, UDP or SCTP."""
        return self.traffic.protocol

    @property
    def allowed(self) -> bool:
        """Both sides allow it (see :func:`connection_allows`); a side that is None allows."""
        ingress = self.ingress is None or self.ingress.allowed
        egress = self.egress is None or self.egress.allowed
        return bool(connection_allows(int(ingress), int(egress)))

    def side(self, direction: str) -> DirectionVerdict | None:
        """``ingress`` or ``egress`` by name."""
        return self.ingress if direction == "ingress" else self.egress

    def not_matching(self, direction: str) -> tuple[RuleMiss, ...]:
        """The rules of the isolating policies for ``direction`` that do not admit the traffic.

        Each comes with the reason: the other end matches none of the rule's peers, the port
        none of its ports, or both. Empty when the direction is not isolated or does not apply.
        """
        side = self.side(direction)
        if side is None or not side.isolated:
            return ()
        found = []
        admitted = set(side.allowed_by)
        traffic = self.traffic
        for policy in side.policies:
            for rule in policy.rules(direction) or ():
                if rule.ref in admitted:
                    continue
                other = rule.other_end(traffic)
                reasons = []
                if not rule.peer_matches(other):
                    reasons.append(rule.peer_miss(other))
                if not rule.port_matches(traffic.port, traffic.protocol, traffic.destination):
                    reasons.append(
                        f"{traffic.port}/{traffic.protocol} does not match {rule.describe_ports()}"
                    )
                found.append(RuleMiss(rule.ref, " and ".join(reasons)))
        return tuple(found)

    def assumptions(self) -> tuple[Assumption, ...]:
        """The namespaces not in the inventory whose assumed labels this verdict turns on.

        One for each such namespace (an end of the flow) whose labels beyond
        ``kubernetes.io/metadata.name`` were read by a namespaceSelector of a rule of an
        isolating policy, where the rest of the rule (port, podSelector) matched; or by a
        namespace selector of the cluster-wide rule that decided a side or passed it on (a
        peer's, on the other end, or its policy's subject's, on the end the policy applies
        to). There the namespace's real labels may decide otherwise. Empty when every
        namespace is defined.
        """
        if not self.implicit_namespaces:
            return ()
        found: dict[str, list[RuleRef | TierRuleRef]] = {}
        traffic = self.traffic
        for direction in ("ingress", "egress"):
            side = self.side(direction)
            if side is None:
                continue
            for tier_rule in (side.passed_by, side.decided_by):
                if tier_rule is None or tier_rule.rule is None:
                    continue
                for read in tier_rule.rule.namespaces_read(traffic):
                    if read in self.implicit_namespaces:
                        found.setdefault(read, []).append(tier_rule)
            if not side.isolated:
                continue
            for policy in side.policies:
                for rule in policy.rules(direction) or ():
                    namespace = rule.other_end(traffic).namespace
                    if namespace in self.implicit_namespaces and rule.reads_namespace_labels(
                        traffic
                    ):
                        found.setdefault(namespace, []).append(rule.ref)
        return tuple(Assumption(namespace, tuple(rules)) for namespace, rules in found.items())

    def ties_of(self, direction: str) -> tuple[str, ...]:
        """The policies that share tier and priority with the policy of the cluster-wide rule
        that decided ``direction`` or passed it on: their order is undefined by the API, so a
        cluster may decide otherwise. Empty when there is no such rule or no tie."""
        side = self.side(direction)
        if side is None:
            return ()
        found: dict[str, None] = {}
        for rule in (side.passed_by, side.decided_by):
            if rule is not None:
                found.update(dict.fromkeys(self.ties.get((rule.kind, rule.policy), ())))
        return tuple(found)

    def deciding_tier_rules(self) -> Sequence[TierRuleRef]:
        """Every cluster-wide rule that decided an allowed side (an Allow, Accept, or a
        Baseline-tier Pass), ingress first: what allows the traffic besides NetworkPolicy rules."""
        return [
            side.decided_by
            for side in (self.ingress, self.egress)
            if side is not None and side.decided_by is not None and not side.decided_by.denies
        ]

    def deciding_rules(self) -> Sequence[RuleRef]:
        """Every rule that admits the traffic, ingress first."""
        return [rule for side in (self.ingress, self.egress) if side for rule in side.allowed_by]
