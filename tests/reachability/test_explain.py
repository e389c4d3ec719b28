"""explain(): a verdict in words."""

from __future__ import annotations

import pytest
from podfence.config import FirewallConfig
from podfence.reachability import explain, read_objects
from reachability.engine import Engine
from reachability.helpers import ADMIN_TIER, FIXTURES, cluster_policy, namespace, pod, policy


@pytest.fixture(scope="module")
def guestbook() -> Engine:
    return Engine(read_objects([FIXTURES / "guestbook"]))


def test_an_allowed_flow_lists_the_rules_that_allow_it(guestbook: Engine) -> None:
    text = explain(guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080))
    assert text.splitlines() == [
        "guestbook/ui-0 -> guestbook/api-0 on 8080/TCP: allowed",
        "  ingress at guestbook/api-0: allowed: guestbook/api-0 is isolated for ingress by "
        "guestbook/deny-all, guestbook/allow-ui-to-api; allowed by:",
        "    - guestbook/allow-ui-to-api ingress rule 0: from pods app=ui,tier=frontend in "
        "namespace guestbook on port api/TCP",
        "  egress at guestbook/ui-0: allowed: guestbook/ui-0 is isolated for egress by "
        "guestbook/deny-all, guestbook/egress-tiers; allowed by:",
        "    - guestbook/egress-tiers egress rule 0: to pods tier=backend in namespace guestbook "
        "on 8000-8100/TCP",
    ]


def test_a_denied_flow_says_which_policies_isolate_and_why_no_rule_admits(
    guestbook: Engine,
) -> None:
    text = explain(guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432))
    lines = text.splitlines()
    assert lines[0] == "guestbook/ui-0 -> guestbook/db-0 on 5432/TCP: denied"
    assert lines[1] == (
        "  ingress at guestbook/db-0: denied: guestbook/db-0 is isolated for ingress by "
        "guestbook/deny-all, guestbook/allow-api-to-db; none of their ingress rules admits "
        "guestbook/ui-0:"
    )
    assert "    - guestbook/deny-all has no ingress rules" in lines
    assert (
        "    - guestbook/allow-api-to-db ingress rule 0: from pods app=api in namespace guestbook "
        "on 5432/TCP: guestbook/ui-0 does not match pods app=api in namespace guestbook"
    ) in lines


def test_a_direction_without_isolation_is_said_to_allow_everything(guestbook: Engine) -> None:
    text = explain(guestbook.evaluate("monitoring/prom-0", "kube-system/coredns-0", 53, "UDP"))
    assert (
        "ingress at kube-system/coredns-0: allowed: no policy selects kube-system/coredns-0" in text
    )
    assert (
        "egress at monitoring/prom-0: allowed: no policy selects monitoring/prom-0 for egress"
        in text
    )


def test_an_external_source_has_no_egress_side(guestbook: Engine) -> None:
    text = explain(guestbook.evaluate("10.1.2.3", "guestbook/ui-0", 80))
    assert text.splitlines()[0] == "10.1.2.3 -> guestbook/ui-0 on 80/TCP: denied"
    assert (
        "does not match 0.0.0.0/0 except 10.0.0.0/8 or all pods in namespaces purpose=monitoring"
        in text
    )
    assert "egress at 10.1.2.3: not applicable" in text


def test_a_destination_outside_the_cluster_has_no_ingress_side(guestbook: Engine) -> None:
    lines = explain(guestbook.evaluate("guestbook/ui-0", "203.0.113.9", 443)).splitlines()
    assert lines[:2] == [
        "guestbook/ui-0 -> 203.0.113.9 on 443/TCP: denied",
        "  ingress at 203.0.113.9: not applicable: 203.0.113.9 is outside the cluster, so no "
        "ingress policy applies to it",
    ]
    assert lines[2] == (
        "  egress at guestbook/ui-0: denied: guestbook/ui-0 is isolated for egress by "
        "guestbook/deny-all, guestbook/egress-tiers; none of their egress rules admits 203.0.113.9:"
    )
    assert "    - guestbook/deny-all has no egress rules" in lines


