"""The Pulumi components: DefaultDeny, TierFirewall, NamespaceAllow, IpBlockAllow."""

from podfence.components.default_deny import DefaultDeny
from podfence.components.ip_block_allow import IpBlockAllow
from podfence.components.namespace_allow import NamespaceAllow
from podfence.components.tier_firewall import TierFirewall

__all__ = ["DefaultDeny", "IpBlockAllow", "NamespaceAllow", "TierFirewall"]
