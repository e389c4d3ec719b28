"""Sanity checks of a set of policies on an inventory: ``lint(policies, inventory)``.

Each check is one family's module: :mod:`.dead` (parts that match nothing), :mod:`.redundancy`
(rules and policies whose removal changes no verdict, proved with the engine),
:mod:`.exposure` (what stays open; what is open by default is :mod:`.defaults`'s) and
:mod:`.dns` (policies that block DNS). They share one :class:`~.basis.Basis`: the engine's grid
over every port and every address that can make a difference. The checks and their codes are
:data:`CHECKS`; :mod:`.report` renders a :class:`LintReport` as text, Markdown and JSON.

Cluster-wide policies (the Admin and Baseline tiers) take part wherever the engine decides:
no-default-deny and dns-blocked read verdicts through the tiers, and selects-no-pod and
unmatched-peer look at their subjects and peers too. Redundancy is proved for the
NetworkPolicies' rules and policies only (the cluster-wide rules stay in place while they are
judged): a cluster-wide rule that decides nothing on an inventory is mostly a guardrail for
pods to come, as deny-all is, and the first-match order would need its own proof of what
covers a rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from podfence.reachability.inventory import Inventory
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import dead_parts, ignored_rules
from podfence.reachability.lint.dns import DnsTarget, dns_blocked
from podfence.reachability.lint.exposure import no_default_deny, wide_open
from podfence.reachability.lint.findings import (
    CHECKS,
    Check,
    Finding,
    LintReport,
    Severity,
    find_check,
)
from podfence.reachability.lint.redundancy import redundancies
from podfence.reachability.model import Address
from podfence.reachability.policy import PolicySet
from podfence.reachability.verdict import RuleRef

__all__ = [
    "CHECKS",
    "Check",
    "DnsTarget",
    "Finding",
    "LintReport",
    "Severity",
    "find_check",
    "lint",
]

#: The checks whose finding on a rule says why it admits nothing (redundancy does not repeat it).
_DEAD_RULE = frozenset({"unmatched-peer", "empty-ip-block", "undeclared-named-port"})


def lint(
    policies: PolicySet,
    inventory: Inventory,
    externals: Sequence[Address] = (),
    scope: Collection[str] | None = None,
    dns: DnsTarget | None = None,
    notes: Sequence[str] = (),
) -> LintReport:
    """Run every check.

    Findings that read pods (selects-no-pod, unmatched-peer, undeclared-named-port, the
    redundancies, no-default-deny, dns-blocked) hold on ``inventory``; empty-ip-block,
    ingress-from-anywhere, all-namespaces-all-ports and ignored-rules read the rules alone.

    Args:
        policies: the NetworkPolicies and cluster-wide policies.
        inventory: the namespaces and pods they are judged on.
        externals: more addresses outside the cluster to evaluate (the probes already stand
            for every address; none by default).
        scope: the namespaces no-default-deny looks at; None (the default) means every
            namespace of the inventory with pods.
        dns: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).
        notes: what the reader must know about the inputs, added to the report's own notes.
    """
    basis = Basis.build(policies, inventory, externals)
    findings = dead_parts(basis)
    explained = {
        f.rule for f in findings if isinstance(f.rule, RuleRef) and f.check.name in _DEAD_RULE
    }
    findings += redundancies(basis, explained)
    exposed, exposure_notes = no_default_deny(basis, scope)
    findings += exposed
    blocked, dns_notes = dns_blocked(basis, dns)
    findings += blocked
    findings += wide_open(policies)
    findings += ignored_rules(policies)
    return LintReport.of(
        findings,
        len(policies) + len(policies.cluster_policies),
        len(inventory.pods),
        len(inventory.namespaces),
        [*notes, *exposure_notes, *dns_notes],
    )