def test_an_address_source_side_reads_not_applicable(guestbook: Engine) -> None:
    lines = explain(guestbook.evaluate("203.0.113.9", "guestbook/ui-0", 80)).splitlines()
    assert lines[-1] == (
        "  egress at 203.0.113.9: not applicable: 203.0.113.9 is outside the cluster, so no "
        "egress policy applies to it"
    )


def test_one_isolating_policy_reads_its_rules_several_read_their_rules() -> None:
    deny_external = policy(
        "default/deny-external-egress",
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"namespaceSelector": {}}]}],
        },
    )
    engine = Engine([pod("default/test", "10.0.0.5"), deny_external])
    lines = explain(engine.evaluate("default/test", "93.184.216.34", 80)).splitlines()
    assert lines == [
        "default/test -> 93.184.216.34 on 80/TCP: denied",
        "  ingress at 93.184.216.34: not applicable: 93.184.216.34 is outside the cluster, so no "
        "ingress policy applies to it",
        "  egress at default/test: denied: default/test is isolated for egress by "
        "default/deny-external-egress; none of its egress rules admits 93.184.216.34:",
        "    - default/deny-external-egress egress rule 0: to all pods in all namespaces on any "
        "port: 93.184.216.34 does not match all pods in all namespaces",
    ]


PUBLIC_INTERNET = (
    "the public internet (0.0.0.0/0 and ::/0 except private, shared, loopback, link-local, "
    "multicast and reserved ranges)"
)


@pytest.fixture(scope="module")
def calls_apis() -> Engine:
    """shop/payments may reach the public internet on 443 and, under egress denial, DNS."""
    config = FirewallConfig.parse(
        {
            "namespace": "shop",
            "defaultDeny": {"egress": True},
            "tiers": {
                "web": {"podLabels": {"app": "web"}, "ports": [8080]},
                "payments": {"podLabels": {"app": "payments"}, "ports": [9000]},
            },
            "flows": [{"from": "web", "to": "payments"}],
            "ipBlockAllows": [
                {
                    "name": "allow-public-internet",
                    "podSelector": {"matchLabels": {"app": "payments"}},
                    "to": "public-internet",
                    "ports": [443],
                }
            ],
        }
    )
    pods = [
        pod("shop/web", "10.244.1.5", [{"containerPort": 8080}], app="web"),
        pod("shop/payments", "10.244.1.6", [{"containerPort": 9000}], app="payments"),
    ]
    return Engine([namespace("shop"), *pods, *config.manifests()])


@pytest.mark.parametrize("destination", ["8.8.8.8", "1.1.1.1", "2606:4700::1111"])
def test_egress_to_the_public_internet_is_explained_by_name(
    calls_apis: Engine, destination: str
) -> None:
    verdict = calls_apis.evaluate("shop/payments", destination, 443)
    assert verdict.allowed
    assert (
        f"    - shop/allow-public-internet egress rule 0: to {PUBLIC_INTERNET} on 443/TCP"
        in explain(verdict).splitlines()
    )


@pytest.mark.parametrize(
    ("destination", "why"),
    [
        ("10.0.0.5", "10.0.0.5 does not match {}: it is excluded as private (10.0.0.0/8)"),
        (
            "169.254.169.254",
            "169.254.169.254 does not match {}: it is excluded as link-local (169.254.0.0/16, "
            "cloud metadata included)",
        ),
        ("100.64.3.4", "100.64.3.4 does not match {}: it is excluded as shared (100.64.0.0/10)"),
        (
            "10.244.1.5",
            "shop/web does not match {}: its IP 10.244.1.5 is excluded as private (10.0.0.0/8)",
        ),
    ],
)
def test_egress_outside_the_public_internet_says_which_range_excludes_it(
    calls_apis: Engine, destination: str, why: str
) -> None:
    verdict = calls_apis.evaluate("shop/payments", destination, 443)
    assert not verdict.allowed
    assert (
        f"    - shop/allow-public-internet egress rule 0: to {PUBLIC_INTERNET} on 443/TCP: "
        + why.format(PUBLIC_INTERNET)
    ) in explain(verdict).splitlines()


