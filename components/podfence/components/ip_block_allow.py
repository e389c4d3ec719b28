"""IpBlockAllow: ingress from, or egress to, address ranges with exceptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from podfence.components._policies import PolicyComponent
from podfence.manifests.ip_block_allow import ip_block_allow_policies
from podfence.spec.ip_block_allow import IpBlockAllowSpec

__all__ = ["IpBlockAllow"]


class IpBlockAllow(PolicyComponent):
    """Admit traffic from (or to) CIDRs minus their exceptions, optionally for some pods and ports.

    Semantics: one policy per namespace with one rule whose peers are the ip blocks (ORed); an
    address matches a block when it is in ``cidr`` and in none of its ``except`` ranges. The
    specs reject an ``except`` outside its CIDR or of the other family, and a scalar ``except``.

    Args:
        name: the component's name; children are named ``<name>-<namespace>-<policy>``.
        args: an :class:`IpBlockAllowSpec`, or a dict validated into one.
        opts: resource options; a provider given here reaches every policy.

    Raises:
        SpecError: the args are invalid; nothing is registered.
    """

    spec: IpBlockAllowSpec

    def __init__(
        self,
        name: str,
        args: IpBlockAllowSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        spec = IpBlockAllowSpec.parse(args, root=name)
        super().__init__("podfence:index:IpBlockAllow", name, ip_block_allow_policies(spec), opts)
        self.spec = spec
