"""Expectations: flows a firewall must allow and flows it must deny, checked against a verdict.

The file (``stacks/<stack>.expect.yaml`` for a stack)::

    allow:
      - {from: guestbook/ui, to: guestbook/api, port: 8080}
    deny:
      - {from: 10.72.10.5, to: guestbook/ui, port: 80, protocol: TCP}

``from`` is ``namespace/pod`` or an IP address; ``to`` is ``namespace/pod``; ``port`` a number or a
containerPort name; ``protocol`` defaults to TCP. An optional ``why`` is printed with a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from podfence.errors import ConfigError, format_validation_error
from podfence.spec.base import Spec
from podfence.spec.ports import Protocol, check_port, check_protocol

__all__ = ["Expectation", "ExpectationFile", "Outcome", "check_expectations", "expectations_path"]


class Expectation(Spec):
    """One flow and whether it must be allowed."""

    from_: str = Field(alias="from")
    to: str
    port: int | str
    protocol: Protocol = Protocol.TCP
    why: str = ""

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol(cls, value: Any) -> Any:
        return check_protocol(value)

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int | str:
        return check_port(value)

    @field_validator("to")
    @classmethod
    def _pod(cls, value: str) -> str:
        if value.count("/") != 1 or not all(value.split("/")):
            raise ValueError(f"to {value!r} must be namespace/pod")
        return value

    def describe(self) -> str:
        """``guestbook/ui -> guestbook/api 8080/TCP``."""
        return f"{self.from_} -> {self.to} {self.port}/{self.protocol.value}"


class ExpectationFile(Spec):
    """What a firewall must allow and deny."""

    allow: tuple[Expectation, ...] = ()
    deny: tuple[Expectation, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One expectation checked: what was expected, what the engine said, and its explanation."""

    expectation: Expectation
    expected: Literal["allow", "deny"]
    allowed: bool
    explanation: str

    @property
    def passed(self) -> bool:
        """True when the verdict is the expected one."""
        return self.allowed == (self.expected == "allow")


def expectations_path(project_stack_dir: Path, stack: str) -> Path:
    """Where a stack's expectations live: beside its stack file, ``<stack>.expect.yaml``."""
    return project_stack_dir / f"{stack}.expect.yaml"


def load_expectations(path: Path) -> ExpectationFile:
    """Read and validate an expectations file.

    Raises:
        ConfigError: missing, unparsable, or invalid (one line naming the entry and field).
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"{path}: cannot read expectations: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}".splitlines()[0]) from error
    try:
        expectations = ExpectationFile.model_validate(document)
    except ValidationError as error:
        raise ConfigError(f"{path}: {format_validation_error(error)}") from error
    if not expectations.allow and not expectations.deny:
        raise ConfigError(f"{path}: no expectations: list flows under allow: and deny:")
    return expectations


def check_expectations(
    expectations: ExpectationFile, evaluate: Callable[[Expectation], tuple[bool, str]]
) -> list[Outcome]:
    """Evaluate every expectation with ``evaluate`` (-> allowed, explanation), allow first."""
    outcomes: list[Outcome] = []
    for expected, entries in (("allow", expectations.allow), ("deny", expectations.deny)):
        for entry in entries:
            allowed, explanation = evaluate(entry)
            outcomes.append(Outcome(entry, expected, allowed, explanation))  # type: ignore[arg-type]
    return outcomes
