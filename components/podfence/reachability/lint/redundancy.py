"""Rules and policies whose removal changes no verdict, proved with the engine on the inventory.

A candidate is redundant when the grid without it (:meth:`Grid.allowed_without`: the same steps
on the same classes) allows exactly the flows the grid with it allows: every pod to every pod
and to every address outside the cluster, and every address to every pod, on every port and
protocol (:func:`~podfence.reachability.lint.basis.probe_ports` and
:func:`~podfence.reachability.lint.basis.probe_addresses` stand for all of them). Flows are
compared class by class, so a flow between two pods of one class (same namespace, labels, ports)
counts even where the inventory holds one such pod: a rule that admits a database's replicas to
each other is not redundant because one replica runs today.

Candidates are taken last policy first and, in a policy, last rule first; each one found
redundant is left out while the rest are judged, so that all the findings together can be
applied at once, and of two copies the later is reported. A policy is judged whole before its
rules. Not reported:

* a policy that admits nothing on the inventory: it only isolates (``deny-all``, whose purpose
  that is, even where allow policies isolate the same pods today), or its rules are dead and
  have findings of their own (fixing those would give it work);
* a rule that admits nothing and has a finding of its own (an unmatched peer, an empty
  ipBlock, an undeclared named port); one that admits nothing without one is reported here;
* the policies that select no pod (selects-no-pod says it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from podfence.reachability.bits import indices
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.lint.subsumption import covers, selector_includes
from podfence.reachability.policy import Policy, Rule
from podfence.reachability.verdict import RuleRef

__all__ = ["ON_THIS_INVENTORY", "redundancies"]

#: What the proof covers, as the findings say it.
ON_THIS_INVENTORY = (
    "on this inventory (every pod, every port and protocol, every address outside the cluster)"
)
_OTHER_END = {"ingress": "egress at the source", "egress": "ingress at the destination"}


class _Judge:
    """The grid, and the candidates already left out."""

    def __init__(self, basis: Basis) -> None:
        self.basis = basis
        self.rules: set[Rule] = set()
        self.policies: set[Policy] = {
            policy for policy in basis.policies if not basis.selected[policy]
        }
        self.policy_of: dict[Rule, Policy] = {
            rule: policy
            for policy in basis.policies
            for direction in ("ingress", "egress")
            for rule in policy.rules(direction) or ()
        }

    def admits(self, rule: Rule) -> bool:
        """Whether ``rule`` admits some source class to some entry."""
        return bool(self.basis.grid.rule_sources(rule))

    def unchanged(self, rules: Iterable[Rule] = (), policies: Iterable[Policy] = ()) -> bool:
        """Whether leaving these out too changes no flow."""
        grid = self.basis.grid
        changes = grid.rows_without([*self.rules, *rules], [*self.policies, *policies])
        return all(row == grid.allowed[number] for number, row in changes)

    def covering(self, rules: Sequence[Rule]) -> tuple[list[RuleRef], bool]:
        """The rules still in place that admit some of what ``rules`` admit, and whether part
        of it is admitted by none (then the other end denies it anyway)."""
        grid = self.basis.grid
        others: dict[RuleRef, None] = {}
        alone = False
        own = set(rules)
        for rule in rules:
            for number in grid.rule_sources(rule):
                applied = grid.admissions(number, rule.direction)
                mine = 0
                for admitting, entries in applied:
                    if admitting is rule:
                        mine |= entries
                rest = 0
                for admitting, entries in applied:
                    if admitting in own or admitting in self.rules:
                        continue
                    if self.policy_of[admitting] in self.policies:
                        continue
                    if entries & mine:
                        others.setdefault(admitting.ref)
                        rest |= entries
                if mine & ~rest:
                    alone = True
        return sorted(others), alone

    def in_place(self) -> Iterable[tuple[Rule, Policy]]:
        """Every rule still in place, with its policy."""
        for rule, policy in self.policy_of.items():
            if rule not in self.rules and policy not in self.policies:
                yield rule, policy

    def general(self, rules: Sequence[Rule], policy: Policy, whole: bool) -> RuleRef | None:
        """A rule still in place that covers each of ``rules`` (of ``policy``) on any inventory
        (see :func:`covers`): the first found, or None when one of them has none.

        Args:
            rules: the rules to cover.
            policy: their policy.
            whole: the whole policy goes, so its other rules cannot cover.
        """
        found: RuleRef | None = None
        for rule in rules:
            cover = next(
                (
                    other
                    for other, owner in self.in_place()
                    if other is not rule
                    and not (whole and owner is policy)
                    and covers(other, owner, rule, policy)
                ),
                None,
            )
            if cover is None:
                return None
            found = found or cover.ref
        return found

    def isolated_anyway(self, policy: Policy) -> bool:
        """Whether, for each direction ``policy`` lists, another policy still in place lists it
        and selects every pod ``policy`` selects, on any inventory."""
        return all(
            any(
                other is not policy
                and other not in self.policies
                and other.namespace == policy.namespace
                and other.isolates(direction)
                and selector_includes(other.pod_selector, policy.pod_selector)
                for other in self.basis.policies
            )
            for direction in ("ingress", "egress")
            if policy.isolates(direction)
        )


def _admitted_by(refs: list[RuleRef], alone: bool, direction: str) -> str:
    parts = []
    if refs:
        parts.append(
            f"each connection it admits is also admitted by {listing([str(r) for r in refs])}"
        )
    if alone:
        parts.append(
            f"{'the rest' if refs else 'each connection it admits'} is denied by "
            f"{_OTHER_END[direction]} anyway"
        )
    return ", and ".join(parts)


def _rule_finding(judge: _Judge, policy: Policy, rule: Rule) -> Finding:
    if not judge.admits(rule):
        why = f"it admits no connection {ON_THIS_INVENTORY}"
    else:
        refs, alone = judge.covering([rule])
        why = f"removing it changes no verdict {ON_THIS_INVENTORY}: " + _admitted_by(
            refs, alone, rule.direction
        )
    general = judge.general([rule], policy, whole=False)
    if general is not None:
        why += f"; {general} admits all it does on any inventory"
        fix = f"delete it (spec.{rule.direction}[{rule.index}])"
    else:
        fix = (
            f"delete it (spec.{rule.direction}[{rule.index}]), unless it is meant for pods or "
            "namespaces this inventory does not have"
        )
    return Finding(CHECKS["redundant-rule"], policy.namespace, why, fix, (policy.ref,), rule.ref)


def _isolation(judge: _Judge, policy: Policy) -> list[str]:
    """What the policy's isolation comes to, per direction it lists."""
    grid = judge.basis.grid
    parts = []
    for direction, isolating in (
        ("ingress", grid.ingress_isolating),
        ("egress", grid.egress_isolating),
    ):
        if not policy.isolates(direction):
            continue
        others: dict[str, None] = {}
        sole: list[int] = []
        for number in indices(judge.basis.selected[policy]):
            rest = [p for p in isolating[number] if p is not policy and p not in judge.policies]
            others.update(dict.fromkeys(str(p) for p in rest))
            if not rest:
                sole.append(number)
        if others:
            parts.append(
                f"the pods it isolates for {direction} are isolated by {listing(list(others))} too"
            )
        if sole:
            pods = [pod.key for pod in judge.basis.pods(sum(1 << n for n in sole))]
            what = "accept every connection" if direction == "ingress" else "reach everything"
            parts.append(
                f"{listing(pods)}, which only it isolates for {direction}, would {what} without "
                "it, as they do with it"
            )
    return parts


