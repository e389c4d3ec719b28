"""TierFirewall: tiers of pods and the flows allowed between them."""

from __future__ import annotations

from podfence.components._policies import PolicyComponent
from podfence.manifests.tier_firewall import tier_firewall_policies
from podfence.spec.tier_firewall import TierFirewallSpec

__all__ = ["TierFirewall"]


class TierFirewall(PolicyComponent[TierFirewallSpec]):
    """Allow exactly the listed flows between tiers (ui -> api -> db).

    Semantics: each flow is an ingress policy ``allow-<from>-to-<to>`` on the destination tier
    admitting the source tier's pods on the destination's ports. Across namespaces the source is
    one peer with namespaceSelector AND podSelector. When the source tier is egress-isolated
    (``egress: true``, or the tier's own ``egressIsolated``) the flow also gets
    ``allow-<from>-to-<to>-egress`` on the source. The component only allows: pair it with
    :class:`DefaultDeny` to deny the rest.

    Construct with ``(name, args, opts=None)``: ``args`` is a :class:`TierFirewallSpec` or a dict
    validated into one; see :class:`PolicyComponent` for naming, parentage and errors.
    """

    _spec_type = TierFirewallSpec
    build = staticmethod(tier_firewall_policies)
