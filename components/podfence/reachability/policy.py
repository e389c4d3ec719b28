"""A NetworkPolicy compiled once, with every default settled before anything is evaluated."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podfence.reachability.admin import ClusterPolicy, in_precedence
from podfence.reachability.context import ObjectContext
from podfence.reachability.isolation import DIRECTIONS, PEER_FIELDS, isolating, selecting
from podfence.reachability.model import object_name
from podfence.reachability.peers import Peer, describe_peers, excluded_from, parse_peer
from podfence.reachability.ports import PortRule, RuleBase, parse_port_rule
from podfence.reachability.selectors import LabelSelector, parse_labels, parse_selector
from podfence.reachability.tiers import ADMIN, BASELINE
from podfence.reachability.traffic import Endpoint
from podfence.reachability.verdict import PolicyRef, RuleRef
from podfence.validation import policy_types_problem

__all__ = ["API_VERSION", "Policy", "PolicySet", "Rule", "parse_policy"]

#: The apiVersion of the NetworkPolicies podfence evaluates. NetworkPolicy kinds of other API
#: groups (Calico's crd.projectcalico.org/v1, the long-removed extensions/v1beta1) are not
#: evaluated; :func:`podfence.reachability.cluster.load_cluster` names them in a warning.
API_VERSION = "networking.k8s.io/v1"
_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_RULE_FIELDS = {"ingress": frozenset({"from", "ports"}), "egress": frozenset({"to", "ports"})}


class Rule(RuleBase):
    """One ingress or egress rule: peers AND ports (matched as :class:`RuleBase` says).

    Semantics (NetworkPolicyIngressRule / EgressRule): an absent or empty ``from``/``to``
    matches every peer (``peers`` is None); absent or empty ``ports`` matches every port
    (``ports`` is None).
    """

    __slots__ = ("direction", "index", "peers", "policy", "ports", "ref")

    def __init__(
        self,
        policy: PolicyRef,
        direction: str,
        index: int,
        peers: tuple[Peer, ...] | None,
        ports: tuple[PortRule, ...] | None,
    ) -> None:
        self.policy = policy
        self.direction = direction
        self.index = index
        self.peers = peers
        self.ports = ports
        self.ref = RuleRef(policy.namespace, policy.name, direction, index, self)

    def describe_peers(self) -> str:
        """``pods app=web in namespace shop or 10.0.0.0/8``; ``anywhere`` when unrestricted."""
        if self.peers is None:
            return "anywhere"
        return describe_peers(self.peers)

    def peer_miss(self, other: Endpoint) -> str:
        """Why ``other`` (an end no peer matches) is not a peer: ``10.0.0.5 does not match the
        public internet (...): it is excluded as private (10.0.0.0/8)``."""
        reason = f"{other.key} does not match {self.describe_peers()}"
        why = excluded_from(self.peers or (), other)
        return reason if why is None else f"{reason}: {why}"

    def __repr__(self) -> str:
        return f"Rule({self.ref})"


@dataclass(frozen=True, eq=False)
class Policy:
    """A compiled NetworkPolicy.

    Semantics settled here: ``pod_selector`` selects pods in the policy's own namespace only
    (absent or empty: all of them); ``ingress``/``egress`` is None when that direction is not in
    the effective policyTypes (then the policy neither isolates nor allows in that direction,
    and its rules for it are ignored), else the tuple of rules (empty: isolate, allow nothing).
    The effective policyTypes are the given ones in any order; when absent or empty, the API
    server's default: Ingress, plus Egress if ``spec.egress`` has at least one rule.

    ``ignored`` keeps the directions whose rules the spec writes but its policyTypes leave out
    (``policyTypes: [Ingress]`` next to egress rules): the API server accepts them and no
    network plugin enforces them, so they are kept to be reported, never evaluated.
    """

    namespace: str
    name: str
    pod_selector: LabelSelector
    ingress: tuple[Rule, ...] | None
    egress: tuple[Rule, ...] | None
    ignored: tuple[tuple[str, int], ...] = ()

    @property
    def ref(self) -> PolicyRef:
        """namespace and name."""
        return PolicyRef(self.namespace, self.name)

    def rules(self, direction: str) -> tuple[Rule, ...] | None:
        """``ingress`` or ``egress`` by name."""
        return self.ingress if direction == "ingress" else self.egress

    def isolates(self, direction: str) -> bool:
        """Whether ``direction`` is in the effective policyTypes: the pods the policy selects
        are isolated for it (with no rules, it admits nothing)."""
        return self.rules(direction) is not None

    @property
    def selects_every_pod(self) -> bool:
        """Whether the podSelector is empty (or was absent): every pod of the namespace."""
        return self.pod_selector.is_empty

    def selects(self, pod: Endpoint) -> bool:
        """Semantics: the podSelector selects pods of the policy's own namespace only."""
        return pod.namespace == self.namespace and self.pod_selector.matches(pod.labels)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class PolicySet:
    """The policies of a cluster, compiled: NetworkPolicies looked up by namespace, and the
    cluster-wide policies of the Admin and Baseline tiers in evaluation order.

    Iterating, ``len`` and :meth:`in_namespace` concern the NetworkPolicies.

    Args:
        policies: compiled NetworkPolicies; a namespace/name given twice keeps the last.
        cluster_policies: compiled AdminNetworkPolicies, BaselineAdminNetworkPolicies and
            ClusterNetworkPolicies; a kind and name given twice keeps the last; none when
            omitted.

    Attributes:
        policies: the NetworkPolicies, in input order.
        cluster_policies: the cluster-wide policies, in input order.
        admin: the Admin-tier policies in the order their rules are evaluated (see
            :func:`~podfence.reachability.admin.in_precedence`).
        baseline: the Baseline-tier policies, likewise.
        warnings: where the order of the cluster-wide policies is undefined and podfence chose
            one, one line each.
        ties: for each cluster-wide policy (by kind and name) that shares its tier and priority
            with others, those others (``Kind name``), in evaluation order: their order is
            undefined, and a verdict they decide says so.
    """

    def __init__(
        self, policies: Iterable[Policy] = (), cluster_policies: Iterable[ClusterPolicy] = ()
    ) -> None:
        unique: dict[tuple[str, str], Policy] = {}
        for policy in policies:
            unique[(policy.namespace, policy.name)] = policy
        self.policies: tuple[Policy, ...] = tuple(unique.values())
        self._by_namespace: dict[str, list[Policy]] = {}
        for policy in self.policies:
            self._by_namespace.setdefault(policy.namespace, []).append(policy)
        wide: dict[tuple[str, str], ClusterPolicy] = {}
        for cluster_policy in cluster_policies:
            wide[(cluster_policy.kind, cluster_policy.name)] = cluster_policy
        self.cluster_policies: tuple[ClusterPolicy, ...] = tuple(wide.values())
        self.admin, admin_warnings = in_precedence(self.cluster_policies, ADMIN)
        self.baseline, baseline_warnings = in_precedence(self.cluster_policies, BASELINE)
        self.warnings: tuple[str, ...] = (*admin_warnings, *baseline_warnings)
        self.ties: dict[tuple[str, str], tuple[str, ...]] = {}
        for ordered in (self.admin, self.baseline):
            for wide_policy in ordered:
                others = tuple(
                    str(other)
                    for other in ordered
                    if other is not wide_policy
                    and wide_policy.priority is not None
                    and other.priority == wide_policy.priority
                )
                if others:
                    self.ties[(wide_policy.kind, wide_policy.name)] = others

    def tier(self, tier: str) -> tuple[ClusterPolicy, ...]:
        """The policies of ``tier`` ("Admin" or "Baseline") in evaluation order."""
        return self.admin if tier == ADMIN else self.baseline

    def __len__(self) -> int:
        return len(self.policies)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies)

    def in_namespace(self, namespace: str | None) -> Sequence[Policy]:
        """The policies of ``namespace`` (none for an address outside the cluster)."""
        return self._by_namespace.get(namespace, ()) if namespace is not None else ()

    def isolating(self, pod: Endpoint, direction: str) -> tuple[Policy, ...]:
        """The policies that isolate ``pod`` for ``direction`` (see :func:`isolating`)."""
        return isolating(selecting(self.in_namespace(pod.namespace), pod), direction)

    def egress_ports(self) -> list[tuple[int, str]]:
        """Every numeric port an egress rule names, as (port, protocol), in order, once each:
        the NetworkPolicies' first, then the cluster-wide policies'.

        A range names its first port. These are the ports probed on addresses outside the
        cluster, which declare none.
        """
        found: dict[tuple[int, str], None] = {}
        for policy in self.policies:
            for rule in policy.egress or ():
                for port in rule.ports or ():
                    if isinstance(port.port, int):
                        found.setdefault((port.port, port.protocol))
        for cluster_policy in self.cluster_policies:
            for admin_rule in cluster_policy.egress:
                for admin_port in admin_rule.ports or ():
                    if isinstance(admin_port, PortRule) and isinstance(admin_port.port, int):
                        found.setdefault((admin_port.port, admin_port.protocol))
        return list(found)


