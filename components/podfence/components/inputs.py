"""Component args that hold ``pulumi.Output`` values: validated now where known, later where not.

A user passes another resource's output where a name or a label value goes (the name of a
``Namespace`` the program creates, say). Its value is unknown while the program registers
resources, so each output is swapped for a placeholder (``output-0``, ``output-1`` ... in the
order the args hold them), which is a valid name and label value: the spec is validated and the
manifests are built with the placeholders, before anything is registered, and every field that
is known is checked then. The placeholders are then swapped back for the outputs in what is
sent to Kubernetes, and the whole spec is validated again with the real values once they
resolve, so a bad value still fails the deployment with podfence's one-line error.

Only names and label values may be outputs: a placeholder where a port or a CIDR goes is an
error that says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import pulumi

from podfence.errors import SpecError
from podfence.spec.base import Spec

__all__ = ["Deferred"]

_PLACEHOLDER = re.compile(r"output-\d+")

SpecT = TypeVar("SpecT", bound=Spec)


class Deferred(Generic[SpecT]):
    """``args`` with every ``pulumi.Output`` swapped for a placeholder, and the way back.

    Args:
        args: the component's args (a spec object, or plain dicts and lists).
        spec_type: the spec the args are validated into (``spec_type.parse``).
        name: the component's name, the root of every field named in an error.

    Attributes:
        args: a copy of the args with placeholders (dicts and lists rebuilt, the rest shared).
        outputs: placeholder -> the output it stands for, in order.
    """

    def __init__(self, args: Any, spec_type: type[SpecT], name: str) -> None:
        self._spec_type = spec_type
        self._name = name
        self.outputs: dict[str, pulumi.Output[Any]] = {}
        self.args = self._swap(args)

    def _swap(self, value: Any) -> Any:
        if isinstance(value, pulumi.Output):
            placeholder = f"output-{len(self.outputs)}"
            self.outputs[placeholder] = value
            return placeholder
        if isinstance(value, Mapping):
            return {key: self._swap(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._swap(item) for item in value)
        return value

    def _parse(self, args: Any) -> SpecT:
        return self._spec_type.parse(args, root=self._name)

    def parse(self) -> SpecT:
        """Validate the args with the placeholders now (see the module docstring).

        Raises:
            SpecError: invalid args; an output where only a literal value may go is named.
        """
        try:
            return self._parse(self.args)
        except SpecError as error:
            found = _PLACEHOLDER.search(str(error)) if self.outputs else None
            if found is None or found.group(0) not in self.outputs:
                raise
            raise SpecError(
                f"{str(error).split(':', 1)[0]}: a pulumi Output is only accepted where a name "
                f"or a label value goes; give this value of {self._name} literally"
            ) from error

    def known(self, key: str) -> bool:
        """Whether a ``namespace/name`` key holds no placeholder (so it can be checked now)."""
        return not any(placeholder in key.split("/") for placeholder in self.outputs)

    def restore(self, value: Any) -> Any:
        """``value`` (a manifest) with each placeholder swapped back for its output."""
        if not self.outputs:
            return value
        if isinstance(value, str):
            if value in self.outputs:
                return self.outputs[value]
            used = sorted((p for p in self.outputs if p in value), key=len, reverse=True)
            if not used:
                return value
            return pulumi.Output.all(*(self.outputs[p] for p in used)).apply(
                lambda values: _fill(value, dict(zip(used, values, strict=True)))
            )
        if isinstance(value, Mapping):
            return {key: self.restore(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.restore(item) for item in value]
        return value

    def check_later(self) -> None:
        """Validate the args again once every output is known; a bad value fails the run."""
        if not self.outputs:
            return
        placeholders = list(self.outputs)

        def check(values: list[Any]) -> None:
            self._parse(_substitute(self.args, dict(zip(placeholders, values, strict=True))))

        pulumi.Output.all(*self.outputs.values()).apply(check)


def _fill(text: str, values: Mapping[str, Any]) -> str:
    for placeholder, value in values.items():  # longest first: output-10 before output-1
        text = text.replace(placeholder, str(value))
    return text


def _substitute(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value in values:
        return values[value]
    if isinstance(value, Mapping):
        return {key: _substitute(item, values) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_substitute(item, values) for item in value)
    return value
