"""The offline reachability engine: which pod may connect to which, under NetworkPolicy v1 and
the cluster-wide policies around it (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
ClusterNetworkPolicy).

``load_cluster(objects)`` sorts Kubernetes objects into a :class:`PolicySet` and an
:class:`Inventory`; ``evaluate(policies, inventory, traffic)`` decides one :class:`Traffic` into
a :class:`Verdict`; ``Matrix.build(policies, inventory)`` decides every flow, class by class,
with the same predicates. The matrix code is imported only when a matrix is built (``Matrix``
and friends load on first access), so commands that evaluate one flow start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podfence.reachability.admin import ClusterPolicy
from podfence.reachability.cluster import Cluster, load_cluster
from podfence.reachability.evaluate import evaluate, resolve_port, traffic
from podfence.reachability.explain import explain
from podfence.reachability.inventory import Inventory, sample_address
from podfence.reachability.loader import read_objects
from podfence.reachability.model import External, Namespace, Node, Pod
from podfence.reachability.policy import Policy, PolicySet
from podfence.reachability.report import summary, verdict_json
from podfence.reachability.traffic import Endpoint, Traffic
from podfence.reachability.verdict import (
    ClusterPolicyRef,
    DirectionVerdict,
    PolicyRef,
    RuleMiss,
    RuleRef,
    TierRuleRef,
    Verdict,
)

if TYPE_CHECKING:
    from podfence.reachability.matrix import Flow, Group, Matrix, SourceRow

__all__ = [
    "Cluster",
    "ClusterPolicy",
    "ClusterPolicyRef",
    "DirectionVerdict",
    "Endpoint",
    "External",
    "Flow",
    "Group",
    "Inventory",
    "Matrix",
    "Namespace",
    "Node",
    "Pod",
    "Policy",
    "PolicyRef",
    "PolicySet",
    "RuleMiss",
    "RuleRef",
    "SourceRow",
    "TierRuleRef",
    "Traffic",
    "Verdict",
    "evaluate",
    "explain",
    "load_cluster",
    "read_objects",
    "resolve_port",
    "sample_address",
    "summary",
    "traffic",
    "verdict_json",
]

_LAZY = ("Flow", "Group", "Matrix", "SourceRow")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from podfence.reachability import matrix

        return getattr(matrix, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
