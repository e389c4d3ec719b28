"""lint.exposure: pods no policy isolates, ingress from every address, every namespace and port."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.manifests.cluster_baseline import cluster_baseline_policy
from podfence.reachability import load_cluster
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.exposure import no_default_deny, wide_open
from podfence.reachability.lint.findings import Finding
from podfence.spec import ClusterBaselineSpec
from reachability.helpers import cluster_policy, pod, policy

PODS = [
    pod("shop/web-0", "10.0.0.1", [], app="web"),
    pod("shop/api-0", "10.0.0.2", [], app="api"),
    pod("legacy/app-0", "10.0.0.3", [], app="legacy"),
]


def _open_and_notes(
    *objects: dict[str, Any], scope: set[str] | None = None
) -> tuple[list[Finding], list[str]]:
    cluster = load_cluster([*PODS, *objects])
    return no_default_deny(Basis.build(cluster.policies, cluster.inventory), scope)


def _open(*objects: dict[str, Any], scope: set[str] | None = None) -> list[Finding]:
    return _open_and_notes(*objects, scope=scope)[0]


def _baseline(**spec: Any) -> dict[str, Any]:
    """What podfence's ClusterBaseline writes."""
    return cluster_baseline_policy(ClusterBaselineSpec.parse(spec, root="baseline"))


def _banp(*ingress: dict[str, Any], subject: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = {"subject": subject or {"namespaces": {}}, "ingress": list(ingress)}
    return cluster_policy("BaselineAdminNetworkPolicy", "default", spec)


DENY_EVERY_POD = {"name": "deny-pods", "action": "Deny", "from": [{"namespaces": {}}]}


def _wide(*rules: dict[str, Any], direction: str = "ingress") -> list[Finding]:
    spec = {"podSelector": {}, "policyTypes": [direction.capitalize()], direction: list(rules)}
    return wide_open(load_cluster([policy("shop/p", spec)]).policies)


def test_a_namespace_without_any_policy_has_no_default_deny() -> None:
    deny = policy("shop/deny-all", {"podSelector": {}})
    (finding,) = _open(deny)
    assert (finding.check.name, finding.where, finding.pods) == (
        "no-default-deny",
        "namespace legacy",
        ("legacy/app-0",),
    )
    assert finding.why == (
        "namespace legacy has no NetworkPolicy: its pod accepts connections from everywhere "
        "(legacy/app-0)"
    )


def test_pods_no_policy_selects_for_ingress_are_counted_per_namespace() -> None:
    web_only = policy("shop/web", {"podSelector": {"matchLabels": {"app": "web"}}})
    egress = policy("shop/egress", {"podSelector": {}, "policyTypes": ["Egress"]})
    shop = [f for f in _open(web_only, egress) if f.namespace == "shop"]
    assert shop[0].why == (
        "namespace shop has 2 NetworkPolicies, but none selects 1 of its 2 pods with Ingress in "
        "its policyTypes, so it accepts connections from everywhere: shop/api-0"
    )


def test_namespaces_out_of_scope_and_isolated_ones_are_clean() -> None:
    deny = policy("shop/deny-all", {"podSelector": {}})
    assert _open(deny, scope={"shop"}) == []
    assert _open(deny, policy("legacy/deny-all", {"podSelector": {}})) == []


@pytest.mark.parametrize("api", ["v1alpha1", "v1alpha2"])
def test_a_cluster_baseline_is_a_default_deny_for_namespaces_without_network_policies(
    api: str,
) -> None:
    deny = policy("shop/deny-all", {"podSelector": {}})
    findings, (note,) = _open_and_notes(deny, _baseline(api=api))
    assert findings == []
    assert note == (
        "no-default-deny takes the pods of legacy that no NetworkPolicy isolates for ingress as "
        "covered: a cluster-wide rule decides what a pod no rule names sends them; no "
        "cluster-wide ingress rule matches an address outside the cluster (its peers are pods), "
        "so those pods accept connections from outside the cluster unless a NetworkPolicy "
        "isolates them"
    )


def test_a_namespace_the_cluster_baseline_leaves_out_has_no_default_deny() -> None:
    deny = policy("shop/deny-all", {"podSelector": {}})
    (finding,) = _open(deny, _baseline(excludeNamespaces=["legacy"]))
    assert finding.where == "namespace legacy"
    assert finding.why == (
        "namespace legacy has no NetworkPolicy, and no cluster-wide policy denies ingress to it "
        "by default: nothing decides a connection from a pod no rule names to legacy/app-0 on "
        "1/TCP, so it accepts what no rule denies: legacy/app-0"
    )
    assert finding.fix == (
        "add a default deny to namespace legacy: a NetworkPolicy with podSelector: {} and "
        "policyTypes: [Ingress] (podfence's DefaultDeny), or a Baseline-tier Deny of ingress "
        "from every pod whose subject selects the namespace (podfence's ClusterBaseline); then "
        "allow what each pod needs"
    )


def test_a_deny_of_some_ports_or_of_some_namespaces_only_is_no_default_deny() -> None:
    some_ports = {**DENY_EVERY_POD, "ports": [{"portRange": {"start": 1, "end": 1024}}]}
    (finding,) = _open(_banp(some_ports), scope={"legacy"})
    assert "to legacy/app-0 on 1025/TCP," in finding.why
    team = {"action": "Deny", "from": [{"namespaces": {"matchLabels": {"team": "batch"}}}]}
    assert [f.where for f in _open(_banp(team))] == ["namespace legacy", "namespace shop"]


def test_a_deny_of_every_namespace_but_some_is_a_default_deny_with_exceptions() -> None:
    but_monitoring = {
        "action": "Deny",
        "from": [
            {
                "namespaces": {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.io/metadata.name",
                            "operator": "NotIn",
                            "values": ["monitoring"],
                        }
                    ]
                }
            }
        ],
    }
    allow_first = {"action": "Allow", "from": [{"namespaces": {"matchLabels": {"team": "ops"}}}]}
    assert _open(_banp(but_monitoring)) == []
    assert _open(_banp(allow_first, DENY_EVERY_POD)) == []


