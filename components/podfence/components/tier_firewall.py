"""TierFirewall: tiers of pods and the flows allowed between them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from podfence.components._policies import PolicyComponent
from podfence.manifests.tier_firewall import tier_firewall_policies
from podfence.spec.tier_firewall import TierFirewallSpec

__all__ = ["TierFirewall"]


class TierFirewall(PolicyComponent):
    """Allow exactly the listed flows between tiers (ui -> api -> db).

    Semantics: each flow is an ingress policy ``allow-<from>-to-<to>`` on the destination tier
    admitting the source tier's pods on the destination's ports. Across namespaces the source is
    one peer with namespaceSelector AND podSelector. When the source tier is egress-isolated
    (``egress: true``, or the tier's own ``egressIsolated``) the flow also gets
    ``allow-<from>-to-<to>-egress`` on the source. The component only allows: pair it with
    :class:`DefaultDeny` to deny the rest.

    Args:
        name: the component's name; children are named ``<name>-<namespace>-<policy>``.
        args: a :class:`TierFirewallSpec`, or a dict validated into one.
        opts: resource options; a provider given here reaches every policy.

    Raises:
        SpecError: the args are invalid, e.g. a flow names an unknown tier; nothing is registered.
    """

    spec: TierFirewallSpec

    def __init__(
        self,
        name: str,
        args: TierFirewallSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        spec = TierFirewallSpec.parse(args, root=name)
        super().__init__("podfence:index:TierFirewall", name, tier_firewall_policies(spec), opts)
        self.spec = spec
