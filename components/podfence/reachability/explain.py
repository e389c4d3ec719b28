"""A verdict in words: which policies and rules allow a flow, or why none does."""

from __future__ import annotations

from podfence.reachability.tiers import ADMIN, PASS
from podfence.reachability.verdict import DirectionVerdict, Verdict

__all__ = ["explain"]


def _side(verdict: Verdict, direction: str, side: DirectionVerdict) -> list[str]:
    subject = verdict.destination if direction == "ingress" else verdict.source
    head = f"{direction} at {subject}"
    lines = []
    passed = side.passed_by
    if passed is not None:
        lines.append(
            f"  {head}: passed by {passed} to the NetworkPolicies: {passed.describe_rule()}"
        )
    decided = side.decided_by
    if decided is None:
        return lines + _network_policies(verdict, direction, side)
    word = "allowed" if side.allowed else "denied"
    if decided.tier == ADMIN:
        return [*lines, f"  {head}: {word} by {decided.describe()}"]
    if decided.action == PASS:
        return [
            *lines,
            f"  {head}: allowed: passed by {decided} past the Baseline tier, where nothing else "
            f"decides: {decided.describe_rule()} (no NetworkPolicy selects {subject} for "
            f"{direction})",
        ]
    return [
        *lines,
        f"  {head}: {word} by {decided.describe()} (no NetworkPolicy selects {subject} for "
        f"{direction})",
    ]


def _network_policies(verdict: Verdict, direction: str, side: DirectionVerdict) -> list[str]:
    """What the NetworkPolicies decide (they are the whole story without cluster-wide policies)."""
    subject, other = (
        (verdict.destination, verdict.source)
        if direction == "ingress"
        else (verdict.source, verdict.destination)
    )
    head = f"{direction} at {subject}"
    if not side.isolated:
        return [
            f"  {head}: allowed: no policy selects {subject} for {direction}, "
            f"so it is not isolated for {direction}"
        ]
    policies = ", ".join(str(p) for p in side.policy_refs)
    if side.allowed_by:
        lines = [
            f"  {head}: allowed: {subject} is isolated for {direction} by {policies}; allowed by:"
        ]
        lines += [f"    - {rule.describe()}" for rule in side.allowed_by]
        return lines
    whose = "its" if len(side.policies) == 1 else "their"
    lines = [
        f"  {head}: denied: {subject} is isolated for {direction} by {policies}; "
        f"none of {whose} {direction} rules admits {other}:"
    ]
    for policy in side.policies:
        if not policy.rules(direction):
            lines.append(f"    - {policy} has no {direction} rules")
    lines += [
        f"    - {miss.rule.describe()}: {miss.reason}" for miss in verdict.not_matching(direction)
    ]
    return lines


_OUTSIDE = (
    "  {direction} at {key}: not applicable: {key} is outside the cluster, so no {direction} "
    "policy applies to it"
)


def explain(verdict: Verdict) -> str:
    """The verdict and, in words, every policy and rule that allows it, or why nothing does.

    One line for the verdict, then the ingress side (at the destination) and the egress side
    (at the source). A side that is an address outside the cluster has no policies; a direction
    that no policy isolates allows everything; an isolated one needs a rule matching both peer
    and port. A cluster-wide rule that decided names its policy, tier, priority and rule
    (``denied by AdminNetworkPolicy deny-db (Admin tier, priority 10), ingress rule 0 "x": ...``);
    an Admin-tier Pass is one line (``passed by ... to the NetworkPolicies: ...``) before what
    the NetworkPolicies (or the Baseline tier) decided, and a ``note:`` when that rule's policy
    shares its tier and priority with others (their order is undefined). Last, one
    ``assumption:`` line for each
    namespace missing from the inventory whose assumed labels the verdict turns on (see
    :meth:`Verdict.assumptions`).

    Args:
        verdict: from :func:`~podfence.reachability.evaluate.evaluate` or the matrix.

    Returns:
        Several lines, without a trailing newline.
    """
    lines = [f"{verdict.traffic.describe()}: {'allowed' if verdict.allowed else 'denied'}"]
    for direction, key in (("ingress", verdict.destination), ("egress", verdict.source)):
        side = verdict.side(direction)
        if side is None:
            lines.append(_OUTSIDE.format(direction=direction, key=key))
        else:
            lines += _side(verdict, direction, side)
            tied = verdict.ties_of(direction)
            if tied:
                lines.append(
                    f"  note: the {direction} rule's policy shares its tier and priority with "
                    f"{', '.join(tied)}: the API leaves their order undefined; podfence "
                    "evaluates them by name, a cluster may not"
                )
    lines += [f"  assumption: {assumption.describe()}" for assumption in verdict.assumptions()]
    return "\n".join(lines)