def test_the_public_internet_on_another_port_is_denied_for_the_port_alone(
    calls_apis: Engine,
) -> None:
    verdict = calls_apis.evaluate("shop/payments", "8.8.8.8", 80)
    assert not verdict.allowed
    assert (
        f"    - shop/allow-public-internet egress rule 0: to {PUBLIC_INTERNET} on 443/TCP: "
        "80/TCP does not match 443/TCP"
    ) in explain(verdict).splitlines()


def test_the_matrix_agrees_with_evaluate_on_the_public_internet() -> None:
    config = FirewallConfig.parse(
        {
            "namespace": "shop",
            "defaultDeny": {"egress": True},
            "tiers": {"api": {"podLabels": {"app": "api"}, "ports": [9000]}},
            "ipBlockAllows": [{"name": "allow-apis", "to": "public-internet", "ports": [443]}],
        }
    )
    externals = ["8.8.8.8", "10.0.0.5", "169.254.169.254", "224.0.0.1", "2606:4700::1111", "::1"]
    engine = Engine(
        [namespace("shop"), pod("shop/api", "10.244.1.7", app="api"), *config.manifests()],
        externals,
    )
    allowed = {
        (flow.destination, flow.port)
        for flow in engine.matrix(allowed_only=True)
        if flow.source == "shop/api"
    }
    assert {(address, 443) for address in ("8.8.8.8", "2606:4700::1111")} <= allowed
    for address in externals:
        expected = engine.evaluate("shop/api", address, 443).allowed
        assert ((address, 443) in allowed) == expected, address


# -- the tiers around the NetworkPolicies -------------------------------------------------------


@pytest.fixture(scope="module")
def admin_tier() -> Engine:
    return Engine(read_objects([ADMIN_TIER]))


def test_an_admin_tier_deny_names_the_policy_its_tier_priority_and_rule(admin_tier: Engine) -> None:
    lines = explain(admin_tier.evaluate("monitoring/prometheus", "guestbook/db", 6379)).splitlines()
    assert lines[:2] == [
        "monitoring/prometheus -> guestbook/db on 6379/TCP: denied",
        "  ingress at guestbook/db: denied by AdminNetworkPolicy deny-db-from-monitoring (Admin "
        'tier, priority 10), ingress rule 0 "deny-monitoring": from all pods in namespace '
        "monitoring on any port",
    ]


def test_a_pass_is_said_before_what_the_network_policies_decide(admin_tier: Engine) -> None:
    lines = explain(admin_tier.evaluate("guestbook/ui", "guestbook/db", 6379)).splitlines()
    assert lines[1:4] == [
        "  ingress at guestbook/db: passed by AdminNetworkPolicy guestbook-decides-within "
        '(Admin tier, priority 20), ingress rule 0 "pass-guestbook" to the NetworkPolicies: from '
        "all pods in namespace guestbook on any port",
        "  ingress at guestbook/db: allowed: guestbook/db is isolated for ingress by "
        "guestbook/allow-ui-to-db, guestbook/allow-monitoring; allowed by:",
        "    - guestbook/allow-ui-to-db ingress rule 0: from pods app=ui in namespace guestbook "
        "on port redis/TCP",
    ]


def test_a_baseline_decision_says_no_network_policy_selects_the_pod(admin_tier: Engine) -> None:
    lines = explain(admin_tier.evaluate("guestbook/ui", "sandbox/scratch", 8080)).splitlines()
    assert lines[1] == (
        "  ingress at sandbox/scratch: denied by BaselineAdminNetworkPolicy default (Baseline "
        'tier), ingress rule 0 "deny-from-pods": from all pods in all namespaces on any port (no '
        "NetworkPolicy selects sandbox/scratch for ingress)"
    )


def test_a_baseline_pass_says_nothing_else_decides() -> None:
    spec = {
        "tier": "Baseline",
        "priority": 3,
        "subject": {"namespaces": {}},
        "egress": [{"name": "out", "action": "Pass", "to": [{"networks": ["0.0.0.0/0"]}]}],
    }
    engine = Engine(
        [pod("a/x", "10.0.0.1"), cluster_policy("ClusterNetworkPolicy", "let-out", spec)]
    )
    lines = explain(engine.evaluate("a/x", "192.0.2.1", 443)).splitlines()
    assert lines[-1] == (
        "  egress at a/x: allowed: passed by ClusterNetworkPolicy let-out (Baseline tier, "
        'priority 3), egress rule 0 "out" past the Baseline tier, where nothing else decides: to '
        "0.0.0.0/0 on any port (no NetworkPolicy selects a/x for egress)"
    )


