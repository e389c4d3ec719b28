"""The args of DefaultDeny, TierFirewall, NamespaceAllow, IpBlockAllow and ClusterBaseline, as the
component provider's schema reads them (each mirrors its spec; see :mod:`podfence.provider.types`)."""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi

from podfence.provider.markdown import described
from podfence.provider.types import (
    DnsEgress,
    Flow,
    IpBlock,
    IpBlockDestination,
    LabelSelector,
    Port,
    Tier,
)
from podfence.spec.direction import Direction

__all__ = [
    "ClusterBaselineApi",
    "ClusterBaselineArgs",
    "DefaultDenyArgs",
    "IpBlockAllowArgs",
    "NamespaceAllowArgs",
    "TierFirewallArgs",
]


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
    ip_blocks: NotRequired[Sequence[IpBlock]]
    """The address ranges (at least one, ORed): an address matches a block when it lies in its `cidr` and in none of its `except` ranges. Exactly one of this and `to`."""
    to: NotRequired[IpBlockDestination]
    """Instead of `ipBlocks`, a destination by name. `public-internet` expands to `direction: Egress` with two ipBlocks, `0.0.0.0/0` and `::/0`, each except its private, shared, loopback, link-local, multicast and reserved ranges: the pods may reach external APIs and nothing inside. It implies Egress (`direction` omitted or `Egress`) and excludes `ipBlocks`: give exactly one of the two."""
    direction: NotRequired[Direction]
    """`Ingress` (when omitted, unless `to` is given): traffic from the ranges into the pods; `Egress`: traffic from the pods to the ranges."""
    pod_selector: NotRequired[LabelSelector]
    """The pods the policy applies to; omitted, every pod of the namespace."""
    ports: NotRequired[Sequence[Port]]
    """The destination ports; omitted or empty, every port."""


@described
class ClusterBaselineApi(StrEnum):
    """The version of policy.networking.k8s.io a ClusterBaseline writes, and so the kind of
    its policy."""

    V1ALPHA1 = "v1alpha1"
    """The BaselineAdminNetworkPolicy `default`: a cluster has one, and it has no priority."""
    V1ALPHA2 = "v1alpha2"
    """A ClusterNetworkPolicy of the Baseline tier, with a name and a priority of its own."""
    V1BETA1 = "v1beta1"
    """The same ClusterNetworkPolicy in v1beta1, the version upstream stores it in now."""


class ClusterBaselineArgs(TypedDict):
    """ClusterBaseline's inputs (:class:`~podfence.spec.ClusterBaselineSpec`)."""

    api: NotRequired[ClusterBaselineApi]
    """`v1alpha1` (when omitted) writes the BaselineAdminNetworkPolicy `default`; `v1alpha2` writes a ClusterNetworkPolicy of the Baseline tier. The cluster's network plugin must implement the version, or the object is accepted and does nothing."""
    name: NotRequired[str]
    """With `api: v1alpha2`, the ClusterNetworkPolicy's name; omitted, `podfence-baseline`. With v1alpha1 only `default`, the one name a BaselineAdminNetworkPolicy may have. A plain string, not another resource's output: it is the object's identity and names the child resource. Keep it stable: a renamed policy is replaced."""
    priority: NotRequired[int]
    """With `api: v1alpha2`, 0 to 1000 (lower comes first among the Baseline tier's policies); omitted, 1000, after every other. Not with v1alpha1, whose kind has none."""
    namespace_selector: NotRequired[LabelSelector]
    """The namespaces the baseline applies to; omitted, every namespace (less `excludeNamespaces`)."""
    exclude_namespaces: NotRequired[Sequence[pulumi.Input[str]]]
    """Namespaces left out whatever `namespaceSelector` says (a NotIn on `kubernetes.io/metadata.name`), each once; omitted, `kube-system`, `kube-public` and `kube-node-lease`, so that DNS and the control plane keep working; `[]` leaves none out."""
    ingress: NotRequired[bool]
    """Deny ingress from every pod (the rule `deny-ingress-from-pods`); omitted, true. Traffic from outside the cluster is not denied: an ingress peer of these kinds is a pod, never an address."""
    egress: NotRequired[bool]
    """Deny egress to every pod, node and address (the rule `deny-egress`); omitted, false. At least one of `ingress` and `egress` must be true."""
    allow_dns: NotRequired[bool]
    """When egress is denied, allow DNS first, in a rule before the deny; omitted, true. Turning it off breaks name resolution for every pod the baseline decides for."""
    dns: NotRequired[DnsEgress]
    """Where DNS is; omitted, pods `k8s-app: kube-dns` in `kube-system` on 53/UDP and 53/TCP. Its `policyName` names the baseline's DNS rule; omitted, `allow-dns-egress`."""
