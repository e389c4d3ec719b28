"""The components as the component provider hosts them: each takes the schema's args.

Each is its Python component (:mod:`podfence.components`) with ``args`` annotated as a TypedDict:
Pulumi's analyzer derives the schema from that annotation (spelling each key in camelCase) and
refuses a union or a pydantic model. At run time the provider hands the component the inputs
as the program wrote them, in the schema's camelCase spelling (see
:class:`~podfence.provider.host.PodfenceProvider`), and the component validates them into its
spec as it validates any dict: validation stays in the specs. Python programs keep using
:mod:`podfence.components`, which takes a spec too.

No ``from __future__ import annotations``: the analyzer reads the annotations at run time.
"""

import pulumi

from podfence import components
from podfence.provider.args import (
    ClusterBaselineArgs,
    DefaultDenyArgs,
    IpBlockAllowArgs,
    NamespaceAllowArgs,
    TierFirewallArgs,
)
from podfence.provider.firewall_args import FirewallArgs
from podfence.provider.markdown import described

__all__ = [
    "ClusterBaseline",
    "DefaultDeny",
    "Firewall",
    "IpBlockAllow",
    "NamespaceAllow",
    "TierFirewall",
]


@described
class Firewall(components.Firewall):
    """One application's whole firewall: deny by default, then exactly the declared flows
    between tiers, namespaces and address ranges.

    Each flow is an ingress policy `allow-<from>-to-<to>` on the destination tier admitting the
    source tier's pods (across namespaces one peer with namespaceSelector AND podSelector), and
    its egress twin `allow-<from>-to-<to>-egress` when the source's namespace denies egress.
    `deny-all` isolates the namespaces; denying egress keeps DNS open (`allow-dns-egress`).

    Rollout order: every allow policy is created before any policy that only isolates, so a
    first `pulumi up` never cuts a declared flow; `pulumi destroy` removes deny-all first. The
    policies of a namespace depend on it: read (a missing namespace fails the preview, naming
    it), or created with `createNamespaces: true`. Invalid args fail with one line naming the
    field and the bad value, before anything is registered.
    """

    policy_names: pulumi.Output[list[str]]
    """Every policy the firewall makes, as `namespace/name`, allows first; known once every policy exists."""

    def __init__(
        self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)


@described
class DefaultDeny(components.DefaultDeny):
    """Isolate every pod of the given namespaces: nothing gets in (and, on request, out) unless
    another policy allows it.

    `deny-all` selects every pod (`podSelector: {}`) and lists the denied directions in
    policyTypes with no rules; policies are additive, so every allow still applies. Denying
    egress also blocks DNS, so unless `allowDns` is false the component adds
    `allow-dns-egress` to kube-system/k8s-app=kube-dns on 53 UDP and TCP.
    """

    policy_names: pulumi.Output[list[str]]
    """Every policy the component makes, as `namespace/name`, allows first; known once every policy exists."""

    def __init__(
        self, name: str, args: DefaultDenyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)


@described
class TierFirewall(components.TierFirewall):
    """Allow exactly the listed flows between tiers (ui -> api -> db).

    Each flow is an ingress policy `allow-<from>-to-<to>` on the destination tier admitting the
    source tier's pods on the destination's ports; across namespaces the source is one peer with
    namespaceSelector AND podSelector. When the source tier is isolated for egress the flow also
    gets `allow-<from>-to-<to>-egress` on the source. The component only allows: pair it with
    DefaultDeny to deny the rest.
    """

    policy_names: pulumi.Output[list[str]]
    """Every policy the component makes, as `namespace/name`; known once every policy exists."""

    def __init__(
        self, name: str, args: TierFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)


@described
class NamespaceAllow(components.NamespaceAllow):
    """Admit pods of other namespaces (all of them, or only some) into pods of these namespaces.

    One ingress policy per namespace with one peer: namespaces by name select through the label
    `kubernetes.io/metadata.name`, and `fromPodSelector` is ANDed with the namespaces in the same
    peer. Typical uses: the monitoring namespace into every pod, the ingress controller into the UI.
    """

    policy_names: pulumi.Output[list[str]]
    """Every policy the component makes, as `namespace/name`; known once every policy exists."""

    def __init__(
        self, name: str, args: NamespaceAllowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)


@described
class IpBlockAllow(components.IpBlockAllow):
    """Admit traffic from (or to) CIDRs minus their exceptions, optionally for some pods and ports.

    One policy per namespace with one rule whose peers are the ip blocks (ORed); an address
    matches a block when it is in `cidr` and in none of its `except` ranges. An `except` outside
    its CIDR, of the other family, or written as a single string is rejected with the fix.
    `to: public-internet` in place of `ipBlocks` allows egress to every public address and
    nothing inside (private, shared, loopback, link-local, multicast and reserved ranges).
    """

    policy_names: pulumi.Output[list[str]]
    """Every policy the component makes, as `namespace/name`; known once every policy exists."""

    def __init__(
        self, name: str, args: IpBlockAllowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)


@described
class ClusterBaseline(components.ClusterBaseline):
    """The cluster's Baseline tier: deny what no NetworkPolicy allows, in every namespace but
    the system ones, for a platform team; application teams open their namespaces by writing
    NetworkPolicies.

    One cluster-scoped object: the BaselineAdminNetworkPolicy `default`
    (policy.networking.k8s.io/v1alpha1, a cluster has one), or with `api: v1alpha2` a
    ClusterNetworkPolicy of the Baseline tier. The Baseline tier decides a direction only for
    pods no NetworkPolicy isolates in that direction: a namespace without NetworkPolicies is
    closed (ingress from every pod; on request egress to every pod, node and address, DNS kept
    open first), and a namespace's NetworkPolicies decide alone for the pods they select.
    AdminNetworkPolicies (the Admin tier) come before both. The cluster's network plugin must
    implement the API (OVN-Kubernetes, Calico, Antrea, kube-network-policies), or the object is
    accepted and does nothing. Invalid args, or a second BaselineAdminNetworkPolicy in one
    program, fail with one line naming the field, before anything is created.
    """

    policy_name: pulumi.Output[str]
    """The policy's name (`default` with v1alpha1); known once the policy exists."""

    def __init__(
        self, name: str, args: ClusterBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, args, opts)
