"""namespaces-have-default-deny: a namespace that gets workloads and has no default deny is caught."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.components import ClusterBaseline
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.default_deny import POLICY
from policy_pack.harness import cluster_policy, deployment, network_policy, program, violations

DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress"]}
WEB = {"app": "web"}
ALLOW_WEB = {
    "podSelector": {"matchLabels": WEB},
    "policyTypes": ["Ingress"],
    "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 8080}]}],
}


def _shop(
    *policies: tuple[str, dict[str, Any]], baseline: dict[str, Any] | None = None
) -> list[RecordedResource]:
    def build() -> None:
        deployment("shop", "web", WEB)
        deployment("shop", "api", {"app": "api"})
        for name, spec in policies:
            network_policy("shop", name, spec)
        if baseline is not None:
            ClusterBaseline("baseline", baseline)

    return program(build)


def _with(kind: str, spec: dict[str, Any], name: str = "default") -> list[RecordedResource]:
    def build() -> None:
        deployment("shop", "web", WEB)
        deployment("shop", "api", {"app": "api"})
        cluster_policy(kind, name, spec)

    return program(build)


EVERY_POD = [{"namespaces": {}}]


def _urn(resources: list[RecordedResource], name: str) -> str:
    return next(r.urn for r in resources if r.name == name)


def test_a_namespace_with_workloads_and_only_allows_is_caught_at_its_first_workload() -> None:
    resources = _shop(("allow-web", ALLOW_WEB))
    [(message, urn)] = violations(POLICY, resources)
    assert message == (
        "namespace shop gets workloads (Deployment shop/api, Deployment shop/web) but no "
        "NetworkPolicy of it denies ingress by default: add one that selects every pod "
        "(podSelector: {}), lists Ingress in policyTypes and has no ingress rules, so that only "
        'what other policies allow gets in (podfence: DefaultDeny("shop", {"namespaces": '
        '["shop"]})).'
    )
    assert urn == _urn(resources, "shop-api")


@pytest.mark.parametrize(
    "spec",
    [
        DENY_ALL,
        {"podSelector": {}},  # policyTypes absent: Ingress, as the API server defaults them
        {"podSelector": {"matchLabels": {}}, "policyTypes": ["Ingress", "Egress"], "ingress": []},
    ],
)
def test_a_policy_selecting_every_pod_with_no_ingress_rules_is_a_default_deny(
    spec: dict[str, Any],
) -> None:
    assert violations(POLICY, _shop(("allow-web", ALLOW_WEB), ("deny-all", spec))) == []


def test_a_policy_selecting_every_pod_that_allows_something_is_named_as_no_default_deny() -> None:
    allow_all = {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}
    [(message, _)] = violations(POLICY, _shop(("allow-all", allow_all)))
    assert message.endswith(
        "shop/allow-all selects every pod for ingress but has ingress rules: it allows, so it is "
        "not a default deny."
    )


def test_a_deny_of_some_pods_or_of_egress_only_is_no_default_deny_for_ingress() -> None:
    some = {"podSelector": {"matchLabels": WEB}, "policyTypes": ["Ingress"]}
    egress = {"podSelector": {}, "policyTypes": ["Egress"]}
    assert len(violations(POLICY, _shop(("deny-web", some), ("deny-egress", egress)))) == 1


def test_with_egress_configured_a_default_deny_for_egress_is_required_too() -> None:
    resources = _shop(("deny-all", DENY_ALL))
    [(message, _)] = violations(POLICY, resources, {"egress": True})
    assert message.startswith(
        "namespace shop gets workloads (Deployment shop/api, Deployment shop/web) but no "
        "NetworkPolicy of it denies egress by default: add one that selects every pod "
        "(podSelector: {}), lists Egress in policyTypes and has no egress rules"
    )
    assert message.endswith(
        '(podfence: DefaultDeny("shop", {"namespaces": ["shop"], "egress": True})).'
    )
    both = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert violations(POLICY, _shop(("deny-all", both)), {"egress": True}) == []


def test_configured_namespaces_are_required_and_exempt_ones_are_not() -> None:
    resources = _shop(("deny-all", DENY_ALL))
    [(message, urn)] = violations(POLICY, resources, {"namespaces": ["payments"]})
    assert message.startswith(
        "namespace payments is named in the policy config's namespaces but no NetworkPolicy"
    )
    assert urn is None
    assert violations(POLICY, _shop(), {"exemptNamespaces": ["shop"]}) == []


def test_a_workload_without_a_namespace_is_in_default() -> None:
    resources = program(lambda: deployment("", "web", WEB))
    [(message, _)] = violations(POLICY, resources)
    assert message.startswith("namespace default gets workloads (Deployment default/web)")


def test_a_bad_namespace_in_the_config_is_reported_naming_the_field() -> None:
    [(message, _)] = violations(POLICY, _shop(), {"namespaces": ["Shop"]})
    assert message.startswith("policy config namespaces-have-default-deny.namespaces: namespace")
    assert "'Shop' is not a valid name" in message


def test_the_guestbook_denies_by_default_in_its_namespace_and_egress_in_prod(
    guestbook: dict[str, list[RecordedResource]],
) -> None:
    for stack, resources in guestbook.items():
        assert violations(POLICY, resources) == [], stack  # no workloads: nothing required
        assert violations(POLICY, resources, {"namespaces": ["guestbook"]}) == [], stack
    assert (
        violations(POLICY, guestbook["prod"], {"namespaces": ["guestbook"], "egress": True}) == []
    )
    [(message, _)] = violations(
        POLICY, guestbook["dev"], {"namespaces": ["guestbook"], "egress": True}
    )
    assert message.startswith("namespace guestbook is named in the policy config's namespaces")
    assert "denies egress by default" in message


def test_the_shop_denies_both_directions_in_its_three_namespaces(
    shop: list[RecordedResource],
) -> None:
    config = {"namespaces": ["web", "cart", "payments"], "egress": True}
    assert violations(POLICY, shop, config) == []


@pytest.mark.parametrize("api", ["v1alpha1", "v1alpha2"])
def test_a_cluster_baseline_is_a_default_deny_for_the_namespaces_it_covers(api: str) -> None:
    assert violations(POLICY, _shop(baseline={"api": api})) == []
    assert violations(POLICY, _shop(baseline={"api": api, "egress": True}), {"egress": True}) == []
    [(message, _)] = violations(POLICY, _shop(baseline={"api": api}), {"egress": True})
    assert "denies egress by default" in message


def test_a_namespace_the_cluster_baseline_leaves_out_is_caught_with_why() -> None:
    [(message, _)] = violations(POLICY, _shop(baseline={"excludeNamespaces": ["shop"]}))
    assert message.startswith("namespace shop gets workloads")
    assert message.endswith(
        "No cluster-wide policy denies ingress for every pod of it by default either: no "
        "cluster-wide rule decides a connection from a pod no rule names to a pod of shop on "
        "1/TCP."
    )


def test_an_egress_baseline_that_keeps_dns_is_still_a_default_deny_for_egress() -> None:
    resources = _shop(("deny-all", DENY_ALL), baseline={"ingress": False, "egress": True})
    assert violations(POLICY, resources, {"egress": True}) == []


def test_an_admin_tier_deny_of_every_pod_is_a_default_deny() -> None:
    spec = {
        "priority": 5,
        "subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}},
        "ingress": [{"name": "deny-all", "action": "Deny", "from": EVERY_POD}],
    }
    assert violations(POLICY, _with("AdminNetworkPolicy", spec, "shop-closed")) == []


def test_an_allow_of_every_pod_first_or_a_deny_of_some_pods_is_no_default_deny() -> None:
    allow_first = {
        "subject": {"namespaces": {}},
        "ingress": [
            {"name": "everyone", "action": "Allow", "from": EVERY_POD},
            {"name": "deny", "action": "Deny", "from": EVERY_POD},
        ],
    }
    [(message, _)] = violations(POLICY, _with("BaselineAdminNetworkPolicy", allow_first))
    assert message.endswith(
        "either: a connection from a pod no rule names to a pod of shop on 1/TCP is allowed by "
        'BaselineAdminNetworkPolicy default (Baseline tier), ingress rule 0 "everyone".'
    )
    web_only = {
        "subject": {
            "pods": {
                "namespaceSelector": {},
                "podSelector": {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]},
            }
        },
        "ingress": [{"name": "deny", "action": "Deny", "from": EVERY_POD}],
    }
    [(message, _)] = violations(POLICY, _with("BaselineAdminNetworkPolicy", web_only))
    assert message.endswith(
        'either: BaselineAdminNetworkPolicy default (Baseline tier), ingress rule 0 "deny" '
        "denies it for the pods its subject selects only (pods !app in all namespaces)."
    )
