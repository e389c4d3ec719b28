"""The Pulumi components: Firewall (one app's whole firewall), and its parts for hand-built
compositions: DefaultDeny, TierFirewall, NamespaceAllow, IpBlockAllow; and ClusterBaseline, the
cluster's Baseline tier (a platform team's default deny that NetworkPolicies override)."""

from podfence.components.cluster_baseline import ClusterBaseline
from podfence.components.default_deny import DefaultDeny
from podfence.components.firewall import Firewall
from podfence.components.ip_block_allow import IpBlockAllow
from podfence.components.namespace_allow import NamespaceAllow
from podfence.components.tier_firewall import TierFirewall

__all__ = [
    "ClusterBaseline",
    "DefaultDeny",
    "Firewall",
    "IpBlockAllow",
    "NamespaceAllow",
    "TierFirewall",
]
