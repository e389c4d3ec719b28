"""The ``firewall`` object of a stack's config: one app's firewall, validated before any resource.

Read by the program (``__main__.py``) and by the offline commands; it composes the four
component specs and settles what each omitted key means.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, Self

from pydantic import Field, ValidationError, field_validator, model_validator

from podfence.errors import ConfigError, SpecError
from podfence.manifests import (
    Manifest,
    default_deny_policies,
    ip_block_allow_policies,
    namespace_allow_policies,
    tier_firewall_policies,
)
from podfence.manifests.wire import check_unique
from podfence.spec.base import Flag, Items, Spec, check_dns_label, check_dns_subdomain
from podfence.spec.default_deny import DefaultDenySpec, DnsEgress
from podfence.spec.ip_block_allow import IpBlockAllowSpec
from podfence.spec.labels import LabelSelector
from podfence.spec.namespace_allow import NamespaceAllowSpec
from podfence.spec.ports import Port
from podfence.spec.tier_firewall import Flow, Tier, TierFirewallSpec

__all__ = [
    "CONFIG_KEY",
    "DefaultDenyConfig",
    "FirewallConfig",
    "IngressController",
    "missing_firewall_message",
]

#: The stack config key (in the project's namespace) holding the firewall object.
CONFIG_KEY = "firewall"


class DefaultDenyConfig(Spec):
    """``defaultDeny``: which directions to deny in the firewall's namespaces.

    Omitted keys: ``ingress`` true, ``egress`` false, DNS kept when egress is denied, and the
    namespaces are the firewall's namespace plus every tier's namespace.
    """

    namespaces: Items[str] | None = None
    ingress: Flag = True
    egress: Flag = False
    allow_dns: Flag = True
    dns: DnsEgress = Field(default_factory=DnsEgress)

    @model_validator(mode="after")
    def _denies_something(self) -> Self:
        if not (self.ingress or self.egress):
            raise ValueError("ingress: false and egress: false deny nothing")
        return self


class IngressController(Spec):
    """``ingressController``: admit the ingress controller's pods into the public tier.

    With deny-all in place nothing outside the namespace reaches the UI, not even the ingress
    controller that serves it; this opens exactly that. Omitted keys: namespace
    ``ingress-nginx``, every pod of it, the tier's own ports, policy ``allow-ingress-controller``.
    """

    tier: str
    namespace: str = "ingress-nginx"
    pod_selector: LabelSelector | None = None
    ports: Items[Port] | None = None
    policy_name: str = "allow-ingress-controller"

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns_label(value, "namespace")

    @field_validator("policy_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns_subdomain(value, "policy name")


def missing_firewall_message(expected: str, present: Iterable[str]) -> str:
    """One line for a stack whose config lacks the firewall object: the key expected, and the
    keys there are, naming the one that was probably meant.

    Args:
        expected: the fully qualified key, ``<project>:firewall``.
        present: the stack's config keys, fully qualified.
    """
    project, _, name = expected.partition(":")
    keys = sorted(set(present))
    if expected in keys:
        return (
            f"config {expected} is empty: write the firewall object under it (namespace:, tiers:)"
        )
    line = f"no {expected} in the stack's config"
    other_project = [k for k in keys if k.partition(":")[2] == name]
    if other_project:
        found = other_project[0]
        return (
            f"{line}; it has {found}, but this project is {project!r} (the name in "
            f"Pulumi.yaml): rename the key to {expected}"
        )
    names = {k.partition(":")[2] or k: k for k in keys if k.partition(":")[0] == project}
    near = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    if near:
        return f"{line}; it has {names[near[0]]}: did you mean {expected}?"
    there = f"it has {', '.join(keys)}" if keys else "it has no keys"
    return f"{line} ({there}): put the firewall object under config: {expected}:"


def _default_namespaces(entries: Any, namespace: Any) -> Any:
    """Give allow entries without ``namespaces`` the firewall's namespace."""
    if not isinstance(entries, list | tuple) or not isinstance(namespace, str):
        return entries
    return [
        {**entry, "namespaces": [namespace]}
        if isinstance(entry, dict) and "namespaces" not in entry
        else entry
        for entry in entries
    ]


