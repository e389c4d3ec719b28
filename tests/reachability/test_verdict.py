"""Verdicts with the cluster-wide tiers: the rule that decided or passed, and what it means."""

from __future__ import annotations

from podfence.reachability.verdict import (
    NOT_ISOLATED,
    ClusterPolicyRef,
    DirectionVerdict,
    RuleRef,
    TierRuleRef,
    tiered_verdict,
)


def ref(tier: str, action: str, priority: int | None = 10) -> TierRuleRef:
    kind = "AdminNetworkPolicy" if tier == "Admin" else "BaselineAdminNetworkPolicy"
    return TierRuleRef(ClusterPolicyRef(kind, "p", tier, priority), "ingress", 2, "r", action)


ISOLATING = (object(),)  # tiered_verdict only passes the isolating policies on
ADMITS = (RuleRef("a", "allow", "ingress", 0),)


def test_a_tier_rule_reads_as_kind_name_tier_priority_and_rule() -> None:
    assert (
        str(ref("Admin", "Deny"))
        == 'AdminNetworkPolicy p (Admin tier, priority 10), ingress rule 2 "r"'
    )
    policy = ClusterPolicyRef("BaselineAdminNetworkPolicy", "default", "Baseline", None)
    unnamed = TierRuleRef(policy, "egress", 0, "", "Allow")
    assert str(unnamed) == "BaselineAdminNetworkPolicy default (Baseline tier), egress rule 0"
    assert unnamed.describe() == str(unnamed), "without the compiled rule, the head alone"
    assert ref("Admin", "Deny").denies and not ref("Admin", "Pass").denies


def test_an_admin_allow_or_deny_decides_and_the_network_policies_are_not_consulted() -> None:
    denied = tiered_verdict(ISOLATING, ADMITS, ref("Admin", "Deny"))
    assert denied == DirectionVerdict(False, decided_by=ref("Admin", "Deny"))
    assert not denied.allowed and denied.tier == "Admin"
    allowed = tiered_verdict(ISOLATING, (), ref("Admin", "Allow"))
    assert allowed.allowed and allowed.policies == () and allowed.allowed_by == ()


def test_an_admin_pass_goes_to_the_network_policies_that_isolate() -> None:
    passed = tiered_verdict(ISOLATING, (), ref("Admin", "Pass"), ref("Baseline", "Allow"))
    assert passed.isolated and not passed.allowed, (
        "isolated, no rule admits: the baseline is not read"
    )
    assert passed.passed_by == ref("Admin", "Pass") and passed.decided_by is None
    assert passed.tier == "NetworkPolicy"


def test_without_isolation_the_baseline_decides_and_otherwise_everything_is_allowed() -> None:
    denied = tiered_verdict((), (), ref("Admin", "Pass"), ref("Baseline", "Deny", None))
    assert not denied.allowed and denied.tier == "Baseline"
    assert tiered_verdict((), (), None, ref("Baseline", "Pass", 3)).allowed
    assert tiered_verdict((), ()) is NOT_ISOLATED
    assert NOT_ISOLATED.tier is None
    assert tiered_verdict((), (), ref("Admin", "Pass")).allowed
