"""The objects the components' args share (selectors, ports, ip blocks, tiers, flows, DNS), as
the component provider's schema types.

Each TypedDict mirrors a spec of :mod:`podfence.spec` field for field (a test keeps them equal):
snake_case keys here, camelCase in the schema (``from_`` and ``except_`` become ``from`` and
``except``), exactly the keys of a stack's config. ``pulumi.Input`` marks where another
resource's output may go (names and label values); everything else is a plain value. The spec
validates; these only describe. No ``from __future__ import annotations``: the host reads the
annotations at run time and refuses strings.
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

import pulumi

from podfence import internet
from podfence.provider.markdown import described
from podfence.spec.labels import Operator
from podfence.spec.ports import Protocol

__all__ = [
    "DnsEgress",
    "Flow",
    "IpBlock",
    "IpBlockDestination",
    "LabelSelector",
    "LabelSelectorRequirement",
    "Port",
    "Tier",
]


@described
class LabelSelectorRequirement(TypedDict):
    """One `matchExpressions` entry of a label selector: a label key, an operator, and the
    values it compares with."""

    key: str
    """The label key, a Kubernetes qualified name such as `app` or `example.com/tier`."""
    operator: Operator
    """How the label is compared: `In` and `NotIn` need values, `Exists` and `DoesNotExist` take none."""
    values: NotRequired[Sequence[pulumi.Input[str]]]
    """The values for `In` and `NotIn`; omitted for `Exists` and `DoesNotExist`."""


@described
class LabelSelector(TypedDict):
    """A label selector: every `matchLabels` pair AND every `matchExpressions` requirement must
    hold. Omitting both (`{}`) selects everything: every pod of a namespace as a pod selector,
    every namespace as a namespace selector."""

    match_labels: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Labels that must all be present with these values; omitted, none."""
    match_expressions: NotRequired[Sequence[LabelSelectorRequirement]]
    """Requirements that must all hold; omitted, none."""


@described
class Port(TypedDict):
    """One entry of a rule's `ports`: the destination port or range, and its protocol."""

    port: NotRequired[Any]
    """A port number (1-65535), or the name of a containerPort, resolved on each destination pod (a pod without a port of that name and protocol is not matched); omitted, every port of `protocol`."""
    protocol: NotRequired[Protocol]
    """`TCP` (when omitted), `UDP` or `SCTP`."""
    end_port: NotRequired[int]
    """The last port of the range `port`..`endPort`, inclusive: only with a numeric `port`, and never below it; omitted, the single port."""


@described
class IpBlock(TypedDict):
    """An ipBlock peer: the addresses in `cidr` except those in any `except` range. It matches
    by IP address, pod IPs too, but pod IPs change: use it for addresses outside the cluster."""

    cidr: str
    """An IPv4 or IPv6 CIDR such as `10.72.0.0/16`: the mask is required, and host bits must be zero."""
    except_: NotRequired[Sequence[str]]
    """CIDRs carved out of `cidr`, as a list: each a strict subnet of it, of the same family; omitted, nothing is carved out."""


@described
class IpBlockDestination(StrEnum):
    """A destination an IpBlockAllow names instead of listing its ranges (its `to`): config's
    shorthand, expanded by the spec into `direction: Egress` and the ranges' ipBlocks."""

    PUBLIC_INTERNET = internet.PUBLIC_INTERNET
    """The public internet: two ipBlocks, `0.0.0.0/0` and `::/0`, each except its private, shared, loopback, link-local (cloud metadata at 169.254.169.254 included), multicast and reserved ranges, as pinned in this podfence release."""


@described
class DnsEgress(TypedDict):
    """Where pods may still resolve names once egress is denied."""

    namespace: NotRequired[pulumi.Input[str]]
    """The namespace of the DNS pods; omitted, `kube-system`."""
    pod_labels: NotRequired[Mapping[str, pulumi.Input[str]]]
    """The labels of the DNS pods; omitted, `k8s-app: kube-dns`."""
    ports: NotRequired[Sequence[Port]]
    """The DNS ports (at least one); omitted, 53/UDP and 53/TCP: both, since DNS falls back to TCP for large answers."""
    policy_name: NotRequired[pulumi.Input[str]]
    """The name of the DNS egress policy; omitted, `allow-dns-egress`."""


@described
class Tier(TypedDict):
    """A set of pods, chosen by labels, and the ports they serve."""

    pod_labels: Mapping[str, pulumi.Input[str]]
    """The labels that select the tier's pods (matchLabels): at least one, since an empty selector would be every pod of the namespace."""
    namespace: NotRequired[pulumi.Input[str]]
    """The tier's namespace; omitted, the firewall's `namespace`."""
    ports: NotRequired[Sequence[Port]]
    """The ports the tier serves, admitted by every flow into it that names no ports of its own; omitted or empty, flows into it admit every port."""
    egress_isolated: NotRequired[bool]
    """Whether the tier's pods are isolated for egress, so that each flow out of it also gets an egress policy; omitted, the firewall's setting."""


@described
class Flow(TypedDict):
    """Traffic allowed from one tier to another: an ingress policy on the destination tier's
    pods admitting the source tier's pods, and its egress twin on the source when the source is
    isolated for egress."""

    from_: str
    """The source tier's name."""
    to: str
    """The destination tier's name."""
    ports: NotRequired[Sequence[Port]]
    """The destination ports admitted; omitted, the destination tier's ports."""
    name: NotRequired[pulumi.Input[str]]
    """The ingress policy's name; omitted, `allow-<from>-to-<to>`. The egress policy, when there is one, adds `-egress`."""
