"""What ClusterBaseline builds: a default deny for every namespace, in the Baseline tier."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from podfence.spec.base import Flag, Items, Spec, check_dns_subdomain, check_namespaces
from podfence.spec.default_deny import DnsEgress
from podfence.spec.labels import LabelSelector

__all__ = [
    "BASELINE_ADMIN_NETWORK_POLICY_NAME",
    "DEFAULT_CLUSTER_NETWORK_POLICY_NAME",
    "SYSTEM_NAMESPACES",
    "ClusterBaselineSpec",
]

#: The name the one BaselineAdminNetworkPolicy of a cluster must have.
BASELINE_ADMIN_NETWORK_POLICY_NAME = "default"
#: The name of the ClusterNetworkPolicy written with ``api: v1alpha2`` or ``v1beta1`` unless one
#: is given.
DEFAULT_CLUSTER_NETWORK_POLICY_NAME = "podfence-baseline"
#: The namespaces Kubernetes itself runs in, left out of the baseline unless told otherwise.
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
_MAX_PRIORITY = 1000


class ClusterBaselineSpec(Spec):
    """A default deny for every namespace that application teams override with NetworkPolicies.

    Semantics (sigs.k8s.io/network-policy-api): the Baseline tier applies to a pod only for a
    direction no NetworkPolicy isolates it for. So a namespace without NetworkPolicies is
    denied, and a team that writes a NetworkPolicy selecting its pods decides for them: what it
    admits gets through, and the baseline is no longer consulted for those pods. The baseline's
    rules are evaluated in order, the first that matches decides: the DNS rule (with egress)
    comes before the deny.

    Args:
        api: ``v1alpha1`` (the default) writes the BaselineAdminNetworkPolicy ``default`` (a
            cluster has one); ``v1alpha2`` or ``v1beta1`` (upstream's storage version; the same
            fields) writes a ClusterNetworkPolicy of the Baseline tier in that version.
        name: with v1alpha2 or v1beta1, the ClusterNetworkPolicy's name (default
            ``podfence-baseline``); with v1alpha1 only ``default`` may be given.
        priority: with v1alpha2 or v1beta1, 0 to 1000 (default 1000: after every other
            Baseline-tier policy); not with v1alpha1, whose kind has none.
        namespace_selector: the namespaces the baseline applies to (default: every namespace).
        exclude_namespaces: namespaces left out whatever the selector says (default the system
            ones, kube-system, kube-public and kube-node-lease, so that DNS and the control
            plane's components keep working; ``[]`` leaves none out).
        ingress: deny ingress from every pod (default True). An AdminNetworkPolicy ingress peer
            is a pod, never an address: traffic from outside the cluster is not denied.
        egress: deny egress to every pod, node and address (default False).
        allow_dns: with egress denied, keep DNS open first (default True).
        dns: where DNS is (default: kube-system / k8s-app=kube-dns on 53 UDP and TCP); its
            ``policyName`` names the baseline's DNS rule.
    """

    api: Literal["v1alpha1", "v1alpha2", "v1beta1"] = "v1alpha1"
    name: str | None = None
    priority: int | None = None
    namespace_selector: LabelSelector = Field(default_factory=LabelSelector)
    exclude_namespaces: Items[str] = SYSTEM_NAMESPACES
    ingress: Flag = True
    egress: Flag = False
    allow_dns: Flag = True
    dns: DnsEgress = Field(default_factory=DnsEgress)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_dns_subdomain(value, "name")

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value: object) -> object:
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_PRIORITY:
            raise ValueError(f"priority {value!r} must be a whole number from 0 to {_MAX_PRIORITY}")
        return value

    @field_validator("exclude_namespaces")
    @classmethod
    def _excluded(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_namespaces(value, "excludeNamespaces")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not (self.ingress or self.egress):
            raise ValueError("ClusterBaseline with ingress: false and egress: false denies nothing")
        if self.api == "v1alpha1":
            if self.name not in (None, BASELINE_ADMIN_NETWORK_POLICY_NAME):
                raise ValueError(
                    f"name {self.name!r}: the BaselineAdminNetworkPolicy (api v1alpha1) is always "
                    f"named {BASELINE_ADMIN_NETWORK_POLICY_NAME}; leave name out, or use api v1alpha2 or v1beta1"
                )
            if self.priority is not None:
                raise ValueError(
                    "priority: the BaselineAdminNetworkPolicy (api v1alpha1) has none; leave it "
                    "out, or use api v1alpha2 or v1beta1"
                )
        return self

    @property
    def policy_name(self) -> str:
        """The policy's name: ``default`` with v1alpha1; with v1alpha2 or v1beta1 ``name``, or
        ``podfence-baseline``."""
        if self.api == "v1alpha1":
            return BASELINE_ADMIN_NETWORK_POLICY_NAME
        return self.name or DEFAULT_CLUSTER_NETWORK_POLICY_NAME

    @property
    def policy_priority(self) -> int | None:
        """The priority written: None with v1alpha1; with v1alpha2 or v1beta1 ``priority``, or
        1000."""
        if self.api == "v1alpha1":
            return None
        return _MAX_PRIORITY if self.priority is None else self.priority