def _policy_finding(judge: _Judge, policy: Policy) -> Finding:
    rules = [
        rule
        for direction in ("ingress", "egress")
        for rule in policy.rules(direction) or ()
        if rule not in judge.rules
    ]
    parts = _isolation(judge, policy)
    for direction in ("ingress", "egress"):
        mine = [rule for rule in rules if rule.direction == direction and judge.admits(rule)]
        if mine:
            refs, alone = judge.covering(mine)
            text = _admitted_by(refs, alone, direction)
            parts.append(text.replace("it admits", f"its {direction} rules admit", 1))
    why = f"removing it changes no verdict {ON_THIS_INVENTORY}: " + "; ".join(parts)
    if judge.isolated_anyway(policy) and (
        not rules or judge.general(rules, policy, whole=True) is not None
    ):
        why += "; the other policies cover it on any inventory"
        fix = "delete the policy"
    else:
        fix = (
            "delete the policy, unless it is meant for pods or namespaces this inventory does "
            "not have"
        )
    return Finding(CHECKS["redundant-policy"], policy.namespace, why, fix, (policy.ref,))


def redundancies(basis: Basis, explained: Collection[RuleRef]) -> list[Finding]:
    """redundant-policy and redundant-rule (see the module docstring).

    Args:
        basis: the policies, inventory and grid.
        explained: the rules that already have a finding saying why they admit nothing.
    """
    judge = _Judge(basis)
    found: list[Finding] = []
    for policy in reversed(basis.policies.policies):
        if policy in judge.policies:
            continue
        rules = [
            rule for direction in ("ingress", "egress") for rule in policy.rules(direction) or ()
        ]
        if any(judge.admits(rule) for rule in rules) and judge.unchanged(policies=[policy]):
            found.append(_policy_finding(judge, policy))
            judge.policies.add(policy)
            continue
        for rule in reversed(rules):
            if not judge.admits(rule):
                judge.rules.add(rule)  # changes nothing: left out, reported if unexplained
                if rule.ref not in explained:
                    found.append(_rule_finding(judge, policy, rule))
                continue
            if judge.unchanged(rules=[rule]):
                found.append(_rule_finding(judge, policy, rule))
                judge.rules.add(rule)
    return found
