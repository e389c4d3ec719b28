"""Firewall's args, the stack's ``firewall`` object, as the component provider's schema reads
them (each mirrors :mod:`podfence.config`; see :mod:`podfence.provider.types`)."""

from collections.abc import Mapping, Sequence
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
    "DefaultDenyConfig",
    "FirewallArgs",
    "IngressController",
    "IpBlockAllowEntry",
    "NamespaceAllowEntry",
]


@described
class DefaultDenyConfig(TypedDict):
    """Which directions the firewall denies, and where."""

    namespaces: NotRequired[Sequence[pulumi.Input[str]]]
    """The namespaces to isolate; omitted, the firewall's namespace and every tier's."""
    ingress: NotRequired[bool]
    """Deny ingress; omitted, true."""
    egress: NotRequired[bool]
    """Deny egress too, so that every flow out of a tier of these namespaces also gets an egress policy; omitted, false."""
    allow_dns: NotRequired[bool]
    """When egress is denied, keep DNS open (`allow-dns-egress`); omitted, true. Turning it off breaks name resolution for every pod of the namespaces."""
    dns: NotRequired[DnsEgress]
    """Where DNS is; omitted, pods `k8s-app: kube-dns` in `kube-system` on 53/UDP and 53/TCP."""


@described
class IngressController(TypedDict):
    """Admit the ingress controller's pods into one tier: with deny-all in place nothing outside
    the namespace reaches the UI, not even the ingress controller that serves it."""

    tier: str
    """The tier the controller serves."""
    namespace: NotRequired[pulumi.Input[str]]
    """The controller's namespace; omitted, `ingress-nginx`."""
    pod_selector: NotRequired[LabelSelector]
    """The controller's pods; omitted, every pod of its namespace."""
    ports: NotRequired[Sequence[Port]]
    """The ports admitted; omitted, the tier's ports."""
    policy_name: NotRequired[pulumi.Input[str]]
    """The policy's name; omitted, `allow-ingress-controller`."""


@described
class NamespaceAllowEntry(TypedDict):
    """Admit pods of other namespaces, chosen by labels or by names, into pods of the
    firewall's namespaces (what a NamespaceAllow makes)."""

    name: pulumi.Input[str]
    """The NetworkPolicy's name. Keep it stable: a renamed policy is replaced."""
    namespaces: NotRequired[Sequence[pulumi.Input[str]]]
    """The namespaces to create the policy in, one copy each; omitted, the firewall's namespace."""
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


@described
class IpBlockAllowEntry(TypedDict):
    """Admit traffic from (or to) address ranges minus their exceptions, in the firewall's
    namespaces (what an IpBlockAllow makes)."""

    name: pulumi.Input[str]
    """The NetworkPolicy's name. Keep it stable: a renamed policy is replaced."""
    namespaces: NotRequired[Sequence[pulumi.Input[str]]]
    """The namespaces to create the policy in, one copy each; omitted, the firewall's namespace."""
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


class FirewallArgs(TypedDict):
    """Firewall's inputs: the stack's ``firewall`` object (:class:`~podfence.config.FirewallConfig`)."""

    namespace: pulumi.Input[str]
    """The application's namespace: the default of the tiers and of the allow entries."""
    default_deny: NotRequired[DefaultDenyConfig]
    """What to deny; omitted, ingress, in the firewall's namespace and every tier's."""
    tiers: Mapping[str, Tier]
    """Tier name -> tier (at least one). Names are RFC 1123 labels; they become part of policy names."""
    flows: NotRequired[Sequence[Flow]]
    """The allowed flows between tiers; omitted, none."""
    ingress_controller: NotRequired[IngressController]
    """Admit the ingress controller into one tier; omitted, nothing."""
    namespace_allows: NotRequired[Sequence[NamespaceAllowEntry]]
    """More namespaces to admit (NamespaceAllow entries); omitted, none."""
    ip_block_allows: NotRequired[Sequence[IpBlockAllowEntry]]
    """Address ranges to admit (IpBlockAllow entries); omitted, none."""
    create_namespaces: NotRequired[bool]
    """Create the namespaces the policies live in; omitted (false), they must exist, and a missing one fails the preview, naming it."""
