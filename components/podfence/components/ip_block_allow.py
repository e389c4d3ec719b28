"""IpBlockAllow: ingress from, or egress to, address ranges with exceptions."""

from __future__ import annotations

from podfence.components._policies import PolicyComponent
from podfence.manifests.ip_block_allow import ip_block_allow_policies
from podfence.spec.ip_block_allow import IpBlockAllowSpec

__all__ = ["IpBlockAllow"]


class IpBlockAllow(PolicyComponent[IpBlockAllowSpec]):
    """Admit traffic from (or to) CIDRs minus their exceptions, optionally for some pods and ports.

    Semantics: one policy per namespace with one rule whose peers are the ip blocks (ORed); an
    address matches a block when it is in ``cidr`` and in none of its ``except`` ranges. The
    specs reject an ``except`` outside its CIDR or of the other family, and a scalar ``except``.

    Construct with ``(name, args, opts=None)``: ``args`` is a :class:`IpBlockAllowSpec` or a dict
    validated into one; see :class:`PolicyComponent` for naming, parentage and errors.
    """

    _spec_type = IpBlockAllowSpec
    build = staticmethod(ip_block_allow_policies)
