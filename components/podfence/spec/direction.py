"""Policy directions, as policyTypes spells them."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Direction"]


class Direction(StrEnum):
    """A policy direction: ``Ingress`` (traffic into the selected pods) or ``Egress`` (out of them)."""

    INGRESS = "Ingress"
    """Traffic into the selected pods."""
    EGRESS = "Egress"
    """Traffic out of the selected pods."""
