"""A policy's configuration (``pulumi preview --policy-pack-config``), validated into a spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from podfence.policy_pack.objects import plain
from podfence.spec.base import Spec

__all__ = ["Configured", "read_config"]

S = TypeVar("S", bound=Spec)


class Configured(Protocol):
    """``ResourceValidationArgs`` and ``StackValidationArgs`` alike."""

    def get_config(self) -> Mapping[str, Any]:
        """The policy's configuration properties."""


def read_config(args: Configured, model: type[S], policy: str) -> S:
    """The policy's configuration, validated into ``model`` (defaults for what is omitted).

    CrossGuard passes the properties given for the policy in the ``--policy-pack-config`` file
    (and its enforcement level, which is no business of the policy's: left out here).

    Args:
        args: the validation's arguments.
        model: the spec of the policy's configuration.
        policy: the policy's name, which prefixes the field in an error.

    Raises:
        SpecError: one line naming the field and the bad value.
    """
    raw = plain(args.get_config())
    raw.pop("enforcementLevel", None)
    return model.parse(raw, root=f"policy config {policy}")
