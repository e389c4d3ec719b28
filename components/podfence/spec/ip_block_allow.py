"""What IpBlockAllow builds: ingress from, or egress to, CIDRs with exceptions."""

from __future__ import annotations

import difflib
from typing import Any, ClassVar, Self

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from podfence.internet import PUBLIC_INTERNET
from podfence.spec.base import Items, key_error
from podfence.spec.direction import Direction
from podfence.spec.ip_block import IpBlock
from podfence.spec.labels import LabelSelector
from podfence.spec.ports import Port
from podfence.spec.selection import PolicyPlacement

__all__ = ["IpBlockAllowSpec"]


class IpBlockAllowSpec(PolicyPlacement):
    """Admit traffic from (ingress) or to (egress) address ranges.

    Semantics: each block is one ipBlock peer (peers are ORed); an address matches a block when
    it lies in ``cidr`` and in none of its ``except`` ranges. ipBlock matches pod IPs too, but
    pod IPs change: use it for addresses outside the cluster.

    In config, ``to: public-internet`` stands for ``direction: Egress`` with the blocks of
    :meth:`IpBlock.public_internet` (everything but private, shared, loopback, link-local,
    multicast and reserved ranges): the egress of pods that call external APIs and nothing
    inside. It takes the place of ``ipBlocks``.

    Args:
        ip_blocks: the ranges (at least one).
        direction: ``Ingress`` (default: traffic from the ranges) or ``Egress`` (traffic to them).
        pod_selector: the pods the policy applies to; omitted, every pod of the namespace.
        ports: the destination ports; omitted or empty, every port.
    """

    #: Config keys that are no field: ``to`` is expanded into ``direction`` and ``ipBlocks``.
    config_shorthands: ClassVar[tuple[str, ...]] = ("to",)

    ip_blocks: Items[IpBlock]
    direction: Direction = Direction.INGRESS
    pod_selector: LabelSelector = Field(default_factory=LabelSelector)
    ports: Items[Port] = ()

    @model_validator(mode="before")
    @classmethod
    def _to_public_internet(cls, value: Any) -> Any:
        """Expand ``to: public-internet`` (see the class docstring)."""
        if not isinstance(value, dict) or "to" not in value:
            return value
        out = dict(value)
        to = out.pop("to")
        name = cls.__name__
        if to != PUBLIC_INTERNET:
            near = isinstance(to, str) and difflib.get_close_matches(to, [PUBLIC_INTERNET])
            fix = (
                f"did you mean {PUBLIC_INTERNET}?"
                if near
                else f"write {PUBLIC_INTERNET}, or list the ranges under ipBlocks: with "
                "direction: Egress"
            )
            raise key_error(name, "to", to, f"{to!r} is not a destination podfence knows; {fix}")
        given = [key for key in ("ipBlocks", "ip_blocks") if key in out]
        if given:
            message = f"{PUBLIC_INTERNET} and {given[0]} both say where traffic goes; keep one"
            raise key_error(name, "to", to, message + " (a second entry can allow other ranges)")
        direction = out.get("direction", Direction.EGRESS.value)
        if direction != Direction.EGRESS.value:
            raise key_error(
                name,
                "direction",
                direction,
                f"{direction!r} does not go with to: {PUBLIC_INTERNET}, which is egress; "
                "drop direction",
            )
        out["direction"] = Direction.EGRESS.value
        out["ipBlocks"] = list(IpBlock.public_internet())
        return out

    @model_validator(mode="wrap")
    @classmethod
    def _where_traffic_goes(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Say, when ``ipBlocks`` is missing, that ``to`` could have been written instead; every
        other error as pydantic reports it, in its order."""
        try:
            return handler(value)
        except ValidationError as error:
            errors = error.errors(include_url=False)
            if not any(e["type"] == "missing" and e["loc"] == ("ipBlocks",) for e in errors):
                raise
            missing = (
                "Field required: list the ranges under ipBlocks, or write to: "
                f"{PUBLIC_INTERNET} for egress to the public internet"
            )
            details = [
                InitErrorDetails(
                    type=PydanticCustomError(
                        "missing" if e["loc"] == ("ipBlocks",) else e["type"],
                        "{message}",
                        {"message": missing if e["loc"] == ("ipBlocks",) else e["msg"]},
                    ),
                    loc=e["loc"],
                    input=e["input"],
                )
                for e in errors
            ]
            raise ValidationError.from_exception_data(error.title, details) from None

    @field_validator("ip_blocks")
    @classmethod
    def _blocks(cls, value: tuple[IpBlock, ...]) -> tuple[IpBlock, ...]:
        if not value:
            raise ValueError("name at least one ipBlock")
        return value
