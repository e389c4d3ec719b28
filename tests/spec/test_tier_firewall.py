"""TierFirewallSpec, Tier and Flow: tiers by labels, flows between known tiers, unique names."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import Flow, Port, Tier, TierFirewallSpec

GUESTBOOK_TIERS: dict[str, Any] = {
    "ui": {"podLabels": {"app": "guestbook-ui", "tier": "frontend"}, "ports": [80]},
    "api": {"podLabels": {"app": "guestbook-api", "tier": "backend"}, "ports": [8080]},
    "db": {"podLabels": {"app": "guestbook-db", "tier": "db"}, "ports": [6379]},
}


def guestbook(**changes: Any) -> dict[str, Any]:
    return {"namespace": "guestbook", "tiers": GUESTBOOK_TIERS, **changes}


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        TierFirewallSpec.parse(value, root)
    return str(caught.value)


def test_the_guestbook_tiers_and_flows_parse() -> None:
    spec = TierFirewallSpec.parse(guestbook(flows=[{"from": "ui", "to": "api"}]))
    assert spec.tiers["api"] == Tier(
        pod_labels={"app": "guestbook-api", "tier": "backend"}, ports=(Port.tcp(8080),)
    )
    assert spec.flows == (Flow.parse({"from": "ui", "to": "api"}),)
    assert spec.egress is False


def test_a_flow_is_named_after_its_tiers_unless_named() -> None:
    assert Flow.parse({"from": "ui", "to": "api"}).policy_name == "allow-ui-to-api"
    assert Flow.parse({"from": "ui", "to": "api", "name": "web-to-api"}).policy_name == (
        "web-to-api"
    )


def test_a_flow_reads_from_by_its_config_name_and_its_python_name() -> None:
    assert Flow.parse({"from": "ui", "to": "api"}) == Flow.parse({"from_": "ui", "to": "api"})


def test_a_flow_without_from_is_rejected() -> None:
    assert parse_error(guestbook(flows=[{"to": "api"}])) == "flows[0].from: Field required"


def test_a_flow_naming_an_unknown_tier_suggests_the_closest_one() -> None:
    assert parse_error(guestbook(flows=[{"from": "ui", "to": "apii"}]), "app") == (
        "app.flows: flow ui -> apii names an unknown tier 'apii' (tiers: api, db, ui); "
        "did you mean 'api'?"
    )


def test_a_flow_naming_an_unknown_source_tier_without_a_close_match_lists_the_tiers() -> None:
    assert parse_error(guestbook(flows=[{"from": "cache", "to": "db"}])) == (
        "flows: flow cache -> db names an unknown tier 'cache' (tiers: api, db, ui)"
    )


def test_the_same_flow_twice_is_rejected() -> None:
    flows = [{"from": "ui", "to": "api"}, {"from": "ui", "to": "api"}]
    assert parse_error(guestbook(flows=flows)) == (
        "flows: flow ui -> api: policy guestbook/allow-ui-to-api is already made by flow "
        "ui -> api; give one of them a name"
    )


def test_two_flows_given_the_same_name_in_one_namespace_are_rejected() -> None:
    flows = [
        {"from": "ui", "to": "api", "name": "allow-frontend"},
        {"from": "api", "to": "db", "name": "allow-frontend"},
    ]
    assert parse_error(guestbook(flows=flows)) == (
        "flows: flow api -> db: policy guestbook/allow-frontend is already made by flow "
        "ui -> api; give one of them a name"
    )


def test_two_flows_with_the_same_name_in_different_namespaces_are_accepted() -> None:
    tiers = {**GUESTBOOK_TIERS, "db": {**GUESTBOOK_TIERS["db"], "namespace": "data"}}
    flows = [
        {"from": "ui", "to": "api", "name": "allow-in"},
        {"from": "api", "to": "db", "name": "allow-in"},
    ]
    spec = TierFirewallSpec.parse(guestbook(tiers=tiers, flows=flows))
    assert [spec.namespace_of(flow.to) for flow in spec.flows] == ["guestbook", "data"]


def test_two_flows_whose_egress_policies_share_a_name_are_rejected() -> None:
    # Both ingress policies are distinct (data/allow-in, cache/allow-in), but the api is
    # egress-isolated, so both flows also make guestbook/allow-in-egress: the second would
    # overwrite the first. The spec must refuse that like any other duplicate name.
    tiers = {
        "api": GUESTBOOK_TIERS["api"],
        "db": {**GUESTBOOK_TIERS["db"], "namespace": "data"},
        "cache": {"podLabels": {"app": "cache"}, "namespace": "cache"},
    }
    flows = [
        {"from": "api", "to": "db", "name": "allow-in"},
        {"from": "api", "to": "cache", "name": "allow-in"},
    ]
    assert "guestbook/allow-in-egress" in parse_error(
        guestbook(tiers=tiers, flows=flows, egress=True)
    )


def test_a_flow_named_like_another_flows_egress_policy_is_rejected() -> None:
    flows = [
        {"from": "ui", "to": "api"},
        {"from": "api", "to": "db", "name": "allow-ui-to-api-egress"},
    ]
    assert "guestbook/allow-ui-to-api-egress" in parse_error(guestbook(flows=flows, egress=True))


def test_a_flow_name_too_long_for_its_egress_policy_is_rejected() -> None:
    # 250 characters is a valid name, but the egress policy adds "-egress": 257 characters,
    # more than the 253 Kubernetes accepts.
    name = "a" * 250
    assert Flow.parse({"from": "ui", "to": "api", "name": name}).policy_name == name
    with pytest.raises(SpecError):
        TierFirewallSpec.parse(
            guestbook(flows=[{"from": "ui", "to": "api", "name": name}], egress=True)
        )


def test_an_invalid_flow_name_is_rejected() -> None:
    assert parse_error(guestbook(flows=[{"from": "ui", "to": "api", "name": "UI_to_API"}])) == (
        "flows[0].name: policy name 'UI_to_API' is not a valid Kubernetes name: "
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character"
    )


def test_a_tier_with_empty_pod_labels_is_rejected() -> None:
    tiers = {**GUESTBOOK_TIERS, "api": {"podLabels": {}}}
    assert parse_error(guestbook(tiers=tiers)) == (
        "tiers.api.podLabels: a tier needs at least one pod label: an empty selector is every "
        "pod of the namespace"
    )


def test_a_tier_without_pod_labels_is_rejected() -> None:
    assert parse_error(guestbook(tiers={"ui": {"ports": [80]}})) == (
        "tiers.ui.podLabels: Field required"
    )


def test_a_tier_with_an_invalid_label_is_rejected_at_the_tier() -> None:
    tiers = {"ui": {"podLabels": {"app": "guestbook ui"}}}
    assert parse_error(guestbook(tiers=tiers)).startswith(
        "tiers.ui.podLabels: label value 'guestbook ui' of key 'app' is invalid"
    )


def test_a_tier_with_a_bad_port_is_rejected_at_the_port() -> None:
    tiers = {"ui": {"podLabels": {"app": "ui"}, "ports": [80, {"port": "8080"}]}}
    assert parse_error(guestbook(tiers=tiers)).startswith(
        "tiers.ui.ports[1].port: port '8080' is a string of digits"
    )


def test_no_tier_is_rejected() -> None:
    assert parse_error(guestbook(tiers={})) == "tiers: define at least one tier"


def test_a_tier_name_that_is_not_a_dns_label_is_rejected_with_a_suggestion() -> None:
    tiers = {"Web_UI": {"podLabels": {"app": "ui"}}}
    assert parse_error(guestbook(tiers=tiers)) == (
        "tiers: tier name 'Web_UI' is not a valid name: a lowercase RFC 1123 label must consist "
        "of lower case alphanumeric characters or '-', and must start and end with an "
        'alphanumeric character; did you mean "web-ui"?'
    )


def test_an_invalid_namespace_is_rejected() -> None:
    assert parse_error(guestbook(namespace="guest book")).startswith(
        "namespace: namespace 'guest book' is not a valid name"
    )
    tiers = {"ui": {"podLabels": {"app": "ui"}, "namespace": "-web"}}
    assert parse_error(guestbook(tiers=tiers)).startswith(
        "tiers.ui.namespace: namespace '-web' is not a valid name"
    )


def test_a_misspelt_key_is_rejected_where_it_is() -> None:
    tiers = {"ui": {"podLabels": {"app": "ui"}, "podSelecter": {"app": "ui"}}}
    assert parse_error(guestbook(tiers=tiers), "firewall") == (
        "firewall.tiers.ui.podSelecter: unknown key (known keys: podLabels, namespace, ports, "
        "egressIsolated)"
    )
    assert parse_error(guestbook(flows=[{"from": "ui", "to": "api", "port": 80}])) == (
        "flows[0].port: unknown key; did you mean ports?"
    )


def test_a_tier_without_a_namespace_is_in_the_firewalls() -> None:
    tiers = {**GUESTBOOK_TIERS, "db": {**GUESTBOOK_TIERS["db"], "namespace": "data"}}
    spec = TierFirewallSpec.parse(guestbook(tiers=tiers))
    assert spec.namespace_of("ui") == "guestbook"
    assert spec.namespace_of("db") == "data"


def test_egress_isolation_follows_the_firewall_unless_the_tier_says_otherwise() -> None:
    tiers = {
        **GUESTBOOK_TIERS,
        "ui": {**GUESTBOOK_TIERS["ui"], "egressIsolated": False},
        "db": {**GUESTBOOK_TIERS["db"], "egressIsolated": True},
    }
    isolated = TierFirewallSpec.parse(guestbook(tiers=tiers, egress=True))
    assert [isolated.egress_isolated(t) for t in ("ui", "api", "db")] == [False, True, True]
    open_ = TierFirewallSpec.parse(guestbook(tiers=tiers, egress=False))
    assert [open_.egress_isolated(t) for t in ("ui", "api", "db")] == [False, False, True]


def test_a_flow_admits_its_own_ports_else_the_destination_tiers() -> None:
    flows = [
        {"from": "ui", "to": "api"},
        {"from": "api", "to": "db", "ports": [6379, 26379]},
        {"from": "ui", "to": "db", "ports": []},
    ]
    spec = TierFirewallSpec.parse(guestbook(flows=flows))
    assert [spec.ports_of(flow) for flow in spec.flows] == [
        (Port.tcp(8080),),
        (Port.tcp(6379), Port.tcp(26379)),
        (),
    ]


def test_a_tier_without_ports_admits_every_port() -> None:
    spec = TierFirewallSpec.parse(
        {
            "namespace": "shop",
            "tiers": {"a": {"podLabels": {"app": "a"}}, "b": {"podLabels": {"app": "b"}}},
            "flows": [{"from": "a", "to": "b"}],
        }
    )
    assert spec.ports_of(spec.flows[0]) == ()
