"""Typed, frozen, validated specs: what the components build, before any Kubernetes YAML."""

from podfence.spec.base import Spec
from podfence.spec.cluster_baseline import ClusterBaselineSpec
from podfence.spec.default_deny import DefaultDenySpec, DnsEgress
from podfence.spec.direction import Direction
from podfence.spec.ip_block import IpBlock
from podfence.spec.ip_block_allow import IpBlockAllowSpec
from podfence.spec.labels import (
    NAMESPACE_NAME_LABEL,
    LabelSelector,
    LabelSelectorRequirement,
    Operator,
)
from podfence.spec.namespace_allow import NamespaceAllowSpec
from podfence.spec.ports import Port, Protocol
from podfence.spec.tier_firewall import Flow, Tier, TierFirewallSpec

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "ClusterBaselineSpec",
    "DefaultDenySpec",
    "Direction",
    "DnsEgress",
    "Flow",
    "IpBlock",
    "IpBlockAllowSpec",
    "LabelSelector",
    "LabelSelectorRequirement",
    "NamespaceAllowSpec",
    "Operator",
    "Port",
    "Protocol",
    "Spec",
    "Tier",
    "TierFirewallSpec",
]
