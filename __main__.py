"""The guestbook firewall: the stack's ``firewall`` config in, podfence components out."""

import pulumi
from podfence import PodfenceError
from podfence.components import DefaultDeny, IpBlockAllow, NamespaceAllow, TierFirewall
from podfence.config import FirewallConfig

try:
    firewall = FirewallConfig.from_pulumi(pulumi.Config())
except PodfenceError as error:
    # RunError ends the program with this one line instead of a traceback.
    raise pulumi.RunError(str(error)) from error

deny = DefaultDeny("default-deny", firewall.default_deny_spec())
tiers = TierFirewall("tiers", firewall.tier_firewall_spec())
namespace_allows = [NamespaceAllow(spec.name, spec) for spec in firewall.namespace_allow_specs()]
ip_block_allows = [IpBlockAllow(spec.name, spec) for spec in firewall.ip_block_allows]

pulumi.export(
    "policies",
    [
        name
        for component in (deny, tiers, *namespace_allows, *ip_block_allows)
        for name in component.policies
    ],
)
