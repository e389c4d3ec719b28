"""Cluster-wide policies compiled: their tier, priority, subject and ordered rules with actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from podfence.reachability.admin_peers import DomainNamesPeer, NamedPort, NodePeer
from podfence.reachability.peers import IpBlockPeer, PodPeer
from podfence.reachability.ports import PortRule, RuleBase
from podfence.reachability.tiers import BASELINE
from podfence.reachability.traffic import Endpoint, Traffic
from podfence.reachability.verdict import ClusterPolicyRef, TierRuleRef

__all__ = [
    "ADMIN_NETWORK_POLICY",
    "BASELINE_ADMIN_NETWORK_POLICY",
    "CLUSTER_NETWORK_POLICY",
    "AdminPeer",
    "AdminPort",
    "AdminRule",
    "ClusterPolicy",
    "in_precedence",
]

ADMIN_NETWORK_POLICY = "AdminNetworkPolicy"
BASELINE_ADMIN_NETWORK_POLICY = "BaselineAdminNetworkPolicy"
CLUSTER_NETWORK_POLICY = "ClusterNetworkPolicy"

#: A peer of a cluster-wide rule: pods (``namespaces``, ``pods``), a CIDR of ``networks``,
#: ``nodes`` or ``domainNames``.
AdminPeer = PodPeer | IpBlockPeer | NodePeer | DomainNamesPeer
#: A port of a cluster-wide rule: a number or a range with its protocol, or a name alone.
AdminPort = PortRule | NamedPort


class AdminRule(RuleBase):
    """One ingress or egress rule of a cluster-wide policy: an action for peers AND ports.

    Semantics: the rule matches a connection when one of its peers (at least one, ORed) matches
    the other end (the source of ingress, the destination of egress) and one of its ports
    matches the destination port; absent ``ports`` match every port. What a match does is the
    action's (see :mod:`podfence.reachability.tiers`).

    Attributes:
        direction: "ingress" or "egress".
        index: the position in ``spec.ingress`` / ``spec.egress``.
        name: the rule's name; "" when it has none.
        action: Allow, Accept, Deny or Pass.
        peers: the peers.
        ports: the ports; None for every port.
        subject: the subject of the rule's policy: the pods the rule applies to (the
            destination of ingress, the source of egress).
        ref: the rule as a verdict names it.
    """

    __slots__ = ("action", "direction", "index", "name", "peers", "ports", "ref", "subject")

    def __init__(
        self,
        policy: ClusterPolicyRef,
        direction: str,
        index: int,
        name: str,
        action: str,
        peers: tuple[AdminPeer, ...],
        ports: tuple[AdminPort, ...] | None,
        subject: PodPeer,
    ) -> None:
        self.direction = direction
        self.index = index
        self.name = name
        self.action = action
        self.peers = peers
        self.ports = ports
        self.subject = subject
        self.ref = TierRuleRef(policy, direction, index, name, action, self)

    def namespaces_read(self, traffic: Traffic) -> tuple[str, ...]:
        """The namespaces of the ends of ``traffic`` whose labels this rule's match turns on.

        Semantics: a namespace's labels other than ``kubernetes.io/metadata.name`` decide the
        match when a namespace selector reads them: the other end's namespace when the port
        matches and a peer's does (on a pod its pod part matches), and the subject end's (the
        destination of ingress, the source of egress) when the subject's does.
        """
        subject_end = traffic.destination if self.direction == "ingress" else traffic.source
        found = []
        if self.reads_namespace_labels(traffic):
            found.append(self.other_end(traffic).namespace)
        if self.subject.reads_namespace_labels(subject_end):
            found.append(subject_end.namespace)
        return tuple(dict.fromkeys(name for name in found if name is not None))

    def describe_peers(self) -> str:
        """``all pods in namespace monitoring or 10.0.0.0/8``."""
        return " or ".join(peer.describe() for peer in self.peers)

    def __repr__(self) -> str:
        return f"AdminRule({self.ref})"


@dataclass(frozen=True, eq=False)
class ClusterPolicy:
    """A compiled AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.

    Semantics settled when it is read: the tier (Admin for an AdminNetworkPolicy, Baseline for
    the BaselineAdminNetworkPolicy, ``spec.tier`` for a ClusterNetworkPolicy); the priority
    (None for the BaselineAdminNetworkPolicy, which has none); the subject as a pod peer (a
    ``namespaces`` subject selects every pod of the namespaces it selects; ``pods`` the pods
    its podSelector matches in the namespaces its namespaceSelector matches); every rule with
    its action, in list order.

    Attributes:
        ref: the policy by kind, name (metadata.name; cluster-scoped: no namespace), tier
            ("Admin" or "Baseline") and priority (0 to 1000, lower first; None for the
            BaselineAdminNetworkPolicy).
        subject: the pods the policy applies to.
        ingress: the ingress rules, in order.
        egress: the egress rules, in order.
        notes: what reading it left uncertain, one line each (e.g. a domainNames peer, which
            is not resolved offline), for the loader's warnings.
    """

    ref: ClusterPolicyRef
    subject: PodPeer
    ingress: tuple[AdminRule, ...] = ()
    egress: tuple[AdminRule, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy."""
        return self.ref.kind

    @property
    def name(self) -> str:
        """metadata.name."""
        return self.ref.name

    @property
    def tier(self) -> str:
        """The tier: "Admin" or "Baseline"."""
        return self.ref.tier

    @property
    def priority(self) -> int | None:
        """0 to 1000, lower first; None for the BaselineAdminNetworkPolicy."""
        return self.ref.priority

    def rules(self, direction: str) -> tuple[AdminRule, ...]:
        """``ingress`` or ``egress`` by name."""
        return self.ingress if direction == "ingress" else self.egress

    def selects(self, pod: Endpoint) -> bool:
        """Whether the subject selects ``pod`` (an address outside the cluster never is)."""
        return self.subject.matches(pod)

    @property
    def head(self) -> str:
        """``AdminNetworkPolicy deny-db (Admin tier, priority 10)``."""
        return self.ref.head

    def __str__(self) -> str:
        return str(self.ref)