def test_an_admin_pass_to_pods_no_network_policy_isolates_reads_as_before() -> None:
    pass_only = Engine(
        [
            pod("a/x", "10.0.0.1"),
            pod("a/y", "10.0.0.2"),
            cluster_policy(
                "AdminNetworkPolicy",
                "hand-on",
                {
                    "priority": 1,
                    "subject": {"namespaces": {}},
                    "ingress": [{"action": "Pass", "from": [{"namespaces": {}}]}],
                },
            ),
        ]
    )
    assert explain(pass_only.evaluate("a/x", "a/y", 80)).splitlines()[1:3] == [
        "  ingress at a/y: passed by AdminNetworkPolicy hand-on (Admin tier, priority 1), "
        "ingress rule 0 to the NetworkPolicies: from all pods in all namespaces on any port",
        "  ingress at a/y: allowed: no policy selects a/y for ingress, so it is not isolated for "
        "ingress",
    ]


def test_a_rule_of_a_policy_sharing_its_priority_is_noted_as_undefined_order() -> None:
    def deny(name: str) -> dict[str, object]:
        spec = {
            "priority": 7,
            "subject": {"namespaces": {}},
            "ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}],
        }
        return cluster_policy("AdminNetworkPolicy", name, spec)

    engine = Engine([pod("a/x", "10.0.0.1"), pod("a/y", "10.0.0.2"), deny("b"), deny("a")])
    verdict = engine.evaluate("a/x", "a/y", 80)
    assert verdict.ties_of("ingress") == ("AdminNetworkPolicy b",)
    assert verdict.ties_of("egress") == ()
    assert explain(verdict).splitlines()[2] == (
        "  note: the ingress rule's policy shares its tier and priority with AdminNetworkPolicy "
        "b: the API leaves their order undefined; podfence evaluates them by name, a cluster "
        "may not"
    )


def test_a_cluster_wide_rule_that_read_assumed_namespace_labels_adds_assumption_lines() -> None:
    unlabelled = {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}
    spec = {
        "priority": 4,
        "subject": {"namespaces": unlabelled},
        "ingress": [{"name": "fence", "action": "Deny", "from": [{"namespaces": unlabelled}]}],
    }
    engine = Engine(
        [
            pod("a/x", "10.0.0.1"),
            pod("b/y", "10.0.0.2"),
            cluster_policy("AdminNetworkPolicy", "fence", spec),
        ]
    )
    verdict = engine.evaluate("b/y", "a/x", 80)
    assert [(a.namespace, [str(rule) for rule in a.rules]) for a in verdict.assumptions()] == [
        ("b", ['AdminNetworkPolicy fence (Admin tier, priority 4), ingress rule 0 "fence"']),
        ("a", ['AdminNetworkPolicy fence (Admin tier, priority 4), ingress rule 0 "fence"']),
    ]
    assert explain(verdict).splitlines()[-2:] == [
        "  assumption: namespace b is not in the inventory; its labels were taken to be only "
        "kubernetes.io/metadata.name=b",
        "  assumption: namespace a is not in the inventory; its labels were taken to be only "
        "kubernetes.io/metadata.name=a",
    ]


def test_a_cluster_wide_rule_that_reads_only_namespace_names_assumes_nothing() -> None:
    named = {"matchLabels": {"kubernetes.io/metadata.name": "a"}}
    spec = {
        "tier": "Baseline",
        "priority": 1,
        "subject": {"pods": {"namespaceSelector": named, "podSelector": {}}},
        "egress": [{"action": "Deny", "to": [{"namespaces": {}}]}],
    }
    engine = Engine(
        [
            pod("a/x", "10.0.0.1"),
            pod("b/y", "10.0.0.2"),
            cluster_policy("ClusterNetworkPolicy", "out", spec),
        ]
    )
    verdict = engine.evaluate("a/x", "b/y", 80)
    assert verdict.egress is not None and verdict.egress.decided_by is not None
    assert verdict.assumptions() == ()
    assert "assumption" not in explain(verdict)
