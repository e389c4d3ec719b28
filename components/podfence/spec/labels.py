"""Label selectors: matchLabels AND matchExpressions, as metav1.LabelSelector defines them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from podfence.errors import SpecError
from podfence.spec.base import Items, Spec, check_dns_label
from podfence.validation import label_value_problem, qualified_name_problem

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "LabelSelector",
    "LabelSelectorRequirement",
    "Labels",
    "Operator",
    "check_label_key",
    "check_label_value",
    "check_labels",
]

#: The label every namespace carries with its own name (Kubernetes >= 1.21).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def check_label_key(key: str) -> str:
    """A label key: a Kubernetes qualified name (an optional DNS-subdomain prefix and '/', then
    a name part of 1-63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric)."""
    problem = qualified_name_problem(key)
    if problem is not None:
        raise ValueError(f"label key {key!r} is invalid: {problem}")
    return key


def check_label_value(value: str, key: str | None = None) -> str:
    """A label value: empty, or at most 63 alphanumerics, '-', '_' and '.', starting and ending
    alphanumeric. ``key``, when given, is named in the error."""
    of = f" of key {key!r}" if key is not None else ""
    if not isinstance(value, str):
        raise ValueError(f"label value {value!r}{of} is not a string; quote it in YAML")
    problem = label_value_problem(value)
    if problem is not None:
        raise ValueError(f"label value {value!r}{of} is invalid: {problem}")
    return value


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """Validate every key and value of a label map."""
    for key, value in labels.items():
        check_label_key(key)
        check_label_value(value, key)
    return labels


def _strings_only(labels: Any) -> Any:
    """Refuse a label value that YAML read as a number or a boolean (``tier: on``, ``v: 1.10``)."""
    if isinstance(labels, dict):
        for key, value in labels.items():
            if isinstance(key, str) and not isinstance(value, str):
                raise ValueError(
                    f"label value {value!r} of key {key!r} is not a string; quote it in YAML"
                )
    return labels


#: A label map (matchLabels, a tier's podLabels): every key and value checked, Kubernetes' rules.
Labels = Annotated[dict[str, str], BeforeValidator(_strings_only), AfterValidator(check_labels)]


class Operator(StrEnum):
    """The operators of a label selector requirement."""

    IN = "In"
    """The label's value is one of ``values``."""
    NOT_IN = "NotIn"
    """The label's value is none of ``values``, or the label is missing."""
    EXISTS = "Exists"
    """The label is present, whatever its value."""
    DOES_NOT_EXIST = "DoesNotExist"
    """The label is missing."""


class LabelSelectorRequirement(Spec):
    """One matchExpressions entry.

    ``In``/``NotIn`` need at least one value; ``Exists``/``DoesNotExist`` take none. ``NotIn`` and
    ``DoesNotExist`` also match objects that lack the key.
    """

    key: str
    operator: Operator
    values: Items[str] = ()

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        return check_label_key(key)

    @field_validator("values")
    @classmethod
    def _values(cls, values: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for value in values:
            check_label_value(value, info.data.get("key"))
        return values

    @model_validator(mode="after")
    def _operator_and_values(self) -> Self:
        wants_values = self.operator in (Operator.IN, Operator.NOT_IN)
        if wants_values and not self.values:
            raise ValueError(f"operator {self.operator.value} on key {self.key!r} needs values")
        if not wants_values and self.values:
            raise ValueError(
                f"operator {self.operator.value} on key {self.key!r} takes no values "
                f"(got {list(self.values)!r})"
            )
        return self


class LabelSelector(Spec):
    """A label selector: every matchLabels pair AND every matchExpressions requirement must hold.

    Omitting both (the empty selector ``{}``) selects everything: all pods of a namespace as a
    podSelector, all namespaces as a namespaceSelector.
    """

    match_labels: Labels = Field(default_factory=dict)
    match_expressions: Items[LabelSelectorRequirement] = ()

    @classmethod
    def of(cls, labels: dict[str, str] | None = None, **more: str) -> LabelSelector:
        """A selector by labels: ``LabelSelector.of(app="guestbook-ui", tier="frontend")``."""
        if labels is not None and not isinstance(labels, Mapping):
            key, equals, value = str(labels).partition("=")
            fix = f"; did you mean {cls.__name__}.of({{{key!r}: {value!r}}})?" if equals else ""
            raise SpecError(
                f"{cls.__name__}.of: labels {labels!r} must be a dict of label keys to values{fix}"
            )
        return cls(match_labels={**(labels or {}), **more})

    @classmethod
    def namespace_names(cls, *names: str) -> LabelSelector:
        """Namespaces by name, through the ``kubernetes.io/metadata.name`` label."""
        if not names:
            raise SpecError(f"{cls.__name__}.namespace_names: name at least one namespace")
        for name in names:
            try:
                if not isinstance(name, str):
                    raise ValueError(f"namespace {name!r} is not a string")
                check_dns_label(name, "namespace")
            except ValueError as error:
                raise SpecError(f"{cls.__name__}.namespace_names: {error}") from None
        if len(names) == 1:
            return cls(match_labels={NAMESPACE_NAME_LABEL: names[0]})
        requirement = LabelSelectorRequirement(
            key=NAMESPACE_NAME_LABEL, operator=Operator.IN, values=tuple(sorted(set(names)))
        )
        return cls(match_expressions=(requirement,))

    @property
    def is_empty(self) -> bool:
        """True when the selector selects everything."""
        return not self.match_labels and not self.match_expressions

    def describe(self) -> str:
        """The selector in kubectl's words: ``app=x,tier in (a,b)``; ``(everything)`` when empty."""
        parts: list[str] = [f"{k}={v}" for k, v in sorted(self.match_labels.items())]
        for req in self.match_expressions:
            values = ",".join(req.values)
            parts.append(
                {
                    Operator.IN: f"{req.key} in ({values})",
                    Operator.NOT_IN: f"{req.key} notin ({values})",
                    Operator.EXISTS: req.key,
                    Operator.DOES_NOT_EXIST: f"!{req.key}",
                }[req.operator]
            )
        return ",".join(parts) or "(everything)"
