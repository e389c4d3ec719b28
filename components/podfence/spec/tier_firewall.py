"""What TierFirewall builds: tiers of pods and the flows allowed between them."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from pydantic import Field, ValidationInfo, field_validator

from podfence.spec.base import Flag, Items, Spec, check_dns_label, check_dns_subdomain
from podfence.spec.labels import Labels
from podfence.spec.ports import Port

__all__ = ["Flow", "Tier", "TierFirewallSpec"]


class Tier(Spec):
    """A set of pods, by labels, and the ports they serve.

    Args:
        pod_labels: the labels that select the tier's pods (matchLabels; at least one, since an
            empty selector would make the tier every pod of the namespace).
        namespace: the tier's namespace; omitted, the firewall's namespace.
        ports: the ports the tier serves, admitted by every flow into it that names no ports of
            its own; omitted or empty, flows into it admit every port.
        egress_isolated: whether the tier's pods are isolated for egress, so each flow out of it
            also needs an egress policy; omitted, the firewall's ``egress`` setting.
    """

    pod_labels: Labels
    namespace: str | None = None
    ports: Items[Port] = ()
    egress_isolated: Flag | None = None

    @field_validator("pod_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError(
                "a tier needs at least one pod label: an empty selector is every pod of the namespace"
            )
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_dns_label(value, "namespace")


class Flow(Spec):
    """Traffic allowed from one tier to another.

    Args:
        from_: the source tier's name (``from`` in config).
        to: the destination tier's name.
        ports: the destination ports admitted; omitted, the destination tier's ports.
        name: the ingress policy's name; omitted, ``allow-<from>-to-<to>`` (the blog's names).
            The egress policy, when there is one, adds ``-egress``.
    """

    from_: str = Field(validation_alias="from", serialization_alias="from")
    to: str
    ports: Items[Port] | None = None
    name: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_dns_subdomain(value, "policy name")

    @property
    def policy_name(self) -> str:
        """The ingress policy's name."""
        return self.name or f"allow-{self.from_}-to-{self.to}"


def _unknown_tier(flow: Flow, name: str, tiers: dict[str, Tier]) -> ValueError:
    known = ", ".join(sorted(tiers))
    close = difflib.get_close_matches(name, list(tiers), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ValueError(
        f"flow {flow.from_} -> {flow.to} names an unknown tier {name!r} (tiers: {known}){hint}"
    )


class TierFirewallSpec(Spec):
    """Tiers and the flows between them; everything not listed stays as it was (deny it with
    DefaultDeny).

    Semantics: each flow becomes an ingress policy on the destination tier's pods admitting the
    source tier's pods. Within one namespace the peer is a podSelector (which means the policy's own
    namespace); across namespaces it is ONE peer holding namespaceSelector (by the
    ``kubernetes.io/metadata.name`` label) AND podSelector — two peers would be an OR and admit
    the whole namespace. When the source tier is egress-isolated the flow also gets the matching
    egress policy on the source.

    Args:
        namespace: the namespace of tiers that name none.
        tiers: tier name -> tier. Names are RFC 1123 labels; they become part of policy names.
        flows: the allowed flows; omitted, none.
        egress: whether tiers are egress-isolated by default (true when a DefaultDeny with egress
            covers their namespaces); omitted, False.
    """

    namespace: str
    tiers: dict[str, Tier]
    # Before flows: validating a flow needs to know whether its source is egress-isolated.
    egress: Flag = False
    flows: Items[Flow] = ()

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns_label(value, "namespace")

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: dict[str, Tier]) -> dict[str, Tier]:
        if not value:
            raise ValueError("define at least one tier")
        for name in value:
            check_dns_label(name, "tier name")
        return value

    @field_validator("flows")
    @classmethod
    def _flows_name_known_tiers(
        cls, flows: tuple[Flow, ...], info: ValidationInfo
    ) -> tuple[Flow, ...]:
        tiers: dict[str, Tier] | None = info.data.get("tiers")
        namespace: str | None = info.data.get("namespace")
        egress: bool = info.data.get("egress", False)
        if tiers is None or namespace is None:  # already reported on those fields
            return flows
        made_by: dict[tuple[str, str], str] = {}
        for flow in flows:
            for name in (flow.from_, flow.to):
                if name not in tiers:
                    raise _unknown_tier(flow, name, tiers)
            label = f"flow {flow.from_} -> {flow.to}"
            made = [(tiers[flow.to].namespace or namespace, flow.policy_name)]
            source = tiers[flow.from_]
            if egress if source.egress_isolated is None else source.egress_isolated:
                made.append((source.namespace or namespace, f"{flow.policy_name}-egress"))
            for key in made:
                check_dns_subdomain(key[1], f"{label}: policy name")
                if key in made_by:
                    raise ValueError(
                        f"{label}: policy {key[0]}/{key[1]} is already made by {made_by[key]}; "
                        "give one of them a name"
                    )
                made_by[key] = label
        return flows

    def namespace_of(self, tier: str) -> str:
        """The namespace of tier ``tier``."""
        return self.tiers[tier].namespace or self.namespace

    def egress_isolated(self, tier: str) -> bool:
        """Whether tier ``tier``'s pods are isolated for egress."""
        own = self.tiers[tier].egress_isolated
        return self.egress if own is None else own

    def ports_of(self, flow: Flow) -> Sequence[Port]:
        """The ports a flow admits: its own, else the destination tier's."""
        return self.tiers[flow.to].ports if flow.ports is None else flow.ports