def _policy_types(
    spec: Mapping[str, Any], egress: Sequence[Rule], context: ObjectContext
) -> set[str]:
    """The effective policyTypes; absent, null or ``[]``: the API server's default."""
    raw = context.sequence(spec.get("policyTypes"), "spec.policyTypes")
    if not raw:  # SetDefaults_NetworkPolicy: Ingress, and Egress if there are egress rules
        return {"ingress", "egress"} if egress else {"ingress"}
    found = policy_types_problem(raw)
    if found is not None:
        index, problem = found
        if index < 0:
            raise context.invalid("spec.policyTypes", raw, problem)
        raise context.invalid(f"spec.policyTypes[{index}]", raw[index], problem)
    return {DIRECTIONS[item] for item in raw}


# What the API server makes of each value of the lists of a spec (decoded from JSON as it
# decodes it, then defaulted and validated: k8s.io/api/networking/v1 types and defaults,
# pkg/apis/networking/validation), and so what podfence makes of it:
#
#   spec.ingress / spec.egress
#     absent, null, []       no rules: the direction isolates (if in policyTypes), allows nothing
#     [rule, ...]            the rules, ORed
#     [~] (a null rule)      an empty rule: a null list entry decodes to the zero value {}
#     {} '' 'x' 1            refused: cannot be decoded into a list
#   rule `from` / `to` ("If this field is empty or missing, this rule matches all sources")
#     absent, null, []       every peer: pods of every namespace and every address
#     [peer, ...]            the peers, ORed; a null peer is an empty one, which is refused
#     {} '' 'x' 1            refused: cannot be decoded into a list (NOT "from anywhere")
#   rule `ports` ("If this field is empty or missing, this rule matches all ports")
#     absent, null, []       every port of every protocol
#     [port, ...]            the ports, ORed; a null port is {}: every TCP port (protocol
#                            defaults to TCP)
#     {} '' 'x' 1            refused (NOT "any port")
#   spec.policyTypes
#     absent, null, []       defaulted: Ingress, plus Egress when spec.egress has a rule
#     [Ingress|Egress, ...]  at most two entries
#     {} '' 'Ingress'        refused
#   spec itself: absent or null is the zero spec (podSelector {} selects every pod of the
#   namespace; Ingress only: deny all ingress); [] '' 'x' are refused (NOT a deny-all).
#   Selectors, ipBlock.except and matchExpressions follow the same rule: null is absent, a
#   value of the wrong type ({} for a list, [] or '' for a map) is refused.


