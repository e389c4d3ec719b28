"""The offline reachability engine: which pod may connect to which, under NetworkPolicy v1.

The matrix code is imported only when a matrix is built (``Matrix`` and friends load on first
access), so commands that evaluate one flow start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podfence.reachability.analyzer import Analyzer
from podfence.reachability.explain import explain
from podfence.reachability.loader import read_objects
from podfence.reachability.verdict import (
    DirectionVerdict,
    PolicyRef,
    RuleMiss,
    RuleRef,
    Verdict,
)

if TYPE_CHECKING:
    from podfence.reachability.matrix import Flow, FlowDetail, Group, Matrix, SourceRow

__all__ = [
    "Analyzer",
    "DirectionVerdict",
    "Flow",
    "FlowDetail",
    "Group",
    "Matrix",
    "PolicyRef",
    "RuleMiss",
    "RuleRef",
    "SourceRow",
    "Verdict",
    "explain",
    "read_objects",
]

_LAZY = ("Flow", "FlowDetail", "Group", "Matrix", "SourceRow")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from podfence.reachability import matrix

        return getattr(matrix, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
