"""Isolation and the two directions: when a policy's rules apply at all, and how sides combine.

The rules of https://kubernetes.io/docs/concepts/services-networking/network-policies/, each
written once. They work on one flow (0 or 1) and on sets of flows alike (int bitsets, with the
``universe`` of the set), so that :func:`podfence.reachability.evaluate.evaluate` and the matrix
apply the very same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podfence.reachability.policy import Policy
    from podfence.reachability.traffic import Endpoint

__all__ = [
    "DIRECTIONS",
    "PEER_FIELDS",
    "connection_allows",
    "direction_allows",
    "isolating",
    "selecting",
]

#: The two directions, as the policyTypes spell them and as the rules' field names.
DIRECTIONS = {"Ingress": "ingress", "Egress": "egress"}
#: Per direction, the field of a rule that lists its peers (the other ends it matches).
PEER_FIELDS = {"ingress": "from", "egress": "to"}


def selecting(policies: Iterable[Policy], pod: Endpoint) -> list[Policy]:
    """The policies whose podSelector selects ``pod`` (in the policy's own namespace only)."""
    return [policy for policy in policies if policy.selects(pod)]


def isolating(selecting: Iterable[Policy], direction: str) -> tuple[Policy, ...]:
    """The policies that isolate a pod for ``direction``, of those that select it.

    Semantics: a pod is isolated for a direction when a policy of its namespace selects it (its
    podSelector matches the pod's labels) and lists that direction in its effective policyTypes.

    Args:
        selecting: the policies that select the pod (see :func:`selecting`).
        direction: "ingress" or "egress".
    """
    return tuple(policy for policy in selecting if policy.isolates(direction))


def direction_allows(isolated: int, admitted: int, universe: int = 1) -> int:
    """One direction's decision: not isolated allows everything, isolated what a rule admits.

    Semantics: policies are additive; an isolated pod accepts (ingress) or opens (egress)
    exactly the connections some rule of an isolating policy admits.

    Args:
        isolated: the flows whose pod is isolated for this direction (1/0 for one flow).
        admitted: the flows some rule of an isolating policy admits.
        universe: every flow considered (1 for one flow).
    """
    return (admitted | ~isolated) & universe


def connection_allows(ingress: int, egress: int) -> int:
    """A connection needs egress allowed at its source and ingress allowed at its destination.

    Args:
        ingress: the flows ingress allows (1/0 for one flow).
        egress: the flows egress allows.
    """
    return ingress & egress