def _rule(raw: Any, ref: PolicyRef, direction: str, index: int, context: ObjectContext) -> Rule:
    field = f"spec.{direction}[{index}]"
    peer_field = PEER_FIELDS[direction]
    rule = raw if type(raw) is dict else context.mapping(raw, field, "a rule map")
    unknown = rule.keys() - _RULE_FIELDS[direction]
    if unknown:
        raise context.unknown(field, unknown, f"{peer_field}, ports")
    peers_raw = rule.get(peer_field)
    if type(peers_raw) is not list:
        peers_raw = context.sequence(peers_raw, f"{field}.{peer_field}", "a list of peers")
    ports_raw = rule.get("ports")
    if type(ports_raw) is not list:
        ports_raw = context.sequence(ports_raw, f"{field}.ports", "a list of ports")
    peers = tuple(
        parse_peer(item, ref.namespace, context, f"{field}.{peer_field}[{number}]")
        for number, item in enumerate(peers_raw)
    )
    ports = tuple(
        parse_port_rule(item, context, f"{field}.ports[{number}]")
        for number, item in enumerate(ports_raw)
    )
    return Rule(ref, direction, index, peers or None, ports or None)


def _rules(
    spec: Mapping[str, Any], direction: str, ref: PolicyRef, context: ObjectContext
) -> tuple[Rule, ...]:
    raw = spec.get(direction)
    if type(raw) is not list:
        raw = context.sequence(raw, f"spec.{direction}", "a list of rules")
    return tuple(_rule(item, ref, direction, index, context) for index, item in enumerate(raw))


def parse_policy(obj: Mapping[str, Any]) -> Policy:
    """Compile a NetworkPolicy object (networking.k8s.io/v1).

    An absent or null ``spec`` or ``spec.podSelector`` is empty, as the API server stores it:
    the policy then selects every pod of its namespace for ingress. Everything the API server
    refuses is refused, with the field and the value: a value of the wrong type (see the case
    list above ``_rule``), a name, label, port, protocol or CIDR it does not accept.

    Raises:
        InputError: the first malformed field, named with the policy and the bad value.
    """
    context = object_name(obj, "NetworkPolicy")
    metadata = obj["metadata"]
    if metadata.get("labels") is not None:
        parse_labels(metadata["labels"], context, "metadata.labels")
    ref = PolicyRef(metadata.get("namespace") or "default", metadata["name"])
    spec = obj.get("spec")
    if type(spec) is not dict:
        spec = context.mapping(spec, "spec")
    unknown = spec.keys() - _SPEC_FIELDS
    if unknown:
        # A misspelt `ingress` would otherwise leave a policy that silently denies everything.
        raise context.unknown("spec", unknown, ", ".join(sorted(_SPEC_FIELDS)))
    selector = parse_selector(spec.get("podSelector"), context, "spec.podSelector")
    ingress = _rules(spec, "ingress", ref, context)
    egress = _rules(spec, "egress", ref, context)
    types = _policy_types(spec, egress, context)
    ignored = tuple(
        (direction, len(rules))
        for direction, rules in (("ingress", ingress), ("egress", egress))
        if rules and direction not in types
    )
    return Policy(
        namespace=ref.namespace,
        name=ref.name,
        pod_selector=selector,
        ingress=ingress if "ingress" in types else None,
        egress=egress if "egress" in types else None,
        ignored=ignored,
    )
