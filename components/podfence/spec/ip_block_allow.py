"""What IpBlockAllow builds: ingress from, or egress to, CIDRs with exceptions."""

from __future__ import annotations

from pydantic import Field, field_validator

from podfence.spec.base import Items
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

    Args:
        ip_blocks: the ranges (at least one).
        direction: ``Ingress`` (default: traffic from the ranges) or ``Egress`` (traffic to them).
        pod_selector: the pods the policy applies to; omitted, every pod of the namespace.
        ports: the destination ports; omitted or empty, every port.
    """

    ip_blocks: Items[IpBlock]
    direction: Direction = Direction.INGRESS
    pod_selector: LabelSelector = Field(default_factory=LabelSelector)
    ports: Items[Port] = ()

    @field_validator("ip_blocks")
    @classmethod
    def _blocks(cls, value: tuple[IpBlock, ...]) -> tuple[IpBlock, ...]:
        if not value:
            raise ValueError("name at least one ipBlock")
        return value
