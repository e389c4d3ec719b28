"""Label selectors: matchLabels AND matchExpressions, compiled once, matched many times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podfence.reachability.context import ObjectContext, short

__all__ = ["OPERATORS", "LabelSelector", "Requirement", "parse_labels", "parse_selector"]

#: The operators of a matchExpressions requirement (Kubernetes LabelSelectorOperator).
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


@dataclass(frozen=True)
class Requirement:
    """One matchExpressions entry.

    Semantics (LabelSelectorRequirement): ``In`` needs the key with one of ``values``; ``NotIn``
    matches objects whose value is not in ``values``, including objects that lack the key;
    ``Exists`` / ``DoesNotExist`` test the key alone.
    """

    key: str
    operator: str
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy this requirement."""
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return labels.get(self.key) not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels

    def describe(self) -> str:
        """kubectl's notation: ``tier in (api,web)``, ``tier notin (db)``, ``tier``, ``!tier``."""
        values = ",".join(sorted(self.values))
        if self.operator == "In":
            return f"{self.key} in ({values})"
        if self.operator == "NotIn":
            return f"{self.key} notin ({values})"
        if self.operator == "Exists":
            return self.key
        return f"!{self.key}"


@dataclass(frozen=True)
class LabelSelector:
    """A compiled label selector: every matchLabels pair AND every requirement must hold.

    An empty selector (no matchLabels, no matchExpressions) matches every object. Equal selectors
    compare and hash equal, so results can be shared between policies that repeat a selector.
    """

    match_labels: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the selector matches everything."""
        return not self.match_labels and not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an object with ``labels`` is selected."""
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(requirement.matches(labels) for requirement in self.requirements)

    def describe(self) -> str:
        """``app=web,tier in (a,b)``; "" for the empty selector."""
        parts = [f"{key}={value}" for key, value in self.match_labels]
        parts += [requirement.describe() for requirement in self.requirements]
        return ",".join(parts)


def parse_labels(raw: Any, context: ObjectContext, field: str) -> dict[str, str]:
    """Check a ``metadata.labels`` / ``matchLabels`` map: string keys, string values.

    Args:
        raw: the map; ``None`` (absent) means no labels.
        context: the object, for errors.
        field: the field's path, for errors.

    Raises:
        InputError: not a map, or a value that is not a string (YAML reads ``true`` or ``1``
            as a boolean or a number; Kubernetes rejects those, quote them).
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a map of labels, got {short(raw)}")
    for key, value in raw.items():
        if not isinstance(key, str) or not key:
            raise context.error(field, f"label key {short(key)} is not a non-empty string")
        if not isinstance(value, str):
            raise context.error(
                f"{field}.{key}", f"label value {short(value)} is not a string (quote it)"
            )
    return raw


def _parse_requirement(raw: Any, context: ObjectContext, field: str) -> Requirement:
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a requirement map, got {short(raw)}")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise context.error(f"{field}.key", f"expected a label key, got {short(key)}")
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise context.error(
            f"{field}.operator",
            f"unknown operator {short(operator)} (expected one of {', '.join(OPERATORS)})",
        )
    values = raw.get("values")
    if operator in ("In", "NotIn"):
        if not isinstance(values, list) or not values:
            raise context.error(
                f"{field}.values",
                f"operator {operator} needs a non-empty list, got {short(values)}",
            )
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise context.error(
                    f"{field}.values[{index}]", f"{short(value)} is not a string (quote it)"
                )
        return Requirement(key, operator, frozenset(values))
    if values:
        raise context.error(
            f"{field}.values", f"operator {operator} takes no values, got {short(values)}"
        )
    return Requirement(key, operator)


def parse_selector(raw: Any, context: ObjectContext, field: str) -> LabelSelector:
    """Compile a LabelSelector object.

    Args:
        raw: ``{matchLabels: ..., matchExpressions: [...]}``; ``None`` or ``{}`` is the empty
            selector, which matches everything (callers decide what an *absent* selector means).
        context: the object, for errors.
        field: the selector's path, e.g. ``spec.ingress[0].from[1].podSelector``.

    Raises:
        InputError: unknown operator, In/NotIn without values, Exists/DoesNotExist with values,
            non-string label values, unknown selector fields.
    """
    if raw is None:
        return LabelSelector()
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a label selector map, got {short(raw)}")
    unknown = sorted(set(raw) - {"matchLabels", "matchExpressions"})
    if unknown:
        raise context.error(
            f"{field}.{unknown[0]}", "unknown field (expected matchLabels, matchExpressions)"
        )
    labels = parse_labels(raw.get("matchLabels"), context, f"{field}.matchLabels")
    expressions = raw.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise context.error(
            f"{field}.matchExpressions", f"expected a list, got {short(expressions)}"
        )
    requirements = tuple(
        _parse_requirement(item, context, f"{field}.matchExpressions[{index}]")
        for index, item in enumerate(expressions)
    )
    return LabelSelector(tuple(sorted(labels.items())), requirements)
