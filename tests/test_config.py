"""FirewallConfig: the stack's ``firewall`` object, its defaults, and what it refuses as a whole."""

from __future__ import annotations

import copy
import json
from typing import Any

import pulumi
import pytest
import yaml
from guestbook import GUESTBOOK
from k8s_schema import assert_valid_manifest
from paths import REPO, STACKS
from podfence.config import CONFIG_KEY, FirewallConfig, missing_firewall_message
from podfence.errors import ConfigError, SpecError
from podfence.offline.recorder import record
from podfence.spec import LabelSelector, NamespaceAllowSpec, Port

BLOG: dict[str, Any] = GUESTBOOK


def config(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BLOG), **changes}


def parse_error(value: Any) -> str:
    with pytest.raises(SpecError) as caught:
        FirewallConfig.parse(value, CONFIG_KEY)
    return str(caught.value)


def stack_firewall(stack: str) -> dict[str, Any]:
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    firewall: dict[str, Any] = document["config"][f"guestbook:{CONFIG_KEY}"]
    return firewall


def names(manifests: list[dict[str, Any]]) -> list[str]:
    """The policies' ``namespace/name``s, once each is known to be schema-valid."""
    for manifest in manifests:
        assert_valid_manifest(manifest)
    return [f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in manifests]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stacks_firewall_is_valid_and_makes_schema_valid_policies(stack: str) -> None:
    firewall = FirewallConfig.parse(stack_firewall(stack), CONFIG_KEY)
    manifests = firewall.manifests()
    assert len(set(names(manifests))) == len(manifests)


def test_the_prod_firewall_makes_the_blogs_policies_plus_egress_and_dns() -> None:
    firewall = FirewallConfig.parse(stack_firewall("prod"), CONFIG_KEY)
    assert names(firewall.manifests()) == [
        "guestbook/deny-all",
        "guestbook/allow-dns-egress",
        "guestbook/allow-ui-to-api",
        "guestbook/allow-ui-to-api-egress",
        "guestbook/allow-api-to-db",
        "guestbook/allow-api-to-db-egress",
        "guestbook/allow-ingress-controller",
        "guestbook/allow-monitoring-namespace",
        "guestbook/allow-using-ip",
    ]


def test_the_dev_firewall_makes_the_blogs_policies_and_the_ingress_controllers() -> None:
    firewall = FirewallConfig.parse(stack_firewall("dev"), CONFIG_KEY)
    assert names(firewall.manifests()) == [
        "guestbook/deny-all",
        "guestbook/allow-ui-to-api",
        "guestbook/allow-api-to-db",
        "guestbook/allow-ingress-controller",
        "guestbook/allow-monitoring-namespace",
        "guestbook/allow-using-ip",
    ]


def test_the_default_deny_denies_ingress_in_the_firewalls_namespace() -> None:
    spec = FirewallConfig.parse(config()).default_deny_spec()
    assert spec.namespaces == ("guestbook",)
    assert (spec.ingress, spec.egress, spec.allow_dns) == (True, False, True)


def test_the_default_deny_covers_every_tiers_namespace_once_in_order() -> None:
    value = config()
    value["tiers"]["db"]["namespace"] = "data"
    value["tiers"]["api"]["namespace"] = "data"
    value["tiers"]["ui"]["namespace"] = "guestbook"
    firewall = FirewallConfig.parse(value)
    assert firewall.deny_namespaces() == ("guestbook", "data")


def test_explicit_deny_namespaces_win() -> None:
    firewall = FirewallConfig.parse(config(defaultDeny={"namespaces": ["guestbook", "other"]}))
    assert firewall.default_deny_spec().namespaces == ("guestbook", "other")


def test_tiers_are_egress_isolated_when_the_default_deny_denies_egress() -> None:
    spec = FirewallConfig.parse(config(defaultDeny={"egress": True})).tier_firewall_spec()
    assert [spec.egress_isolated(t) for t in ("ui", "api", "db")] == [True, True, True]


def test_tiers_are_not_egress_isolated_when_egress_is_not_denied() -> None:
    spec = FirewallConfig.parse(config()).tier_firewall_spec()
    assert [spec.egress_isolated(t) for t in ("ui", "api", "db")] == [False, False, False]


def test_a_tier_outside_the_denied_namespaces_is_not_egress_isolated() -> None:
    value = config(defaultDeny={"egress": True, "namespaces": ["guestbook"]})
    value["tiers"]["db"]["namespace"] = "data"
    spec = FirewallConfig.parse(value).tier_firewall_spec()
    assert [spec.egress_isolated(t) for t in ("ui", "api", "db")] == [True, True, False]


