"""The args of DefaultDeny, TierFirewall, NamespaceAllow and IpBlockAllow, as the component
provider's schema reads them (each mirrors its spec; see :mod:`podfence.provider.types`)."""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi

from podfence.provider.types import DnsEgress, Flow, IpBlock, LabelSelector, Port, Tier
from podfence.spec.direction import Direction

__all__ = ["DefaultDenyArgs", "IpBlockAllowArgs", "NamespaceAllowArgs", "TierFirewallArgs"]


class DefaultDenyArgs(TypedDict):
    """DefaultDeny's inputs (:class:`~podfence.spec.DefaultDenySpec`)."""

    namespaces: Sequence[pulumi.Input[str]]
    """The namespaces to isolate: at least one, each once."""
    ingress: NotRequired[bool]
    """Deny ingress; omitted, true."""
    egress: NotRequired[bool]
    """Deny egress too; omitted, false."""
    allow_dns: NotRequired[bool]
    """When egress is denied, keep DNS open (`allow-dns-egress`); omitted, true. Turning it off breaks name resolution for every pod of the namespaces."""
    dns: NotRequired[DnsEgress]
    """Where DNS is; omitted, pods `k8s-app: kube-dns` in `kube-system` on 53/UDP and 53/TCP."""
    policy_name: NotRequired[pulumi.Input[str]]
    """The deny policy's name; omitted, `deny-all`."""


class TierFirewallArgs(TypedDict):
    """TierFirewall's inputs (:class:`~podfence.spec.TierFirewallSpec`)."""

    namespace: pulumi.Input[str]
    """The namespace of the tiers that name none."""
    tiers: Mapping[str, Tier]
    """Tier name -> tier (at least one). Names are RFC 1123 labels; they become part of policy names."""
    egress: NotRequired[bool]
    """Whether tiers are isolated for egress unless they say otherwise (true when a DefaultDeny denies egress in their namespaces), so that each flow also gets an egress policy; omitted, false."""
    flows: NotRequired[Sequence[Flow]]
    """The allowed flows between tiers; omitted, none."""


class NamespaceAllowArgs(TypedDict):
    """NamespaceAllow's inputs (:class:`~podfence.spec.NamespaceAllowSpec`)."""

    name: pulumi.Input[str]
    """The NetworkPolicy's name. Keep it stable: a renamed policy is replaced."""
    namespaces: Sequence[pulumi.Input[str]]
    """The namespaces to create the policy in, one copy each: at least one."""
    pod_selector: NotRequired[LabelSelector]
    """The pods admitted to; omitted, every pod of the namespace."""
    from_namespace_selector: NotRequired[LabelSelector]
    """The source namespaces, by labels (`{}` is every namespace); exactly one of this and `fromNamespaceNames`."""
    from_namespace_names: NotRequired[Sequence[pulumi.Input[str]]]
    """The source namespaces, by name (through the label `kubernetes.io/metadata.name` every namespace carries); exactly one of this and `fromNamespaceSelector`."""
    from_pod_selector: NotRequired[LabelSelector]
    """Only these pods of the source namespaces (ANDed with the namespaces in one peer); omitted, all of them."""
    ports: NotRequired[Sequence[Port]]
    """The destination ports admitted; omitted or empty, every port."""


class IpBlockAllowArgs(TypedDict):
    """IpBlockAllow's inputs (:class:`~podfence.spec.IpBlockAllowSpec`)."""

    name: pulumi.Input[str]
    """The NetworkPolicy's name. Keep it stable: a renamed policy is replaced."""
    namespaces: Sequence[pulumi.Input[str]]
    """The namespaces to create the policy in, one copy each: at least one."""
    ip_blocks: Sequence[IpBlock]
    """The address ranges (at least one, ORed): an address matches a block when it lies in its `cidr` and in none of its `except` ranges."""
    direction: NotRequired[Direction]
    """`Ingress` (when omitted): traffic from the ranges into the pods; `Egress`: traffic from the pods to the ranges."""
    pod_selector: NotRequired[LabelSelector]
    """The pods the policy applies to; omitted, every pod of the namespace."""
    ports: NotRequired[Sequence[Port]]
    """The destination ports; omitted or empty, every port."""
