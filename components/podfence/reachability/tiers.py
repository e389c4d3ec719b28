"""The tiers around NetworkPolicies: Admin rules first, then NetworkPolicies, then Baseline rules.

The order the network-policy-api (sigs.k8s.io/network-policy-api: AdminNetworkPolicy and
BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2 and v1beta1) gives one direction of a
connection at a pod, written once:

1. The Admin tier: the rules of the Admin-tier policies that select the pod, in precedence
   order (lowest priority number first, then each policy's rules in list order). The first rule
   that matches decides: Allow (v1alpha1) or Accept (ClusterNetworkPolicy) admits, Deny drops, Pass hands
   the connection to the NetworkPolicies. No rule matching is the same as Pass.
2. The NetworkPolicies: when one isolates the pod for this direction, they decide (allowed when
   a rule admits), and the Baseline tier is not consulted.
3. The Baseline tier: the rules of the Baseline-tier policies that select the pod, first match
   wins: Allow/Accept admits, Deny drops, Pass (ClusterNetworkPolicy only) goes on to 4.
4. Nothing decided: allowed.

Like :mod:`podfence.reachability.isolation`, the functions work on one flow (0 or 1) and on sets
of flows (int bitsets, with the ``universe`` of the set) alike, so that
:func:`~podfence.reachability.evaluate.evaluate` and the matrix apply the very same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from podfence.reachability.isolation import direction_allows

__all__ = [
    "ACCEPT",
    "ADMIN",
    "ALLOW",
    "BASELINE",
    "DENY",
    "PASS",
    "first_match",
    "tiers_allow",
]

#: The tier evaluated before the NetworkPolicies.
ADMIN = "Admin"
#: The tier evaluated after them, for pods no NetworkPolicy isolates.
BASELINE = "Baseline"
#: v1alpha1's action that admits (AdminNetworkPolicy, BaselineAdminNetworkPolicy).
ALLOW = "Allow"
#: ClusterNetworkPolicy's action that admits (v1alpha2, v1beta1).
ACCEPT = "Accept"
#: The action that drops.
DENY = "Deny"
#: The action that hands the decision to the next tier.
PASS = "Pass"

T = TypeVar("T")


def first_match(hits: Iterable[tuple[T, int]], universe: int = 1) -> list[tuple[T, int]]:
    """Each rule, in order, with the flows it decides: those it matches that no earlier rule did.

    Semantics: within a tier the rules are evaluated in precedence order and the first that
    matches a flow decides it. Rules that decide nothing are left out; iteration stops once
    every flow of ``universe`` is decided, so a lazy ``hits`` is read only that far.

    Args:
        hits: (rule, the flows the rule matches), in precedence order (1/0 for one flow).
        universe: every flow considered (1 for one flow).
    """
    undecided = universe
    decided: list[tuple[T, int]] = []
    for rule, hit in hits:
        won = hit & undecided
        if won:
            decided.append((rule, won))
            undecided &= ~won
            if not undecided:
                break
    return decided


def tiers_allow(
    admin_allowed: int,
    admin_denied: int,
    isolated: int,
    admitted: int,
    baseline_denied: int,
    universe: int = 1,
) -> int:
    """One direction's decision over the three tiers (see the steps of this module).

    Args:
        admin_allowed: the flows an Admin rule decided with Allow/Accept.
        admin_denied: the flows an Admin rule decided with Deny (the rest were passed on, or
            matched no Admin rule).
        isolated: the flows whose pod a NetworkPolicy isolates for this direction.
        admitted: the flows a rule of an isolating NetworkPolicy admits.
        baseline_denied: the flows a Baseline rule decided with Deny.
        universe: every flow considered (1 for one flow).
    """
    rest = universe & ~(admin_allowed | admin_denied)
    below = direction_allows(isolated, admitted, universe) & ~(~isolated & baseline_denied)
    return (admin_allowed | (rest & below)) & universe