def test_a_tiers_own_egress_isolation_wins() -> None:
    value = config(defaultDeny={"egress": True})
    value["tiers"]["ui"]["egressIsolated"] = False
    spec = FirewallConfig.parse(value).tier_firewall_spec()
    assert [spec.egress_isolated(t) for t in ("ui", "api", "db")] == [False, True, True]
    assert "guestbook/allow-ui-to-api-egress" not in names(FirewallConfig.parse(value).manifests())


def test_allow_entries_without_namespaces_go_to_the_firewalls_namespace() -> None:
    firewall = FirewallConfig.parse(
        config(
            namespaceAllows=[
                {"name": "allow-monitoring-namespace", "fromNamespaceNames": ["monitoring"]},
                {
                    "name": "allow-logging",
                    "fromNamespaceNames": ["logging"],
                    "namespaces": ["data"],
                },
            ],
            ipBlockAllows=[{"name": "allow-using-ip", "ipBlocks": [{"cidr": "10.72.0.0/16"}]}],
        )
    )
    assert [a.namespaces for a in firewall.namespace_allows] == [("guestbook",), ("data",)]
    assert [a.namespaces for a in firewall.ip_block_allows] == [("guestbook",)]


def test_allow_entries_default_their_namespaces_under_python_names_too() -> None:
    firewall = FirewallConfig.parse(
        config(
            namespace_allows=[{"name": "allow-m", "fromNamespaceNames": ["monitoring"]}],
            ip_block_allows=[{"name": "allow-ip", "ipBlocks": [{"cidr": "10.0.0.0/8"}]}],
        )
    )
    assert firewall.namespace_allows[0].namespaces == ("guestbook",)
    assert firewall.ip_block_allows[0].namespaces == ("guestbook",)


def test_the_ingress_controller_is_admitted_into_its_tier_on_the_tiers_ports() -> None:
    firewall = FirewallConfig.parse(config(ingressController={"tier": "ui"}))
    assert firewall.namespace_allow_specs() == [
        NamespaceAllowSpec(
            name="allow-ingress-controller",
            namespaces=("guestbook",),
            pod_selector=LabelSelector.of(app="guestbook-ui", tier="frontend"),
            from_namespace_names=("ingress-nginx",),
            ports=(Port.tcp(80),),
        )
    ]


def test_the_ingress_controllers_own_settings_win_and_it_comes_first() -> None:
    value = config(
        ingressController={
            "tier": "ui",
            "namespace": "traefik",
            "podSelector": {"matchLabels": {"app": "traefik"}},
            "ports": [8080],
            "policyName": "allow-traefik",
        },
        namespaceAllows=[{"name": "allow-m", "fromNamespaceNames": ["monitoring"]}],
    )
    value["tiers"]["ui"]["namespace"] = "web"
    specs = FirewallConfig.parse(value).namespace_allow_specs()
    assert [s.name for s in specs] == ["allow-traefik", "allow-m"]
    controller = specs[0]
    assert controller.namespaces == ("web",)
    assert controller.from_namespace_names == ("traefik",)
    assert controller.from_pod_selector == LabelSelector.of(app="traefik")
    assert controller.ports == (Port.tcp(8080),)


def test_an_ingress_controller_into_an_unknown_tier_is_rejected() -> None:
    assert parse_error(config(ingressController={"tier": "web"})) == (
        "firewall: ingressController.tier 'web' is not a tier (api, db, ui)"
    )


def test_a_flow_naming_an_unknown_tier_is_reported_at_the_flows() -> None:
    value = config()
    value["flows"].append({"from": "ui", "to": "dbb"})
    assert parse_error(value) == (
        "firewall.flows: flow ui -> dbb names an unknown tier 'dbb' (tiers: api, db, ui); "
        "did you mean 'db'?"
    )


def test_a_bad_field_is_reported_at_its_full_location() -> None:
    value = config()
    value["tiers"]["db"]["ports"] = [{"port": 6379, "protocol": "tcp"}]
    assert parse_error(value) == (
        "firewall.tiers.db.ports[0].protocol: protocol 'tcp' is not one of TCP, UDP, SCTP; "
        'did you mean "TCP"?'
    )


