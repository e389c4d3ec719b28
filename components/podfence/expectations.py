"""Expectations: flows a firewall must allow and flows it must deny, checked against a verdict.

The file (``stacks/<stack>.expect.yaml`` for a stack)::

    allow:
      - {from: guestbook/ui, to: guestbook/api, port: 8080}
    deny:
      - {from: 10.72.10.5, to: guestbook/ui, port: 80, protocol: TCP}

``from`` and ``to`` are ``namespace/pod`` or an IP address (a pod's IP is that pod; an address
outside the cluster as ``to`` checks egress to it); ``port`` is a number or a containerPort name
of the destination; ``protocol`` defaults to TCP for a number and to the named port's own
protocol for a name. An optional ``why`` is printed with a failure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from podfence.errors import UNKNOWN_KEY, ConfigError, InputError, format_validation_error
from podfence.reachability.inventory import Inventory
from podfence.reachability.policy import PolicySet
from podfence.reachability.verdict import Verdict
from podfence.spec.base import Items, Spec
from podfence.spec.ports import Protocol, check_port, check_protocol

__all__ = [
    "Expectation",
    "ExpectationFile",
    "Outcome",
    "check_expectations",
    "describe_failure",
    "expectations_path",
]


class Expectation(Spec):
    """One flow and whether it must be allowed."""

    from_: str = Field(validation_alias="from", serialization_alias="from")
    to: str
    port: int | str
    protocol: Protocol | None = None
    why: str = ""

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol(cls, value: Any) -> Any:
        return None if value is None else check_protocol(value)

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int | str:
        return check_port(value)

    @field_validator("from_", "to")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if value.count("/") != 1 or not all(value.split("/")):
                raise ValueError(f"{value!r} must be namespace/pod or an IP address") from None
        return value

    def describe(self) -> str:
        """``guestbook/ui -> guestbook/api 8080/TCP`` (``dns`` alone for a named port)."""
        protocol = f"/{self.protocol.value}" if self.protocol is not None else ""
        if isinstance(self.port, int) and not protocol:
            protocol = "/TCP"
        return f"{self.from_} -> {self.to} {self.port}{protocol}"


class ExpectationFile(Spec):
    """What a firewall must allow and deny."""

    allow: Items[Expectation] = ()
    deny: Items[Expectation] = ()


@dataclass(frozen=True)
class Outcome:
    """One expectation checked: what was expected, the engine's verdict, and where the
    expectation stands (``index`` in its ``allow`` or ``deny`` list)."""

    expectation: Expectation
    expected: Literal["allow", "deny"]
    verdict: Verdict
    index: int

    @property
    def allowed(self) -> bool:
        """What the engine says."""
        return self.verdict.allowed

    @property
    def passed(self) -> bool:
        """True when the verdict is the expected one."""
        return self.allowed == (self.expected == "allow")


_FIELDS = ("from", "to", "port")


def expectations_path(project_stack_dir: Path, stack: str) -> Path:
    """Where a stack's expectations live: beside its stack file, ``<stack>.expect.yaml``."""
    return project_stack_dir / f"{stack}.expect.yaml"


def load_expectations(path: Path) -> ExpectationFile:
    """Read and validate an expectations file.

    Raises:
        ConfigError: missing, unparsable, or invalid (one line naming the entry and field).
    """
    from podfence.offline.project import load_yaml

    document = load_yaml(path, "expectations") or {}
    try:
        expectations = ExpectationFile.model_validate(document)
    except ValidationError as error:
        raise ConfigError(f"{path}: {_entry_error(error, document)}") from error
    if not expectations.allow and not expectations.deny:
        raise ConfigError(f"{path}: no expectations: list flows under allow: and deny:")
    return expectations


def _entry_error(error: ValidationError, document: Any) -> str:
    """The error's one line; inside an entry, after the entry as it was written, the way
    :func:`check_expectations` names one: ``deny[0] (a/b -> c 80): to: 'c' must be ...``."""
    line = format_validation_error(error)
    errors = error.errors(include_url=False)
    first = next((e for e in errors if e["type"] == UNKNOWN_KEY), errors[0])
    loc = tuple(first["loc"])
    if len(loc) < 3 or not isinstance(document, dict) or not isinstance(loc[1], int):
        return line
    entry = (document.get(loc[0]) or [None] * (loc[1] + 1))[loc[1]]
    where = f"{loc[0]}[{loc[1]}]"
    if not isinstance(entry, dict) or not line.startswith(f"{where}."):
        return line

    def written(key: str) -> str:
        return str(entry[key]) if key in entry else "?"

    flow = f"{written('from')} -> {written('to')} {written('port')}"
    if "protocol" in entry:
        flow += f"/{entry['protocol']}"
    return f"{where} ({flow}): {line[len(where) + 1 :]}"


def check_expectations(
    expectations: ExpectationFile, policies: PolicySet, inventory: Inventory
) -> list[Outcome]:
    """Evaluate every expectation (allow first), each with the engine's verdict.

    Raises:
        InputError: an expectation names a pod that is not in the inventory, or a port the
            destination does not declare (the message names the expectation).
    """
    from podfence.reachability import evaluate, traffic

    outcomes: list[Outcome] = []
    for expected, entries in (("allow", expectations.allow), ("deny", expectations.deny)):
        for index, entry in enumerate(entries):
            protocol = None if entry.protocol is None else entry.protocol.value
            try:
                flow = traffic(inventory, entry.from_, entry.to, entry.port, protocol, _FIELDS)
            except InputError as error:
                raise InputError(f"{expected}[{index}] ({entry.describe()}): {error}") from None
            verdict = evaluate(policies, inventory, flow)
            outcomes.append(Outcome(entry, expected, verdict, index))  # type: ignore[arg-type]
    return outcomes


def describe_failure(outcome: Outcome) -> str:
    """A failed expectation in words: which one, what was expected and got, and the engine's why.

    ::

        deny[0] guestbook/ui -> guestbook/db 6379/TCP: expected deny, allowed
          expected because: the UI talks to the api, never to the db
          guestbook/ui -> guestbook/db on 6379/TCP: allowed
            ingress at guestbook/db: allowed: ...

    Args:
        outcome: the expectation checked (see :func:`check_expectations`).
    """
    from podfence.reachability.explain import explain

    entry = outcome.expectation
    got = "allowed" if outcome.allowed else "denied"
    expected = outcome.expected
    lines = [f"{expected}[{outcome.index}] {entry.describe()}: expected {expected}, {got}"]
    if entry.why:
        lines.append(f"  expected because: {entry.why}")
    lines += [f"  {line}" for line in explain(outcome.verdict).splitlines()]
    return "\n".join(lines)
