"""The base of every podfence spec: frozen pydantic models, camelCase aliases, no unknown keys."""

from __future__ import annotations

import re
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from podfence.errors import SpecError, format_validation_error

__all__ = ["DNS_LABEL", "Spec", "check_dns_label", "check_dns_subdomain"]

#: RFC 1123 label: what Kubernetes requires of namespace names.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class Spec(BaseModel):
    """A frozen, validated value. Fields read by their Python name or their camelCase alias.

    Unknown keys are an error (a misspelt ``podSelecter`` must not be silently ignored).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    @classmethod
    def parse(cls, value: Any, root: str = "") -> Self:
        """Validate ``value`` (an instance or a plain dict) into this spec.

        Raises:
            SpecError: one line naming the field (prefixed with ``root``) and the bad value.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise SpecError(format_validation_error(error, root)) from error


def check_dns_label(value: str, what: str) -> str:
    """Require an RFC 1123 label (lower case alphanumerics and '-', at most 63 characters)."""
    if len(value) > 63 or not DNS_LABEL.match(value):
        hint = value.lower().replace("_", "-").strip("-")[:63]
        suggestion = f'; did you mean "{hint}"?' if hint and DNS_LABEL.match(hint) else ""
        raise ValueError(
            f"{what} {value!r} is not a valid name: lower case letters, digits and '-', "
            f"starting and ending with a letter or digit, at most 63 characters{suggestion}"
        )
    return value


def check_dns_subdomain(value: str, what: str) -> str:
    """Require an RFC 1123 subdomain (what Kubernetes requires of object names, at most 253)."""
    if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid Kubernetes name: lower case letters, digits, '-' "
            "and '.', starting and ending with a letter or digit, at most 253 characters"
        )
    return value
