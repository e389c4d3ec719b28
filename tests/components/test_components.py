"""The four components under Pulumi mocks: what they register, under which parent, with what name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from guestbook import GUESTBOOK
from podfence.components import DefaultDeny, IpBlockAllow, NamespaceAllow, TierFirewall
from podfence.errors import SpecError
from podfence.manifests import (
    default_deny_policies,
    ip_block_allow_policies,
    namespace_allow_policies,
    tier_firewall_policies,
)
from podfence.manifests.wire import is_deny
from podfence.offline.recorder import RecordedResource, record
from podfence.spec import (
    DefaultDenySpec,
    IpBlockAllowSpec,
    NamespaceAllowSpec,
    TierFirewallSpec,
)

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

TIERS: dict[str, Any] = GUESTBOOK
CASES: list[tuple[type, str, dict[str, Any], Callable[[Any], list[dict[str, Any]]], Any]] = [
    (DefaultDeny, "DefaultDeny", {"namespaces": ["a", "b"], "egress": True}, default_deny_policies, DefaultDenySpec),
    (TierFirewall, "TierFirewall", {**TIERS, "egress": True}, tier_firewall_policies, TierFirewallSpec),
    (
        NamespaceAllow,
        "NamespaceAllow",
        {"name": "allow-monitoring-namespace", "namespaces": ["guestbook"],
         "fromNamespaceSelector": {"matchLabels": {"team": "monitoring"}}},
        namespace_allow_policies,
        NamespaceAllowSpec,
    ),
    (
        IpBlockAllow,
        "IpBlockAllow",
        {"name": "allow-using-ip", "namespaces": ["guestbook"],
         "ipBlocks": [{"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}]},
        ip_block_allow_policies,
        IpBlockAllowSpec,
    ),
]  # fmt: skip
IDS = [case[1] for case in CASES]


def policies(resources: list[RecordedResource]) -> list[RecordedResource]:
    """The NetworkPolicies among ``resources``, by namespace and name."""
    found = [r for r in resources if r.type == NETWORK_POLICY]
    return sorted(found, key=lambda r: _key(r.inputs))


def _key(manifest: dict[str, Any]) -> tuple[str, str]:
    return (manifest["metadata"]["namespace"], manifest["metadata"]["name"])


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_a_component_registers_exactly_the_manifests_its_builder_makes(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    resources = record(lambda: component("fw", args), "p", "test")
    expected = sorted(build(spec.parse(args)), key=_key)
    got = [r.inputs for r in policies(resources)]
    assert got == expected, f"{token}: the mock received other inputs than the builder made"
    for manifest in got:
        assert manifest["metadata"]["namespace"], "metadata.namespace must always be written"
        assert manifest["spec"]["policyTypes"], "policyTypes must always be written"


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_children_are_parented_to_the_component_and_named_after_it(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    resources = record(lambda: component("edge", args), "p", "test")
    (parent,) = [r for r in resources if not r.custom]
    assert parent.type == f"podfence:index:{token}", parent.urn
    assert parent.name == "edge"
    for child in policies(resources):
        assert f"::podfence:index:{token}${NETWORK_POLICY}::" in child.urn, (
            f"{child.urn} is not a child of the {token} component"
        )
        meta = child.inputs["metadata"]
        assert child.name == f"edge-{meta['namespace']}-{meta['name']}", child.urn


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_the_same_component_twice_with_the_same_policies_is_one_error_naming_both(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    registered: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(
            lambda: (component("one", args), component("two", args)),
            "p",
            "test",
            registered=registered,
        )
    first = build(spec.parse(args))[0]["metadata"]
    assert str(raised.value) == (
        f"NetworkPolicy {first['namespace']}/{first['name']} is made twice in this program: by "
        f"{token} one and by {token} two; Kubernetes keeps one object per namespace and name, so "
        "rename one of them"
    )
    assert not [u for u in registered if u.endswith("::two") or "::two-" in u], (
        "nothing of the second is registered"
    )


def test_a_component_type_used_twice_on_other_namespaces_names_its_children_apart() -> None:
    resources = record(
        lambda: (
            DefaultDeny("one", {"namespaces": ["a"]}),
            DefaultDeny("two", {"namespaces": ["b"]}),
        ),
        "p",
        "test",
    )
    assert [r.name for r in policies(resources)] == ["one-a-deny-all", "two-b-deny-all"]


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_a_provider_given_to_the_component_reaches_every_policy(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    def program() -> None:
        provider = k8s.Provider("local", render_yaml_to_directory="rendered/test")
        component("fw", args, pulumi.ResourceOptions(provider=provider))

    resources = record(program, "p", "test")
    children = policies(resources)
    assert children
    for child in children:
        assert "pulumi:providers:kubernetes::local" in child.provider, (
            f"{child.urn} was registered with provider {child.provider!r}"
        )


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_policy_names_are_exposed_as_an_output(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    seen: list[list[str]] = []

    def program() -> None:
        instance = component("fw", args)
        instance.policy_names.apply(seen.append)

    record(program, "p", "test")
    made = build(spec.parse(args))
    in_order = [m for m in made if not is_deny(m)] + [m for m in made if is_deny(m)]
    expected = [f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in in_order]
    assert seen == [expected], "allows first, then the policies that only isolate"


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_a_typed_spec_and_a_snake_case_dict_are_accepted_alike(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    typed = spec.parse(args)
    snake = typed.model_dump(by_alias=False)
    from_typed = policies(record(lambda: component("fw", typed), "p", "test"))
    from_snake = policies(record(lambda: component("fw", snake), "p", "test"))
    assert [r.inputs for r in from_typed] == [r.inputs for r in from_snake]


def test_invalid_args_raise_one_line_naming_the_field_and_register_nothing() -> None:
    created: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(
            lambda: TierFirewall("fw", {**TIERS, "flows": [{"from": "ui", "to": "apii"}]}),
            "p",
            "test",
            registered=created,
        )
    message = str(raised.value)
    assert message == (
        "fw.flows: flow ui -> apii names an unknown tier 'apii' (tiers: api, db, ui); "
        "did you mean 'api'?"
    )
    assert "\n" not in message
    assert created == []


def test_a_denied_egress_keeps_dns_open_to_kube_dns_on_udp_and_tcp_53() -> None:
    resources = record(
        lambda: DefaultDeny("deny", {"namespaces": ["guestbook"], "egress": True}), "p", "t"
    )
    by_name = {r.inputs["metadata"]["name"]: r.inputs for r in policies(resources)}
    assert by_name["deny-all"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert by_name["allow-dns-egress"]["spec"]["egress"] == [
        {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                    },
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]


def test_switching_dns_off_is_explicit_and_leaves_only_deny_all() -> None:
    args = {"namespaces": ["guestbook"], "egress": True, "allowDns": False}
    resources = record(lambda: DefaultDeny("deny", args), "p", "t")
    assert [r.inputs["metadata"]["name"] for r in policies(resources)] == ["deny-all"]


@pytest.mark.parametrize(("component", "token", "args", "build", "spec"), CASES, ids=IDS)
def test_the_spec_and_policies_stay_readable_and_only_outputs_are_annotated(
    component: type, token: str, args: dict[str, Any], build: Callable[[Any], Any], spec: Any
) -> None:
    made: list[Any] = []
    record(lambda: made.append(component("fw", args)), "p", "test")
    (instance,) = made
    assert instance.spec == spec.parse(args)
    assert sorted(instance.policies) == sorted(
        f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in build(instance.spec)
    )
    assert all(isinstance(p, k8s.networking.v1.NetworkPolicy) for p in instance.policies.values())
    # Pulumi's component provider host reads every public annotation as an output.
    public = {
        name
        for cls in component.__mro__
        if cls not in (object, pulumi.Resource, pulumi.ComponentResource)
        for name in getattr(cls, "__annotations__", {})
        if not name.startswith("_")
    }
    assert public == {"policy_names"}
