"""Label selectors: matchLabels AND matchExpressions, compiled once, matched many times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podfence.reachability.context import ObjectContext, short, short_key
from podfence.validation import label_value_problem, qualified_name_problem

__all__ = [
    "OPERATORS",
    "LabelSelector",
    "Requirement",
    "parse_labels",
    "parse_selector",
]

#: The operators of a matchExpressions requirement (Kubernetes LabelSelectorOperator).
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_REQUIREMENT_FIELDS = frozenset({"key", "operator", "values"})


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
    """Check a ``metadata.labels`` / ``matchLabels`` map as the API server does (ValidateLabels).

    Args:
        raw: the map; ``None`` (absent) means no labels.
        context: the object, for errors.
        field: the field's path, for errors.

    Raises:
        InputError: not a map (``[]`` and ``''`` included), a key that is not a qualified name
            (``-app``, ``/app``, ``a/b/c``), a value that is not a string (YAML reads ``true``
            or ``1`` as a boolean or a number; Kubernetes rejects those, quote them) or not a
            valid label value (``guestbook db``, 64 characters). A null value (``app: ~``) is
            the empty one, as the API server decodes a null string.
    """
    labels = raw if type(raw) is dict else context.mapping(raw, field, "a map of labels")
    nulls = False
    for key, value in labels.items():
        if not isinstance(key, str):
            raise context.error(field, f"label key {short(key)} is not a string")
        problem = qualified_name_problem(key)
        if problem is not None:
            raise context.invalid(field, key, problem, "label key")
        if value is None:
            nulls = True
            continue
        if not isinstance(value, str):
            raise context.error(
                f"{field}.{short_key(key)}",
                f"label value {short(value)} is not a string (quote it)",
            )
        problem = label_value_problem(value)
        if problem is not None:
            raise context.invalid(f"{field}.{short_key(key)}", value, problem, "label value")
    return {key: value or "" for key, value in labels.items()} if nulls else labels


def _parse_requirement(raw: Any, context: ObjectContext, field: str) -> Requirement:
    """One matchExpressions entry, checked as ValidateLabelSelectorRequirement does."""
    if not isinstance(raw, dict):
        raise context.error(field, f"expected a requirement map, got {short(raw)}")
    unknown = raw.keys() - _REQUIREMENT_FIELDS
    if unknown:
        raise context.unknown(field, unknown, "key, operator, values")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise context.error(f"{field}.key", f"expected a label key, got {short(key)}")
    problem = qualified_name_problem(key)
    if problem is not None:
        raise context.invalid(f"{field}.key", key, problem)
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise context.error(
            f"{field}.operator",
            f"unknown operator {short(operator)} (expected one of {', '.join(OPERATORS)})",
        )
    values = context.sequence(raw.get("values"), f"{field}.values", "a list of label values")
    if operator in ("In", "NotIn"):
        if not values:
            raise context.error(
                f"{field}.values",
                f"operator {operator} needs a non-empty list, got {short(raw.get('values'))}",
            )
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise context.error(
                    f"{field}.values[{index}]", f"{short(value)} is not a string (quote it)"
                )
            problem = label_value_problem(value)
            if problem is not None:
                raise context.invalid(f"{field}.values[{index}]", value, problem)
        return Requirement(key, operator, frozenset(values))
    if values:
        raise context.error(
            f"{field}.values", f"operator {operator} takes no values, got {short(values)}"
        )
    return Requirement(key, operator)


def parse_selector(raw: Any, context: ObjectContext, field: str) -> LabelSelector:
    """Compile a LabelSelector object, checked as ValidateLabelSelector does.

    Args:
        raw: ``{matchLabels: ..., matchExpressions: [...]}``; ``None`` or ``{}`` is the empty
            selector, which matches everything (callers decide what an *absent* selector means).
        context: the object, for errors.
        field: the selector's path, e.g. ``spec.ingress[0].from[1].podSelector``.

    Raises:
        InputError: not a map (``[]`` and ``''`` included), matchLabels not a map or
            matchExpressions not a list, unknown operator, In/NotIn without values,
            Exists/DoesNotExist with values, keys or values the API server refuses, unknown
            selector fields.
    """
    selector = raw if type(raw) is dict else context.mapping(raw, field, "a label selector map")
    unknown = selector.keys() - _SELECTOR_FIELDS
    if unknown:
        raise context.unknown(field, unknown, "matchLabels, matchExpressions")
    labels = parse_labels(selector.get("matchLabels"), context, f"{field}.matchLabels")
    expressions = selector.get("matchExpressions")
    if type(expressions) is not list:
        expressions = context.sequence(
            expressions, f"{field}.matchExpressions", "a list of requirements"
        )
    requirements = tuple(
        _parse_requirement(item, context, f"{field}.matchExpressions[{index}]")
        for index, item in enumerate(expressions)
    )
    return LabelSelector(tuple(sorted(labels.items())), requirements)
