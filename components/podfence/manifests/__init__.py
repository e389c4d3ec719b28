"""Specs -> NetworkPolicy manifests (and the cluster's baseline policy), plain dicts in wire form.
Pure functions, no Pulumi."""

from podfence.manifests.cluster_baseline import cluster_baseline_policy
from podfence.manifests.default_deny import default_deny_policies
from podfence.manifests.ip_block_allow import ip_block_allow_policies
from podfence.manifests.namespace_allow import namespace_allow_policies
from podfence.manifests.tier_firewall import tier_firewall_policies
from podfence.manifests.wire import Manifest

__all__ = [
    "Manifest",
    "cluster_baseline_policy",
    "default_deny_policies",
    "ip_block_allow_policies",
    "namespace_allow_policies",
    "tier_firewall_policies",
]
