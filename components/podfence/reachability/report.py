"""A verdict as data (JSON) and as one line: the forms explain, check and the matrix share."""

from __future__ import annotations

from typing import Any

from podfence.reachability.model import NAME_LABEL
from podfence.reachability.verdict import DirectionVerdict, RuleRef, TierRuleRef, Verdict

__all__ = ["markdown_cell", "rule_json", "side_json", "summary", "tier_rule_json", "verdict_json"]


def _rule_json(rule: RuleRef) -> dict[str, Any]:
    return {"policy": f"{rule.namespace}/{rule.policy}", "rule": rule.index}


def rule_json(rule: RuleRef | TierRuleRef) -> dict[str, Any]:
    """A rule as data: a NetworkPolicy rule's ``policy``, ``rule`` and ``direction``, or a
    cluster-wide rule as :func:`tier_rule_json` has it."""
    if isinstance(rule, TierRuleRef):
        return tier_rule_json(rule)
    return {**_rule_json(rule), "direction": rule.direction}


def tier_rule_json(rule: TierRuleRef) -> dict[str, Any]:
    """``{"kind", "policy", "tier", "priority", "direction", "rule", "name", "action"}``: a rule
    of a cluster-wide policy (``priority`` null for a BaselineAdminNetworkPolicy, ``name`` ""
    for an unnamed rule)."""
    return {
        "kind": rule.kind,
        "policy": rule.policy,
        "tier": rule.tier,
        "priority": rule.priority,
        "direction": rule.direction,
        "rule": rule.index,
        "name": rule.name,
        "action": rule.action,
    }


def side_json(side: DirectionVerdict | None) -> dict[str, Any] | None:
    """``{"isolated": bool, "allowed_by": [{"policy": "ns/name", "rule": 0}]}``; None stays None.

    The matrix's JSON contract for each flow's ``ingress`` and ``egress``: None (null) where the
    side does not apply, an address outside the cluster having no policies. Where a cluster-wide
    policy took part, also ``decided_by`` (the Admin- or Baseline-tier rule that decided) and
    ``passed_by`` (the Admin-tier Pass rule that handed the flow on), each as
    :func:`tier_rule_json` and only when set, so that NetworkPolicy-only output is unchanged.
    """
    if side is None:
        return None
    data: dict[str, Any] = {
        "isolated": side.isolated,
        "allowed_by": [_rule_json(r) for r in side.allowed_by],
    }
    if side.decided_by is not None:
        data["decided_by"] = tier_rule_json(side.decided_by)
    if side.passed_by is not None:
        data["passed_by"] = tier_rule_json(side.passed_by)
    return data


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """Everything :func:`~podfence.reachability.explain.explain` says, as data.

    The matrix's keys (``from``, ``to``, ``port``, ``protocol``, ``allowed``, and per side
    ``isolated`` and ``allowed_by``), plus per side the isolating ``policies``, each rule's
    ``description``, and ``not_matching``: the rules that do not admit the flow, with the reason;
    and ``assumptions``: each namespace missing from the inventory whose assumed labels (only
    ``kubernetes.io/metadata.name``) the verdict turns on, with the rules that read them. A side
    a cluster-wide policy took part in also has ``tier`` (what decided: Admin, NetworkPolicy,
    Baseline, or null for the default) and ``decided_by`` / ``passed_by`` with a
    ``description``, and ``tied_with`` when that rule's policy shares its tier and priority with
    others (``Kind name`` each).
    """
    result: dict[str, Any] = {
        "from": verdict.source,
        "to": verdict.destination,
        "port": verdict.port,
        "protocol": verdict.protocol,
        "allowed": verdict.allowed,
    }
    for direction in ("ingress", "egress"):
        side = verdict.side(direction)
        if side is None:
            result[direction] = None
            continue
        data: dict[str, Any] = {
            "isolated": side.isolated,
            "allowed_by": [
                {**_rule_json(rule), "description": rule.describe()} for rule in side.allowed_by
            ],
            "allowed": side.allowed,
            "policies": [str(policy) for policy in side.policy_refs],
            "not_matching": [
                {**_rule_json(miss.rule), "reason": miss.reason}
                for miss in verdict.not_matching(direction)
            ],
        }
        tiered = (("decided_by", side.decided_by), ("passed_by", side.passed_by))
        if any(rule is not None for _, rule in tiered):
            data["tier"] = side.tier
        for key, rule in tiered:
            if rule is not None:
                data[key] = {**tier_rule_json(rule), "description": rule.describe()}
        tied = verdict.ties_of(direction)
        if tied:
            data["tied_with"] = list(tied)
        result[direction] = data
    result["assumptions"] = [
        {
            "namespace": assumption.namespace,
            "labels": {NAME_LABEL: assumption.namespace},
            "rules": [rule_json(rule) for rule in assumption.rules],
            "description": assumption.describe(),
        }
        for assumption in verdict.assumptions()
    ]
    return result


def summary(verdict: Verdict) -> str:
    """One line naming what decided: the allowing rules (a cluster-wide rule that allows, after
    the NetworkPolicy rules), or per denied side the cluster-wide rule that denies or the
    policies that isolate."""
    if verdict.allowed:
        rules = [str(rule) for rule in verdict.deciding_rules()]
        rules += [str(rule) for rule in verdict.deciding_tier_rules()]
        return (
            "allowed by " + ", ".join(rules) if rules else "allowed: no policy isolates either end"
        )
    denied = [
        (direction, side)
        for direction in ("ingress", "egress")
        if (side := verdict.side(direction)) is not None and not side.allowed
    ]
    return "; ".join(
        f"{direction} denied by {side.decided_by}"
        if side.decided_by is not None
        else f"{direction} denied: isolated by {', '.join(str(p) for p in side.policy_refs)}, "
        "no rule admits it"
        for direction, side in denied
    )


def markdown_cell(text: str) -> str:
    """``text`` for a Markdown table cell: backslashes and pipes escaped, on one line."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