def test_pods_the_baselines_subject_leaves_out_are_counted() -> None:
    web = {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "web"}}}}
    web_policy = policy("shop/web", {"podSelector": {"matchLabels": {"app": "web"}}})
    api_only = [
        f for f in _open(web_policy, _banp(DENY_EVERY_POD, subject=web)) if f.namespace == "shop"
    ]
    (finding,) = api_only
    assert finding.pods == ("shop/api-0",)
    assert finding.why.startswith(
        "namespace shop has 1 NetworkPolicy, but none selects 1 of its 2 pods with Ingress in "
        "its policyTypes, and no cluster-wide policy denies ingress to it by default"
    )


def test_an_admin_tier_deny_of_every_pod_is_a_default_deny_and_a_pass_is_not() -> None:
    def anp(action: str) -> dict[str, Any]:
        rule = {"name": "all-pods", "action": action, "from": [{"namespaces": {}}]}
        spec = {"priority": 20, "subject": {"namespaces": {}}, "ingress": [rule]}
        return cluster_policy("AdminNetworkPolicy", "platform", spec)

    assert _open(anp("Deny")) == []
    assert _open(anp("Allow")) == [], "an explicit allow decides: no default at all"
    passed = _open(anp("Pass"), scope={"legacy"})
    assert passed[0].why == (
        "namespace legacy has no NetworkPolicy, and no cluster-wide policy denies ingress to it "
        "by default: nothing decides a connection from a pod no rule names to legacy/app-0 on "
        '1/TCP (AdminNetworkPolicy platform (Admin tier, priority 20), ingress rule 0 "all-pods" '
        "passes it to the NetworkPolicies, and none isolates legacy/app-0), so it accepts what "
        "no rule denies: legacy/app-0"
    )


