"""Which pods a policy applies to and which namespaces it admits, as used by several specs."""

from __future__ import annotations

from pydantic import field_validator

from podfence.spec.base import Items, Spec, check_dns_subdomain, check_namespaces

__all__ = ["PolicyPlacement"]


class PolicyPlacement(Spec):
    """Fields shared by the allow specs: the policy's name and the namespaces it is created in.

    Args:
        name: the NetworkPolicy's name (required: names must stay stable, a rename replaces).
        namespaces: the namespaces to create the policy in, one copy each (at least one).
    """

    name: str
    namespaces: Items[str]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns_subdomain(value, "policy name")

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one namespace to create the policy in")
        return check_namespaces(value, "namespaces")
