"""What DefaultDeny builds: deny-all per namespace, ingress and optionally egress, DNS kept."""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from podfence.spec.base import (
    Flag,
    Items,
    Spec,
    check_dns_label,
    check_dns_subdomain,
    check_namespaces,
)
from podfence.spec.labels import Labels
from podfence.spec.ports import Port

__all__ = ["DefaultDenySpec", "DnsEgress"]


class DnsEgress(Spec):
    """Where pods may still resolve names once egress is denied.

    Defaults: pods labelled ``k8s-app=kube-dns`` in the namespace ``kube-system`` (selected by its
    ``kubernetes.io/metadata.name`` label), on 53/UDP and 53/TCP — both, since DNS falls back to
    TCP for large answers. ``policy_name`` defaults to ``allow-dns-egress``.
    """

    namespace: str = "kube-system"
    pod_labels: Labels = Field(default_factory=lambda: {"k8s-app": "kube-dns"})
    ports: Items[Port] = (Port.udp(53), Port.tcp(53))
    policy_name: str = "allow-dns-egress"

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns_label(value, "namespace")

    @field_validator("policy_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns_subdomain(value, "policy name")

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: tuple[Port, ...]) -> tuple[Port, ...]:
        if not value:
            raise ValueError("DNS needs at least one port; to allow no DNS set allowDns: false")
        return value


class DefaultDenySpec(Spec):
    """Deny-all for one or more namespaces.

    Semantics: a policy with ``podSelector: {}`` and a direction in ``policyTypes`` but no rules
    for it isolates every pod of its namespace for that direction and admits nothing; other
    policies can then only add allowances. One policy named ``policy_name`` (default
    ``deny-all``, the blog's name) per namespace covers both directions, so switching egress on
    later patches it in place instead of replacing it.

    Args:
        namespaces: where to deny (at least one).
        ingress: deny ingress (default True, as the blog does).
        egress: deny egress too (default False).
        allow_dns: when egress is denied, keep DNS open (default True; turning it off is
            explicit because it breaks name resolution for every pod).
        dns: where DNS is (default: kube-system / k8s-app=kube-dns on 53 UDP and TCP).
    """

    namespaces: Items[str]
    ingress: Flag = True
    egress: Flag = False
    allow_dns: Flag = True
    dns: DnsEgress = Field(default_factory=DnsEgress)
    policy_name: str = "deny-all"

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one namespace to deny")
        return check_namespaces(value, "namespaces")

    @field_validator("policy_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns_subdomain(value, "policy name")

    @model_validator(mode="after")
    def _denies_something(self) -> Self:
        if not (self.ingress or self.egress):
            raise ValueError("DefaultDeny with ingress: false and egress: false denies nothing")
        if self.egress and self.allow_dns and self.dns.policy_name == self.policy_name:
            raise ValueError(
                f"dns.policyName {self.dns.policy_name!r} is the deny policy's name too"
            )
        return self
