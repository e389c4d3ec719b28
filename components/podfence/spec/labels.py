"""Label selectors: matchLabels AND matchExpressions, as metav1.LabelSelector defines them."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

from pydantic import Field, field_validator, model_validator

from podfence.errors import SpecError
from podfence.spec.base import Spec

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "LabelSelector",
    "LabelSelectorRequirement",
    "Operator",
    "check_label_key",
    "check_label_value",
]

#: The label every namespace carries with its own name (Kubernetes >= 1.21).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def check_label_key(key: str) -> str:
    """A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        raise ValueError(f"label key {key!r} has an invalid prefix {prefix!r}")
    if len(name) > 63 or not _NAME.match(name):
        raise ValueError(
            f"label key {key!r} is invalid: its name part must be 1-63 characters of letters, digits, "
            "'-', '_' and '.', starting and ending with a letter or digit"
        )
    return key


def check_label_value(value: str) -> str:
    """A label value: empty, or at most 63 characters of letters, digits, '-', '_' and '.'."""
    if not isinstance(value, str):
        raise ValueError(f"label value {value!r} must be a string (quote it in YAML)")
    if value and (len(value) > 63 or not _NAME.match(value)):
        raise ValueError(
            f"label value {value!r} is invalid: at most 63 characters of letters, digits, '-', '_' "
            "and '.', starting and ending with a letter or digit"
        )
    return value


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """Validate every key and value of a label map."""
    for key, value in labels.items():
        check_label_key(key)
        check_label_value(value)
    return labels


class Operator(StrEnum):
    """The operators of a label selector requirement."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class LabelSelectorRequirement(Spec):
    """One matchExpressions entry.

    ``In``/``NotIn`` need at least one value; ``Exists``/``DoesNotExist`` take none. ``NotIn`` and
    ``DoesNotExist`` also match objects that lack the key.
    """

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        return check_label_key(key)

    @field_validator("values")
    @classmethod
    def _values(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            check_label_value(value)
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

    match_labels: dict[str, str] = Field(default_factory=dict)
    match_expressions: tuple[LabelSelectorRequirement, ...] = ()

    @field_validator("match_labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        return check_labels(labels)

    @classmethod
    def of(cls, labels: dict[str, str] | None = None, **more: str) -> LabelSelector:
        """A selector by labels: ``LabelSelector.of(app="guestbook-ui", tier="frontend")``."""
        return cls(match_labels={**(labels or {}), **more})

    @classmethod
    def namespace_names(cls, *names: str) -> LabelSelector:
        """Namespaces by name, through the ``kubernetes.io/metadata.name`` label."""
        if not names:
            raise SpecError("namespace_names: name at least one namespace")
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