def test_the_blogs_except_is_reported_at_its_full_location() -> None:
    value = config(
        ipBlockAllows=[
            {
                "name": "allow-using-ip",
                "ipBlocks": [{"cidr": "10.72.0.0/16", "except": "10.72.10.0/8"}],
            }
        ]
    )
    assert parse_error(value) == (
        "firewall.ipBlockAllows[0].ipBlocks[0].except: except '10.72.10.0/8' must be a list of "
        "CIDRs, not a single string, and 10.72.10.0/8 does not lie inside cidr 10.72.0.0/16 "
        "(a /8 is larger than the /16 it should carve from); did you mean "
        'except: ["10.72.10.0/24"]?'
    )


def test_a_misspelt_key_is_rejected_with_the_nearest_key() -> None:
    assert parse_error(config(defaultDeny={"egres": True})) == (
        "firewall.defaultDeny.egres: unknown key; did you mean egress?"
    )
    value = config(namespaceAllows=[{"name": "a", "fromNamespaceNames": ["m"], "podSelecter": {}}])
    assert parse_error(value) == (
        "firewall.namespaceAllows[0].podSelecter: unknown key; did you mean podSelector?"
    )


def test_a_misspelt_key_is_reported_before_the_required_field_it_leaves_unset() -> None:
    value = config()
    value["tiers"]["ui"]["podLabel"] = value["tiers"]["ui"].pop("podLabels")
    assert parse_error(value) == "firewall.tiers.ui.podLabel: unknown key; did you mean podLabels?"


def test_an_unknown_key_anywhere_is_reported_before_other_errors() -> None:
    value = config(namespace="Guestbook")
    value["tiers"]["db"]["portz"] = [6379]
    assert parse_error(value) == (
        "firewall.tiers.db.portz: unknown key; did you mean ports? (and 1 more error)"
    )


def test_a_snake_case_key_is_suggested_in_snake_case() -> None:
    assert parse_error(config(default_deny={"alow_dns": True})) == (
        "firewall.default_deny.alow_dns: unknown key; did you mean allow_dns?"
    )


def test_snake_case_and_camel_case_are_both_accepted() -> None:
    snake = FirewallConfig.parse(config(default_deny={"allow_dns": False, "egress": True}))
    camel = FirewallConfig.parse(config(defaultDeny={"allowDns": False, "egress": True}))
    assert snake == camel


def test_one_key_in_both_spellings_is_rejected() -> None:
    assert parse_error(config(defaultDeny={"allowDns": True, "allow_dns": False})) == (
        "firewall.defaultDeny.allow_dns: allowDns and allow_dns are the same key; keep one"
    )


def test_a_key_nothing_like_a_field_lists_the_fields() -> None:
    assert parse_error(config(colour="blue")) == (
        "firewall.colour: unknown key (known keys: namespace, defaultDeny, tiers, flows, "
        "ingressController, namespaceAllows, ipBlockAllows, createNamespaces)"
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"/app": "ui"}, "label key '/app' is invalid: prefix part must be non-empty"),
        (
            {"-app": "ui"},
            "label key '-app' is invalid: name part must consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character",
        ),
        (
            {"a/b/c": "ui"},
            "label key 'a/b/c' is invalid: must be a name part with an optional DNS subdomain "
            "prefix and one '/' (e.g. 'example.com/MyName')",
        ),
        (
            {"app": "a b"},
            "label value 'a b' of key 'app' is invalid: must be empty or consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
    ],
)
def test_a_tier_label_breaking_the_kubernetes_rules_is_rejected(
    labels: dict[str, str], message: str
) -> None:
    value = config()
    value["tiers"]["ui"]["podLabels"] = labels
    assert parse_error(value) == f"firewall.tiers.ui.podLabels: {message}"


def test_a_namespace_allow_with_both_sources_is_rejected_at_its_index() -> None:
    value = config(
        namespaceAllows=[
            {"name": "a", "fromNamespaceNames": ["m"]},
            {"name": "b", "fromNamespaceNames": ["m"], "fromNamespaceSelector": {}},
        ]
    )
    assert parse_error(value) == (
        "firewall.namespaceAllows[1]: say which namespaces to admit with exactly one of "
        "fromNamespaceSelector and fromNamespaceNames"
    )


def test_a_default_deny_denying_nothing_is_rejected() -> None:
    assert parse_error(config(defaultDeny={"ingress": False})) == (
        "firewall.defaultDeny: ingress: false and egress: false deny nothing"
    )


def test_an_allowance_named_like_a_flows_policy_is_rejected() -> None:
    value = config(namespaceAllows=[{"name": "allow-ui-to-api", "fromNamespaceNames": ["m"]}])
    assert parse_error(value) == (
        "firewall: two policies would be named guestbook/allow-ui-to-api; rename one"
    )