def test_an_ip_block_of_every_address_is_ingress_from_anywhere_excepts_or_not() -> None:
    (finding,) = _wide(
        {
            "from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
            "ports": [{"port": 443}],
        }
    )
    assert (finding.check.name, finding.where) == (
        "ingress-from-anywhere",
        "shop/p ingress rule 0, peer 0",
    )
    assert finding.why == (
        "peer 0 (0.0.0.0/0) admits every IPv4 address (its except entries keep out only "
        "10.0.0.0/8), on 443/TCP: the whole internet can connect"
    )
    (v6,) = _wide({"from": [{"ipBlock": {"cidr": "::/0"}}], "ports": [{"port": 443}]})
    assert "every IPv6 address" in v6.why


def test_ip_blocks_that_together_span_a_family_are_ingress_from_anywhere() -> None:
    halves = [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]
    (finding,) = _wide({"from": halves, "ports": [{"port": 443}]})
    assert finding.peer is None
    assert finding.why.startswith(
        "peer 0 (0.0.0.0/1), peer 1 (128.0.0.0/1) together admit every IPv4 address"
    )


def test_a_rule_without_from_is_ingress_from_anywhere_once() -> None:
    (finding,) = _wide({"ports": [{"port": 80}]})
    assert finding.check.name == "ingress-from-anywhere"
    assert finding.why.startswith("it has no from, so it admits every source")
    (everything,) = _wide({})  # no from, no ports: one finding, not two
    assert everything.check.name == "ingress-from-anywhere"
    assert "on any port" in everything.why


def test_narrower_blocks_and_egress_to_anywhere_are_not_ingress_from_anywhere() -> None:
    assert _wide({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}) == []
    assert (
        _wide(
            {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]},
            direction="egress",
        )
        == []
    )


def test_every_pod_of_every_namespace_on_every_port_is_found_in_either_direction() -> None:
    (ingress,) = _wide(
        {"from": [{"podSelector": {"matchLabels": {"a": "b"}}}, {"namespaceSelector": {}}]}
    )
    assert (ingress.check.name, ingress.where) == (
        "all-namespaces-all-ports",
        "shop/p ingress rule 0, peer 1",
    )
    assert ingress.why == (
        "peer 1 (all pods in all namespaces) admits every pod of every namespace, on every port "
        "of every protocol (no ports)"
    )
    (egress,) = _wide({}, direction="egress")
    assert egress.why.startswith("it has no to, so it admits every pod of every namespace")
    every_protocol = {"ports": [{"protocol": p} for p in ("TCP", "UDP", "SCTP")]}
    (spelled,) = _wide({"from": [{"namespaceSelector": {}, "podSelector": {}}], **every_protocol})
    assert spelled.check.name == "all-namespaces-all-ports"


def test_some_namespaces_some_pods_or_some_ports_are_clean() -> None:
    assert _wide({"from": [{"namespaceSelector": {"matchLabels": {"team": "a"}}}]}) == []
    assert (
        _wide({"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "p"}}}]})
        == []
    )
    tcp_80 = {"ports": [{"port": 80}, {"protocol": "UDP", "port": 1, "endPort": 65534}]}
    assert _wide({"from": [{"namespaceSelector": {}}], **tcp_80}) == []


def test_every_port_of_one_protocol_is_enough_and_the_finding_says_which() -> None:
    (tcp,) = _wide({"from": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP"}]})
    assert tcp.why.endswith("on every TCP port (ports[0] has no port)")
    halves = [{"port": 1, "endPort": 32767}, {"port": 32768, "endPort": 65535}]
    (ranges,) = _wide({"to": [{"namespaceSelector": {}}], "ports": halves}, direction="egress")
    assert ranges.why.endswith("on every TCP port (ports[0], ports[1] together cover 1-65535)")


def test_a_namespace_selector_on_the_name_label_existing_is_every_namespace() -> None:
    exists = {"key": "kubernetes.io/metadata.name", "operator": "Exists"}
    (finding,) = _wide({"from": [{"namespaceSelector": {"matchExpressions": [exists]}}]})
    assert (finding.check.name, finding.peer) == ("all-namespaces-all-ports", 0)
