"""What `podfence lint` reports: the checks, with stable codes, and the findings they make."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from podfence.reachability.verdict import ClusterPolicyRef, PolicyRef, RuleRef, TierRuleRef

__all__ = ["CHECKS", "Check", "Finding", "LintReport", "Severity", "find_check"]


class Severity(StrEnum):
    """How bad a finding is.

    ``error``: the policies certainly do not work as written: a peer no address can ever match,
    pods that cannot resolve names. ``warning``: dead weight (a policy, rule, peer or port that
    does nothing on the inventory, a rule others make redundant), a gap (pods no policy
    isolates) or an exposure (every address, every namespace on every port) that may be meant.
    """

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Check:
    """One kind of finding.

    Attributes:
        code: stable, ``PF001`` ...; never reused for another meaning.
        name: stable, kebab-case, e.g. ``selects-no-pod``.
        severity: see :class:`Severity`.
        summary: what it finds, in one line.
    """

    code: str
    name: str
    severity: Severity
    summary: str


_CHECKS = (
    Check(
        "PF001",
        "selects-no-pod",
        Severity.WARNING,
        "a policy whose podSelector (a cluster-wide policy whose subject) selects no pod",
    ),
    Check(
        "PF002",
        "unmatched-peer",
        Severity.WARNING,
        "a peer whose selectors no pod (or no namespace, or no node) satisfies",
    ),
    Check(
        "PF003",
        "empty-ip-block",
        Severity.ERROR,
        "an ipBlock whose except entries cover its whole cidr: it matches no address",
    ),
    Check(
        "PF004",
        "undeclared-named-port",
        Severity.WARNING,
        "a named port that no pod the rule can reach declares",
    ),
    Check(
        "PF005",
        "redundant-rule",
        Severity.WARNING,
        "a rule whose removal changes no verdict, as the engine proves",
    ),
    Check(
        "PF006",
        "redundant-policy",
        Severity.WARNING,
        "a policy whose removal changes no verdict, as the engine proves",
    ),
    Check(
        "PF007",
        "no-default-deny",
        Severity.WARNING,
        "pods of a namespace that accept ingress by default: no NetworkPolicy isolates them "
        "and no cluster-wide rule decides",
    ),
    Check(
        "PF008",
        "dns-blocked",
        Severity.ERROR,
        "pods that cannot reach DNS, denied at their egress or the DNS pods' ingress at any tier",
    ),
    Check(
        "PF009",
        "ingress-from-anywhere",
        Severity.WARNING,
        "an ingress rule that admits every address (0.0.0.0/0, ::/0, or no from)",
    ),
    Check(
        "PF010",
        "all-namespaces-all-ports",
        Severity.WARNING,
        "a rule that admits every pod of every namespace on every port of a protocol",
    ),
    Check(
        "PF011",
        "ignored-rules",
        Severity.ERROR,
        "rules of a direction the policy's policyTypes leave out: no network plugin enforces them",
    ),
)

#: Every check by name, in code order.
CHECKS: dict[str, Check] = {check.name: check for check in _CHECKS}


def find_check(text: str) -> Check | None:
    """The check whose code (``PF009``) or name (``ingress-from-anywhere``) ``text`` is, in
    any case; None when there is none."""
    wanted = text.strip().lower()
    return next(
        (check for check in _CHECKS if wanted in (check.code.lower(), check.name)),
        None,
    )


@dataclass(frozen=True)
class Finding:
    """One thing wrong, where it is, why, and how to fix it.

    Attributes:
        check: what kind of finding.
        namespace: the namespace concerned; None for a finding about a cluster-wide policy,
            which lives in none.
        policies: the policies concerned: the one at fault, or for ``dns-blocked`` those that
            isolate the pods or whose rule denies their egress; none for ``no-default-deny``.
            A NetworkPolicy by namespace and name, a cluster-wide policy by kind, name, tier
            and priority.
        rule: the rule at fault, of a NetworkPolicy or a cluster-wide policy (its description
            is the engine's, as ``explain`` words it).
        peer: the index of the peer in the rule's ``from``/``to``, when one peer is at fault.
        port: the index of the port in the rule's ``ports``, when one port is at fault.
        pods: the pods concerned (``namespace/name``), for findings about pods.
        why: the reason, in words.
        fix: what to do, when there is something to suggest.
    """

    check: Check
    namespace: str | None
    why: str
    fix: str | None = None
    policies: tuple[PolicyRef | ClusterPolicyRef, ...] = ()
    rule: RuleRef | TierRuleRef | None = None
    peer: int | None = None
    port: int | None = None
    pods: tuple[str, ...] = ()

    @property
    def severity(self) -> Severity:
        """The check's severity."""
        return self.check.severity

    @property
    def where(self) -> str:
        """``ns/p ingress rule 0, peer 1``, ``ns/p``, or ``namespace ns``; a cluster-wide policy
        as explain names it: ``AdminNetworkPolicy deny-db (Admin tier, priority 10), ingress
        rule 0 "deny-monitoring", peer 0``."""
        if self.rule is not None:
            text = str(self.rule)
            if self.peer is not None:
                text += f", peer {self.peer}"
            if self.port is not None:
                text += f", port {self.port}"
            return text
        if self.policies:
            return ", ".join(
                policy.head if isinstance(policy, ClusterPolicyRef) else str(policy)
                for policy in self.policies
            )
        return f"namespace {self.namespace}"

    def to_json(self) -> dict[str, Any]:
        """The finding in ``podfence lint --output json``: a NetworkPolicy is ``ns/name``, a
        cluster-wide policy ``Kind name``, whose rule also has its ``kind``, ``tier``,
        ``priority``, ``name`` and ``action``; ``namespace`` is null for a cluster-wide
        policy's finding."""
        rule: dict[str, Any] | None = None
        if self.rule is not None:
            rule = {
                "policy": str(self.rule.policy_ref),
                "direction": self.rule.direction,
                "index": self.rule.index,
                "description": self.rule.describe(),
            }
            if isinstance(self.rule, TierRuleRef):
                rule.update(
                    kind=self.rule.kind,
                    tier=self.rule.tier,
                    priority=self.rule.priority,
                    name=self.rule.name,
                    action=self.rule.action,
                )
        return {
            "code": self.check.code,
            "name": self.check.name,
            "severity": self.severity.value,
            "where": self.where,
            "namespace": self.namespace,
            "policies": [str(policy) for policy in self.policies],
            "rule": rule,
            "peer": self.peer,
            "port": self.port,
            "pods": list(self.pods),
            "why": self.why,
            "fix": self.fix,
        }


def _policy_order(policy: PolicyRef | ClusterPolicyRef) -> tuple[str, str, str]:
    """NetworkPolicies by namespace and name; cluster-wide policies (no namespace) first, by
    name and kind."""
    if isinstance(policy, ClusterPolicyRef):
        return ("", policy.name, policy.kind)
    return (policy.namespace, policy.name, "")


def _order(finding: Finding) -> tuple[object, ...]:
    rule = finding.rule
    return (
        finding.check.code,
        finding.namespace or "",
        tuple(_policy_order(policy) for policy in finding.policies),
        (rule.direction, rule.index) if rule is not None else ("", -1),
        finding.peer if finding.peer is not None else -1,
        finding.port if finding.port is not None else -1,
    )


@dataclass(frozen=True)
class LintReport:
    """Every finding, in code order, and what they were judged on.

    Attributes:
        findings: sorted by code, namespace, policy, rule, peer and port.
        policies: how many policies were linted.
        pods: how many pods the inventory holds.
        namespaces: how many namespaces it holds.
        notes: what the reader must know to weigh the findings (a stand-in DNS pod, say).
        ignored: how many findings were left out because their check was ignored (see
            :meth:`ignoring`); they are in no count and fail nothing.
    """

    findings: tuple[Finding, ...]
    policies: int
    pods: int
    namespaces: int
    notes: tuple[str, ...] = ()
    ignored: int = 0

    @classmethod
    def of(
        cls,
        findings: Sequence[Finding],
        policies: int,
        pods: int,
        namespaces: int,
        notes: Sequence[str] = (),
    ) -> LintReport:
        """A report with ``findings`` put in order."""
        return cls(tuple(sorted(findings, key=_order)), policies, pods, namespaces, tuple(notes))

    def ignoring(self, checks: Collection[str]) -> LintReport:
        """This report without the findings of ``checks`` (names), counted as ignored."""
        kept = tuple(f for f in self.findings if f.check.name not in checks)
        return replace(self, findings=kept, ignored=self.ignored + len(self.findings) - len(kept))

    def count(self, severity: Severity) -> int:
        """How many findings have ``severity``."""
        return sum(1 for finding in self.findings if finding.severity is severity)

    def failed(self, threshold: Severity) -> bool:
        """Whether a finding is at ``threshold`` or worse (an error is worse than a warning)."""
        if threshold is Severity.ERROR:
            return self.count(Severity.ERROR) > 0
        return bool(self.findings)

    @property
    def summary(self) -> str:
        """``3 findings: 1 error, 2 warnings`` or ``no findings``, then ``; 1 ignored`` when
        findings of ignored checks were left out."""
        ignored = f"; {self.ignored} ignored" if self.ignored else ""
        if not self.findings:
            return f"no findings{ignored}"

        def count(number: int, word: str) -> str:
            return f"{number} {word}{'' if number == 1 else 's'}"

        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        return (
            f"{count(len(self.findings), 'finding')}: "
            f"{count(errors, 'error')}, {count(warnings, 'warning')}{ignored}"
        )

    @property
    def scope(self) -> str:
        """``13 policies, 6 pods in 4 namespaces``."""

        def count(number: int, word: str, plural: str) -> str:
            return f"{number} {word if number == 1 else plural}"

        return (
            f"{count(self.policies, 'policy', 'policies')}, {count(self.pods, 'pod', 'pods')} "
            f"in {count(self.namespaces, 'namespace', 'namespaces')}"
        )