def test_an_allowance_named_deny_all_is_rejected() -> None:
    value = config(ipBlockAllows=[{"name": "deny-all", "ipBlocks": [{"cidr": "10.0.0.0/8"}]}])
    assert "two policies would be named guestbook/deny-all; rename one" in parse_error(value)


def test_an_allowance_in_another_namespace_may_reuse_a_name() -> None:
    value = config(
        namespaceAllows=[
            {"name": "allow-ui-to-api", "fromNamespaceNames": ["m"], "namespaces": ["other"]}
        ]
    )
    assert "other/allow-ui-to-api" in names(FirewallConfig.parse(value).manifests())


def test_an_invalid_namespace_is_rejected() -> None:
    assert parse_error(config(namespace="Guestbook")).startswith(
        "firewall.namespace: namespace 'Guestbook' is not a valid name"
    )


def test_the_firewall_needs_a_namespace_and_tiers() -> None:
    assert parse_error({"tiers": BLOG["tiers"]}) == "firewall.namespace: Field required"
    assert parse_error({"namespace": "guestbook"}) == "firewall.tiers: Field required"


class FakeConfig:
    """What FirewallConfig.from_pulumi reads of a pulumi.Config."""

    def __init__(self, objects: dict[str, Any]) -> None:
        self.objects = objects
        self.asked: list[str] = []

    def full_key(self, key: str) -> str:
        return f"guestbook:{key}"

    def get_object(self, key: str) -> Any:
        self.asked.append(key)
        return self.objects.get(key)


def test_from_pulumi_reads_the_firewall_object() -> None:
    fake = FakeConfig({"firewall": config()})
    firewall = FirewallConfig.from_pulumi(fake)
    assert fake.asked == ["firewall"]
    assert list(firewall.tiers) == ["ui", "api", "db"]


def test_from_pulumi_reports_errors_under_the_firewall_key() -> None:
    value = config()
    value["tiers"]["ui"]["podLabels"] = {}
    with pytest.raises(SpecError, match=r"^firewall\.tiers\.ui\.podLabels: a tier needs"):
        FirewallConfig.from_pulumi(FakeConfig({"firewall": value}))


def _from_pulumi_with(config: dict[str, str]) -> str:
    """The error FirewallConfig.from_pulumi raises in a program whose stack config is ``config``."""
    errors: list[str] = []

    def program() -> None:
        try:
            FirewallConfig.from_pulumi(pulumi.Config())
        except ConfigError as error:
            errors.append(str(error))

    record(program, "guestbook", "dev", config)
    assert len(errors) == 1
    return errors[0]


def test_from_pulumi_names_a_misspelt_firewall_key() -> None:
    config_ = {"guestbook:firewal": json.dumps(config()), "kubernetes:context": "dev"}
    assert _from_pulumi_with(config_) == (
        "no guestbook:firewall in the stack's config; it has guestbook:firewal: "
        "did you mean guestbook:firewall?"
    )


def test_from_pulumi_names_a_firewall_key_of_another_project() -> None:
    assert _from_pulumi_with({"shop:firewall": json.dumps(config())}) == (
        "no guestbook:firewall in the stack's config; it has shop:firewall, but this project "
        "is 'guestbook' (the name in Pulumi.yaml): rename the key to guestbook:firewall"
    )


def test_from_pulumi_without_a_firewall_says_where_to_put_it() -> None:
    assert _from_pulumi_with({"kubernetes:context": "dev"}) == (
        "no guestbook:firewall in the stack's config (it has kubernetes:context): put the "
        "firewall object under config: guestbook:firewall:"
    )


def test_from_pulumi_refuses_a_firewall_that_is_not_an_object() -> None:
    assert _from_pulumi_with({"guestbook:firewall": "guestbook"}) == (
        "config guestbook:firewall: 'guestbook' is not an object: write the firewall object as "
        "a YAML mapping (namespace:, tiers:, ...)"
    )


def test_from_pulumi_with_an_empty_firewall_says_it_is_empty() -> None:
    assert _from_pulumi_with({"guestbook:firewall": "null"}) == (
        "config guestbook:firewall is empty: write the firewall object under it (namespace:, "
        "tiers:)"
    )


def test_the_missing_firewall_message_suggests_only_near_keys() -> None:
    assert missing_firewall_message("guestbook:firewall", []) == (
        "no guestbook:firewall in the stack's config (it has no keys): put the firewall object "
        "under config: guestbook:firewall:"
    )
    assert missing_firewall_message("guestbook:firewall", ["guestbook:firewalls"]) == (
        "no guestbook:firewall in the stack's config; it has guestbook:firewalls: "
        "did you mean guestbook:firewall?"
    )
