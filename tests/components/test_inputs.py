"""Outputs of other resources as component args: checked now where known, later where not."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from podfence.components import DefaultDeny, Firewall, IpBlockAllow, NamespaceAllow, TierFirewall
from podfence.components.inputs import Deferred
from podfence.errors import ConfigError, SpecError
from podfence.offline.recorder import RecordedResource, record
from podfence.spec import DefaultDenySpec

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _policies(resources: list[RecordedResource]) -> dict[str, dict[str, Any]]:
    return {
        f"{r.inputs['metadata']['namespace']}/{r.inputs['metadata']['name']}": r.inputs
        for r in resources
        if r.type == NETWORK_POLICY
    }


def shop() -> None:
    """A platform team's program: namespaces it creates, their names passed to the components."""
    web = k8s.core.v1.Namespace("web", metadata={"name": "web"})
    cart = k8s.core.v1.Namespace("cart", metadata={"name": "cart"})
    payments = k8s.core.v1.Namespace("payments", metadata={"name": "payments"})
    DefaultDeny("deny", {"namespaces": [web.metadata.name, cart.metadata.name]})
    TierFirewall(
        "cart-to-payments",
        {
            "namespace": payments.metadata.name,
            "tiers": {
                "cart": {"podLabels": {"app": "cart"}, "namespace": cart.metadata.name},
                "payments": {"podLabels": {"app": "payments"}, "ports": [8443]},
            },
            "flows": [{"from": "cart", "to": "payments"}],
        },
    )
    NamespaceAllow(
        "scrape",
        {
            "name": "allow-monitoring",
            "namespaces": [web.metadata.name],
            "fromNamespaceNames": ["monitoring"],
        },
    )


def test_a_created_namespaces_name_reaches_the_policies_it_selects_and_names() -> None:
    made = _policies(record(shop, "shop", "test"))
    assert sorted(made) == [
        "cart/deny-all",
        "payments/allow-cart-to-payments",
        "web/allow-monitoring",
        "web/deny-all",
    ]
    peer = made["payments/allow-cart-to-payments"]["spec"]["ingress"][0]["from"][0]
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "cart"}}, (
        "the cart namespace's name, resolved, selects the source namespace"
    )


def test_children_of_outputs_get_stable_names_from_their_position() -> None:
    resources = record(shop, "shop", "test")
    names = sorted(r.name for r in resources if r.type == NETWORK_POLICY)
    assert names == [
        "cart-to-payments-output-0-allow-cart-to-payments",
        "deny-output-0-deny-all",
        "deny-output-1-deny-all",
        "scrape-output-0-allow-monitoring",
    ]


def test_a_known_bad_value_beside_an_output_fails_before_anything_is_registered() -> None:
    registered: list[str] = []

    def program() -> None:
        ns = k8s.core.v1.Namespace("web", metadata={"name": "web"})
        TierFirewall(
            "fw",
            {
                "namespace": ns.metadata.name,
                "tiers": {"web": {"podLabels": {"app": "web"}}},
                "flows": [{"from": "web", "to": "api"}],
            },
        )

    with pytest.raises(SpecError, match=r"^fw\.flows: flow web -> api names an unknown tier"):
        record(program, "shop", "test", registered=registered)
    assert [u for u in registered if "podfence" in u] == []


def test_a_bad_value_known_only_later_fails_the_run_with_the_one_line_error() -> None:
    def program() -> None:
        ns = k8s.core.v1.Namespace("web", metadata={"name": "Web_Shop"})
        DefaultDeny("deny", {"namespaces": [ns.metadata.name]})

    with pytest.raises((SpecError, ConfigError), match=r"namespace 'Web_Shop' is not a valid name"):
        record(program, "shop", "test")


def test_an_output_where_only_a_literal_goes_is_named() -> None:
    def program() -> None:
        cidr = pulumi.Output.from_input("10.72.0.0/16")
        IpBlockAllow(
            "office", {"name": "allow-office", "namespaces": ["web"], "ipBlocks": [{"cidr": cidr}]}
        )

    with pytest.raises(SpecError) as raised:
        record(program, "shop", "test")
    assert str(raised.value) == (
        "office.ipBlocks[0].cidr: a pulumi Output is only accepted where a name or a label "
        "value goes; give this value of office literally"
    )


def test_a_firewall_takes_its_namespace_from_an_output() -> None:
    def program() -> None:
        ns = k8s.core.v1.Namespace("guestbook", metadata={"name": "guestbook"})
        Firewall(
            "gb",
            {
                "namespace": ns.metadata.name,
                "tiers": {"ui": {"podLabels": {"app": "ui"}, "ports": [80]}},
            },
        )

    made = _policies(record(program, "shop", "test"))
    assert sorted(made) == ["guestbook/deny-all"]


def test_without_outputs_the_args_are_left_alone() -> None:
    args = {"namespaces": ["a"]}
    deferred = Deferred(args, DefaultDenySpec, "deny")
    assert deferred.args is not args and deferred.args == args
    assert deferred.outputs == {}
    assert deferred.restore({"x": "output-0"}) == {"x": "output-0"}