def _precedence(policy: ClusterPolicy) -> tuple[int, str, str]:
    """Lower priority numbers first; no priority (the BaselineAdminNetworkPolicy) last; then by
    name and kind, where the API leaves the order undefined."""
    return (1001 if policy.priority is None else policy.priority, policy.name, policy.kind)


def in_precedence(
    policies: Iterable[ClusterPolicy], tier: str
) -> tuple[tuple[ClusterPolicy, ...], list[str]]:
    """The policies of ``tier`` in the order their rules are evaluated, and warnings.

    Semantics and assumptions: lower priority numbers are evaluated first. Policies of one
    priority have no defined order (the API says implementations may order them as they
    like; overlapping rules may then decide either way): podfence orders them by name, then
    kind, and warns. AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies share one
    priority order (a cluster normally serves one API version). The BaselineAdminNetworkPolicy
    has no priority: it comes after every Baseline-tier ClusterNetworkPolicy, with a warning
    when both exist.

    Args:
        policies: cluster-wide policies of any tier.
        tier: "Admin" or "Baseline".

    Returns:
        (the policies of the tier in evaluation order, one warning per ambiguity).
    """
    ordered = tuple(sorted((p for p in policies if p.tier == tier), key=_precedence))
    warnings: list[str] = []
    for priority, group in groupby(ordered, key=lambda p: p.priority):
        same: Sequence[ClusterPolicy] = list(group)
        if priority is not None and len(same) > 1:
            names = ", ".join(str(p) for p in same)
            warnings.append(
                f"{names} ({tier} tier) share priority {priority}: the API leaves their order "
                "undefined, so a cluster may decide overlapping rules either way; podfence "
                "evaluates them in this order (by name)"
            )
    if tier == BASELINE and len(ordered) > 1 and ordered[-1].priority is None:
        warnings.append(
            f"{ordered[-1]} and Baseline-tier {CLUSTER_NETWORK_POLICY} objects are both present: "
            "the two API versions define no order between them; podfence evaluates the "
            f"{CLUSTER_NETWORK_POLICY} objects first (by priority), then {ordered[-1]}"
        )
    return ordered, warnings