class FirewallConfig(Spec):
    """One application's firewall: deny by default, then tiers, flows and extra allowances.

    Args:
        namespace: the application's namespace; the default for tiers and allow entries.
        default_deny: what to deny (see :class:`DefaultDenyConfig`); omitted, ingress only.
        tiers: tier name -> tier (pod labels, optional namespace, ports served).
        flows: the allowed tier-to-tier flows.
        ingress_controller: admit the ingress controller into one tier; omitted, nothing.
        namespace_allows: extra NamespaceAllow entries (``namespaces`` defaults to ``namespace``).
        ip_block_allows: extra IpBlockAllow entries (``namespaces`` defaults to ``namespace``).
        create_namespaces: create the namespaces the policies live in; omitted (false), they
            must exist, and a missing one fails ``pulumi preview`` naming it.
    """

    namespace: str
    default_deny: DefaultDenyConfig = Field(default_factory=DefaultDenyConfig)
    tiers: dict[str, Tier]
    flows: Items[Flow] = ()
    ingress_controller: IngressController | None = None
    namespace_allows: Items[NamespaceAllowSpec] = ()
    ip_block_allows: Items[IpBlockAllowSpec] = ()
    create_namespaces: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _fill_namespaces(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        namespace = data.get("namespace")
        out = dict(data)
        for key in ("namespaceAllows", "namespace_allows", "ipBlockAllows", "ip_block_allows"):
            if key in out:
                out[key] = _default_namespaces(out[key], namespace)
        return out

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns_label(value, "namespace")

    @model_validator(mode="after")
    def _compose(self) -> Self:
        # Building every spec here reports a bad tier or flow against the config's own fields,
        # and building every manifest catches two components naming the same policy, before
        # the program creates anything.
        try:
            self.tier_firewall_spec()
            if self.ingress_controller and self.ingress_controller.tier not in self.tiers:
                known = ", ".join(sorted(self.tiers))
                raise ValueError(
                    f"ingressController.tier {self.ingress_controller.tier!r} is not a tier "
                    f"({known})"
                )
            check_unique(self.manifests())
        except SpecError as error:
            # A spec built here failed: pydantic reports its own error at the field it names.
            if isinstance(error.__cause__, ValidationError):
                raise error.__cause__ from None
            raise
        return self

    @property
    def tier_namespaces(self) -> dict[str, str]:
        """Each tier's namespace: its own, or the firewall's (the one place this is settled)."""
        return {name: tier.namespace or self.namespace for name, tier in self.tiers.items()}

    def deny_namespaces(self) -> Sequence[str]:
        """The namespaces DefaultDeny covers: ``defaultDeny.namespaces``, or the firewall's
        namespace and every tier's."""
        if self.default_deny.namespaces is not None:
            return self.default_deny.namespaces
        return tuple(dict.fromkeys([self.namespace, *self.tier_namespaces.values()]))

    def default_deny_spec(self) -> DefaultDenySpec:
        """The DefaultDeny component's spec."""
        deny = self.default_deny
        return DefaultDenySpec(
            namespaces=self.deny_namespaces(),
            ingress=deny.ingress,
            egress=deny.egress,
            allow_dns=deny.allow_dns,
            dns=deny.dns,
        )

    def tier_firewall_spec(self) -> TierFirewallSpec:
        """The TierFirewall component's spec. A tier is egress-isolated when the default deny
        denies egress in its namespace (unless the tier says otherwise)."""
        denied = set(self.deny_namespaces()) if self.default_deny.egress else set()
        namespaces = self.tier_namespaces
        tiers = {
            name: tier.model_copy(
                update={
                    "namespace": namespaces[name],
                    "egress_isolated": namespaces[name] in denied
                    if tier.egress_isolated is None
                    else tier.egress_isolated,
                }
            )
            for name, tier in self.tiers.items()
        }
        return TierFirewallSpec(namespace=self.namespace, tiers=tiers, flows=self.flows)

    def namespace_allow_specs(self) -> list[NamespaceAllowSpec]:
        """The NamespaceAllow specs: the ingress controller's first, then ``namespace_allows``."""
        specs = list(self.namespace_allows)
        controller = self.ingress_controller
        if controller is not None:
            tier = self.tiers[controller.tier]
            specs.insert(
                0,
                NamespaceAllowSpec(
                    name=controller.policy_name,
                    namespaces=(self.tier_namespaces[controller.tier],),
                    pod_selector=LabelSelector.of(tier.pod_labels),
                    from_namespace_names=(controller.namespace,),
                    from_pod_selector=controller.pod_selector,
                    ports=tier.ports if controller.ports is None else controller.ports,
                ),
            )
        return specs

    def manifests(self) -> list[Manifest]:
        """Every policy the firewall makes, in the order the program creates them."""
        out = default_deny_policies(self.default_deny_spec())
        out += tier_firewall_policies(self.tier_firewall_spec())
        for allow in self.namespace_allow_specs():
            out += namespace_allow_policies(allow)
        for block in self.ip_block_allows:
            out += ip_block_allow_policies(block)
        return out

    @classmethod
    def from_pulumi(cls, config: Any) -> FirewallConfig:
        """Read and validate the ``firewall`` object of a ``pulumi.Config()``.

        Raises:
            ConfigError: the stack's config has no firewall object (one line naming the key
                expected and the keys there are), or it is not an object.
            SpecError: the firewall object is invalid (one line naming the field).
        """
        from pulumi.config import ConfigTypeError

        key = config.full_key(CONFIG_KEY)
        try:
            value = config.get_object(CONFIG_KEY)
        except ConfigTypeError as error:
            raise ConfigError(
                f"config {key}: {_short(error.value)} is not an object: write the firewall "
                "object as a YAML mapping (namespace:, tiers:, ...)"
            ) from None
        if value is None:
            raise ConfigError(missing_firewall_message(key, _config_keys()))
        return cls.parse(value, root=CONFIG_KEY)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _config_keys() -> list[str]:
    """The keys of the running program's config: what ``pulumi up`` passes in PULUMI_CONFIG, or
    what a test or the offline commands set. Pulumi has no public call that lists them, so
    this reads its runtime's own map; none when that fails."""
    try:
        from pulumi.runtime import config as runtime

        return sorted({*runtime.CONFIG.get(), *runtime.get_config_env()})
    except Exception:  # pragma: no cover - a Pulumi without these: name the key alone
        return []
