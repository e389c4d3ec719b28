"""A verdict in words: which policies and rules allow a flow, or why none does."""

from __future__ import annotations

from podfence.reachability.verdict import DirectionVerdict, Verdict

__all__ = ["explain"]


def _side(direction: str, subject: str, other: str, verdict: DirectionVerdict) -> list[str]:
    head = f"{direction} at {subject}"
    if not verdict.isolated:
        return [
            f"  {head}: allowed: no policy selects {subject} for {direction}, "
            f"so it is not isolated for {direction}"
        ]
    policies = ", ".join(str(p) for p in verdict.policies)
    if verdict.allowed_by:
        lines = [
            f"  {head}: allowed: {subject} is isolated for {direction} by {policies}; allowed by:"
        ]
        lines += [f"    - {rule.describe()}" for rule in verdict.allowed_by]
        return lines
    lines = [
        f"  {head}: denied: {subject} is isolated for {direction} by {policies}; "
        f"none of their {direction} rules admits {other}:"
    ]
    with_rules = {(miss.rule.namespace, miss.rule.policy) for miss in verdict.not_matching}
    for policy in verdict.policies:
        if (policy.namespace, policy.name) not in with_rules:
            lines.append(f"    - {policy} has no {direction} rules")
    lines += [f"    - {miss.rule.describe()}: {miss.reason}" for miss in verdict.not_matching]
    return lines


def explain(verdict: Verdict) -> str:
    """The verdict and, in words, every policy and rule that allows it, or why nothing does.

    One line for the verdict, then the ingress side (at the destination) and the egress side (at
    the source; not applicable to a source outside the cluster). A direction that no policy
    isolates allows everything; an isolated one needs a rule matching both peer and port.

    Args:
        verdict: from :meth:`Analyzer.evaluate`.

    Returns:
        Several lines, without a trailing newline.
    """
    flow = f"{verdict.source} -> {verdict.destination} on {verdict.port}/{verdict.protocol}"
    lines = [f"{flow}: {'allowed' if verdict.allowed else 'denied'}"]
    lines += _side("ingress", verdict.destination, verdict.source, verdict.ingress)
    if verdict.egress is None:
        lines.append(
            f"  egress at {verdict.source}: not applicable: the source is not a pod of the "
            "inventory, so no egress policy applies to it"
        )
    else:
        lines += _side("egress", verdict.source, verdict.destination, verdict.egress)
    return "\n".join(lines)
