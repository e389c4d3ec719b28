"""Cluster-wide policies compiled: what a rule matches, how it reads, and the tiers' order."""

from __future__ import annotations

import ipaddress
from typing import Any

from podfence.reachability.admin import ClusterPolicy, in_precedence
from podfence.reachability.admin_loader import parse_cluster_policy
from podfence.reachability.model import External, Pod
from podfence.reachability.ports import ContainerPort
from podfence.reachability.traffic import Traffic
from reachability.helpers import cluster_policy

WEB = Pod(
    "shop",
    "web",
    {"app": "web"},
    ports=(ContainerPort(80, "TCP", "http"),),
    namespace_labels={"kubernetes.io/metadata.name": "shop"},
)
DB = Pod(
    "shop",
    "db",
    {"app": "db"},
    ports=(ContainerPort(5432, "TCP", "pg"),),
    namespace_labels={"kubernetes.io/metadata.name": "shop"},
)


def anp(name: str, priority: int, **spec: Any) -> ClusterPolicy:
    return parse_cluster_policy(
        cluster_policy(
            "AdminNetworkPolicy",
            name,
            {"priority": priority, "subject": {"namespaces": {}}, **spec},
        )
    )


def cnp(name: str, tier: str, priority: int) -> ClusterPolicy:
    spec = {"tier": tier, "priority": priority, "subject": {"namespaces": {}}}
    return parse_cluster_policy(cluster_policy("ClusterNetworkPolicy", name, spec))


def address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


BANP = parse_cluster_policy(
    cluster_policy("BaselineAdminNetworkPolicy", "default", {"subject": {"namespaces": {}}})
)


def test_a_rule_matches_a_peer_and_a_port_and_names_a_port_on_the_destination() -> None:
    policy = anp(
        "deny-web",
        5,
        ingress=[
            {
                "name": "web-from-db",
                "action": "Deny",
                "from": [
                    {
                        "pods": {
                            "namespaceSelector": {},
                            "podSelector": {"matchLabels": {"app": "db"}},
                        }
                    }
                ],
                "ports": [{"namedPort": "http"}, {"portRange": {"start": 8000, "end": 8100}}],
            }
        ],
    )
    (rule,) = policy.ingress
    assert rule.admits(Traffic(DB, WEB, 80, "TCP")), "http is 80/TCP on web"
    assert rule.admits(Traffic(DB, WEB, 8050, "TCP")), "inside the range"
    assert not rule.admits(Traffic(DB, WEB, 80, "UDP")), "http is TCP"
    assert not rule.admits(Traffic(WEB, DB, 5432, "TCP")), "web is no peer"
    assert not rule.admits(Traffic(External(address("10.0.0.1")), WEB, 80, "TCP"))
    assert rule.describe() == ("from pods app=db in all namespaces on port http, 8000-8100/TCP")
    assert rule.ref.describe() == (
        'AdminNetworkPolicy deny-web (Admin tier, priority 5), ingress rule 0 "web-from-db": '
        "from pods app=db in all namespaces on port http, 8000-8100/TCP"
    )


def test_an_egress_rule_matches_the_destination_and_no_ports_means_any_port() -> None:
    policy = anp(
        "out",
        1,
        egress=[{"action": "Allow", "to": [{"networks": ["10.0.0.0/8"]}, {"nodes": {}}]}],
    )
    (rule,) = policy.egress
    assert rule.admits(Traffic(WEB, External(address("10.1.2.3")), 443, "UDP"))
    assert not rule.admits(Traffic(WEB, External(address("192.0.2.1")), 443, "TCP"))
    assert rule.describe() == "to 10.0.0.0/8 or all nodes on any port"


def test_the_subject_selects_pods_never_addresses() -> None:
    policy = anp("p", 1)
    assert policy.selects(WEB)
    assert not policy.selects(External(address("10.0.0.1")))
    assert policy.head == "AdminNetworkPolicy p (Admin tier, priority 1)"
    assert BANP.head == "BaselineAdminNetworkPolicy default (Baseline tier)"


def test_the_admin_tier_runs_by_priority_and_ties_by_name_with_a_warning() -> None:
    policies = [anp("b", 5), cnp("a", "Admin", 5), anp("c", 1), cnp("z", "Baseline", 1)]
    ordered, warnings = in_precedence(policies, "Admin")
    assert [str(p) for p in ordered] == [
        "AdminNetworkPolicy c",
        "ClusterNetworkPolicy a",
        "AdminNetworkPolicy b",
    ]
    assert warnings == [
        "ClusterNetworkPolicy a, AdminNetworkPolicy b (Admin tier) share priority 5: the API "
        "leaves their order undefined, so a cluster may decide overlapping rules either way; "
        "podfence evaluates them in this order (by name)"
    ]


def test_the_baseline_admin_network_policy_comes_after_every_baseline_cluster_network_policy() -> (
    None
):
    ordered, warnings = in_precedence([BANP, cnp("z", "Baseline", 900), anp("x", 1)], "Baseline")
    assert [str(p) for p in ordered] == [
        "ClusterNetworkPolicy z",
        "BaselineAdminNetworkPolicy default",
    ]
    assert warnings == [
        "BaselineAdminNetworkPolicy default and Baseline-tier ClusterNetworkPolicy objects are "
        "both present: the two API versions define no order between them; podfence evaluates "
        "the ClusterNetworkPolicy objects first (by priority), then BaselineAdminNetworkPolicy "
        "default"
    ]
    assert in_precedence([BANP], "Baseline") == ((BANP,), [])
