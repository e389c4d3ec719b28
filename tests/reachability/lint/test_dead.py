"""lint.dead: policies, peers, ipBlocks and named ports that match nothing."""

from __future__ import annotations

from typing import Any

from podfence.reachability import load_cluster
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import dead_parts, empty_ip_block, listing
from podfence.reachability.lint.findings import Finding
from podfence.reachability.peers import IpBlockPeer
from podfence.validation import parse_cidr
from reachability.helpers import cluster_policy, namespace, node, pod, policy

INVENTORY = [
    namespace("shop", team="shop"),
    namespace("monitoring", team="monitoring"),
    pod("shop/web-0", "10.0.0.1", [{"containerPort": 8080, "name": "http"}], app="web"),
    pod("shop/api-0", "10.0.0.2", [{"containerPort": 9000, "name": "grpc"}], app="api"),
    pod(
        "monitoring/prom-0",
        "10.0.1.1",
        [{"containerPort": 9090, "name": "metrics", "protocol": "UDP"}],
        app="prometheus",
    ),
]


def _dead(*policies: dict[str, Any]) -> list[Finding]:
    cluster = load_cluster([*INVENTORY, *policies])
    return dead_parts(Basis.build(cluster.policies, cluster.inventory))


def _ingress(selector: dict[str, Any], *rules: dict[str, Any]) -> dict[str, Any]:
    return policy("shop/p", {"podSelector": selector, "ingress": list(rules)})


def _egress(selector: dict[str, Any], *rules: dict[str, Any]) -> dict[str, Any]:
    return policy(
        "shop/p", {"podSelector": selector, "policyTypes": ["Egress"], "egress": list(rules)}
    )


WEB = {"matchLabels": {"app": "web"}}


def test_a_policy_that_selects_no_pod_is_found_with_a_close_label() -> None:
    (finding,) = _dead(_ingress({"matchLabels": {"app": "wep"}}, {}))
    assert (finding.check.name, finding.where) == ("selects-no-pod", "shop/p")
    assert "podSelector app=wep matches none of the 2 pods of namespace shop" in finding.why
    assert finding.fix is not None and "did you mean app=web?" in finding.fix


def test_a_policy_in_a_namespace_without_pods_says_so() -> None:
    cluster = load_cluster([*INVENTORY, policy("empty/p", {"podSelector": {}})])
    (finding,) = dead_parts(Basis.build(cluster.policies, cluster.inventory))
    assert finding.check.name == "selects-no-pod"
    assert finding.why.startswith("namespace empty has no pod on this inventory")


def test_a_policy_that_selects_a_pod_is_clean() -> None:
    assert _dead(_ingress(WEB, {})) == []


def test_a_peer_whose_namespace_selector_matches_no_namespace_is_unmatched() -> None:
    (finding,) = _dead(
        _ingress(WEB, {"from": [{"namespaceSelector": {"matchLabels": {"team": "monitorin"}}}]})
    )
    assert (finding.check.name, finding.where) == (
        "unmatched-peer",
        "shop/p ingress rule 0, peer 0",
    )
    assert "no namespace of the inventory has the labels team=monitorin" in finding.why
    assert "the rule's only peer, so the rule admits nothing" in finding.why
    assert finding.fix is not None and "did you mean team=monitoring?" in finding.fix


def test_a_peer_whose_pod_selector_matches_no_pod_of_its_namespaces_is_unmatched() -> None:
    (finding,) = _dead(
        _ingress(
            WEB,
            {
                "from": [
                    {"podSelector": {"matchLabels": {"app": "api"}}},
                    {
                        "namespaceSelector": {"matchLabels": {"team": "monitoring"}},
                        "podSelector": {"matchLabels": {"app": "grafana"}},
                    },
                ]
            },
        )
    )
    assert finding.where == "shop/p ingress rule 0, peer 1"
    assert "no pod of namespace monitoring has the labels app=grafana" in finding.why
    assert "admits nothing" not in finding.why  # peer 0 still matches


def test_peers_that_match_pods_are_clean_in_either_direction() -> None:
    assert (
        _dead(
            _ingress(
                WEB, {"from": [{"namespaceSelector": {"matchLabels": {"team": "monitoring"}}}]}
            ),
        )
        == []
    )
    assert _dead(_egress(WEB, {"to": [{"podSelector": {"matchLabels": {"app": "api"}}}]})) == []


def test_an_ip_block_whose_excepts_cover_it_is_empty_whatever_the_policy_selects() -> None:
    block = {"ipBlock": {"cidr": "10.8.0.0/24", "except": ["10.8.0.0/25", "10.8.0.128/25"]}}
    (finding,) = _dead(_ingress(WEB, {"from": [block]}))
    assert (finding.check.name, finding.severity.value) == ("empty-ip-block", "error")
    assert "its except entries cover all of its cidr" in finding.why
    found = _dead(_ingress({"matchLabels": {"app": "cart"}}, {"from": [block]}))
    assert sorted(f.check.name for f in found) == ["empty-ip-block", "selects-no-pod"]


def test_an_ip_block_with_room_left_is_clean() -> None:
    block = {"ipBlock": {"cidr": "10.8.0.0/24", "except": ["10.8.0.0/25", "10.8.0.128/26"]}}
    assert _dead(_ingress(WEB, {"from": [block]})) == []


def test_an_ip_block_without_excepts_is_never_empty() -> None:
    cidr = parse_cidr("10.0.0.0/8")
    assert not isinstance(cidr, str)
    assert not empty_ip_block(IpBlockPeer(cidr))


def test_a_named_port_no_selected_pod_declares_is_found_with_what_they_name() -> None:
    (finding,) = _dead(
        _ingress(WEB, {"ports": [{"port": "htp"}]}, {"ports": [{"port": "http"}, {"port": 1}]})
    )
    assert (finding.check.name, finding.where) == (
        "undeclared-named-port",
        "shop/p ingress rule 0, port 0",
    )
    assert finding.why == (
        "port htp/TCP: no pod this policy selects declares a TCP port named htp; they name http "
        "(the rule's only port, so the rule admits nothing)"
    )
    assert finding.fix is not None and finding.fix.startswith("did you mean port http?")


def test_a_named_port_of_another_protocol_is_undeclared_and_says_which() -> None:
    egress = _egress(
        WEB,
        {
            "to": [{"namespaceSelector": {"matchLabels": {"team": "monitoring"}}}],
            "ports": [{"port": "metrics"}, {"port": 9091}],
        },
    )
    (finding,) = _dead(egress)
    assert finding.why == (
        "port metrics/TCP: no pod the rule's peers match declares a TCP port named metrics; "
        "they declare metrics as 9090/UDP (metrics) only"
    )


def test_a_named_port_towards_addresses_matches_nothing() -> None:
    (finding,) = _dead(
        _egress(WEB, {"to": [{"ipBlock": {"cidr": "8.8.8.8/32"}}], "ports": [{"port": "dns"}]})
    )
    assert finding.check.name == "undeclared-named-port"
    assert "the rule's peers are addresses outside the cluster" in finding.why


def test_declared_named_ports_are_clean_and_unmatched_peers_are_not_repeated() -> None:
    assert _dead(_ingress(WEB, {"ports": [{"port": "http"}]})) == []
    assert _dead(_egress(WEB, {"to": [{"podSelector": WEB}], "ports": [{"port": "http"}]})) == []
    found = _dead(
        _egress(
            WEB,
            {"to": [{"podSelector": {"matchLabels": {"app": "x"}}}], "ports": [{"port": "p"}]},
        )
    )
    assert [f.check.name for f in found] == ["unmatched-peer"]


def test_listing_counts_what_it_leaves_out() -> None:
    assert listing(["a", "b"]) == "a, b"
    assert listing([str(n) for n in range(7)]) == "0, 1, 2, 3, 4 and 2 more"


def _anp(subject: dict[str, Any], **rules: list[dict[str, Any]]) -> dict[str, Any]:
    spec = {"priority": 10, "subject": subject, **rules}
    return cluster_policy("AdminNetworkPolicy", "platform", spec)


def _pods(namespace_labels: dict[str, str], pod_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "pods": {
            "namespaceSelector": {"matchLabels": namespace_labels},
            "podSelector": {"matchLabels": pod_labels},
        }
    }


def test_a_cluster_wide_policy_whose_subject_selects_no_pod_is_found_and_named_by_tier() -> None:
    subject = _pods({"team": "shop"}, {"app": "wep"})
    deny = {"action": "Deny", "from": [{"pods": {"namespaceSelector": {}, "podSelector": {}}}]}
    (finding,) = _dead(_anp(subject, ingress=[deny]))
    assert (finding.check.name, finding.namespace, finding.where) == (
        "selects-no-pod",
        None,
        "AdminNetworkPolicy platform (Admin tier, priority 10)",
    )
    assert finding.why == (
        "its subject (pods app=wep in namespaces team=shop) selects none of the 3 pods of this "
        "inventory: no pod of namespace shop has the labels app=wep; none of its rules applies"
    )
    assert finding.fix == (
        "correct the subject's podSelector to the labels of the pods it is meant for; did you "
        "mean app=web?, or delete the policy"
    )
    assert finding.to_json()["policies"] == ["AdminNetworkPolicy platform"]
    banp = cluster_policy(
        "BaselineAdminNetworkPolicy",
        "default",
        {"subject": {"namespaces": {"matchLabels": {"team": "payments"}}}},
    )
    (baseline,) = _dead(banp)
    assert baseline.where == "BaselineAdminNetworkPolicy default (Baseline tier)"
    assert "no namespace of the inventory has the labels team=payments" in baseline.why
    assert baseline.fix is not None and baseline.fix.startswith(
        "correct the subject's namespace selector to labels the namespaces carry"
    )


def test_a_cluster_wide_rule_peer_that_matches_no_pod_is_unmatched_with_the_rule_named() -> None:
    rule = {
        "name": "from-grafana",
        "action": "Allow",
        "from": [
            {"namespaces": {"matchLabels": {"team": "monitoring"}}},
            _pods({"team": "monitoring"}, {"app": "grafana"}),
        ],
    }
    (finding,) = _dead(_anp({"namespaces": {}}, ingress=[rule]))
    assert (finding.check.name, finding.peer) == ("unmatched-peer", 1)
    assert finding.where == (
        'AdminNetworkPolicy platform (Admin tier, priority 10), ingress rule 0 "from-grafana", '
        "peer 1"
    )
    assert finding.why == (
        "peer 1 (pods app=grafana in namespaces team=monitoring): no pod of namespace monitoring "
        "has the labels app=grafana"
    )
    rule_json = finding.to_json()["rule"]
    assert rule_json == {
        "policy": "AdminNetworkPolicy platform",
        "direction": "ingress",
        "index": 0,
        "description": finding.rule.describe() if finding.rule else None,
        "kind": "AdminNetworkPolicy",
        "tier": "Admin",
        "priority": 10,
        "name": "from-grafana",
        "action": "Allow",
    }
    only = {"action": "Deny", "to": [{"namespaces": {"matchLabels": {"team": "batch"}}}]}
    (egress,) = _dead(_anp({"namespaces": {}}, egress=[only]))
    assert egress.why.endswith("it is the rule's only peer, so the rule never matches")


def test_a_nodes_peer_is_unmatched_only_against_an_inventory_with_nodes() -> None:
    rule = {"action": "Deny", "to": [{"nodes": {"matchLabels": {"role": "contol-plane"}}}]}
    anp = _anp({"namespaces": {}}, egress=[rule])
    assert _dead(anp) == []
    (finding,) = _dead(anp, node("cp-0", {"role": "control-plane"}, ["172.18.0.2"]))
    assert finding.why == (
        "peer 0 (nodes role=contol-plane): no node of the inventory has the labels "
        "role=contol-plane; it is the rule's only peer, so the rule never matches"
    )
    assert finding.fix is not None and "did you mean role=control-plane?" in finding.fix


def test_cluster_wide_peers_that_match_and_networks_and_domain_names_are_clean() -> None:
    rule = {
        "action": "Deny",
        "to": [
            {"namespaces": {"matchLabels": {"team": "monitoring"}}},
            {"networks": ["10.0.0.0/8"]},
            {"domainNames": ["example.com"]},
        ],
    }
    assert _dead(_anp({"namespaces": {}}, egress=[rule])) == []


def test_a_cluster_wide_named_port_no_subject_pod_declares_is_found_with_the_rule() -> None:
    rule = {
        "name": "scrape",
        "action": "Allow",
        "from": [{"namespaces": {"matchLabels": {"team": "monitoring"}}}],
        "ports": [{"namedPort": "htp"}, {"portNumber": {"protocol": "TCP", "port": 8080}}],
    }
    (finding,) = _dead(_anp(_pods({"team": "shop"}, {"app": "web"}), ingress=[rule]))
    assert (finding.check.name, finding.namespace, finding.port) == (
        "undeclared-named-port",
        None,
        0,
    )
    assert finding.where == (
        'AdminNetworkPolicy platform (Admin tier, priority 10), ingress rule 0 "scrape", port 0'
    )
    assert finding.why == (
        "port htp: no pod the policy's subject selects declares a port named htp; they name http"
    )
    assert finding.fix is not None and finding.fix.startswith("did you mean port http?")


def test_a_cluster_wide_egress_named_port_resolves_on_the_peers_pods_on_any_protocol() -> None:
    def egress(name: str) -> dict[str, Any]:
        to = [{"namespaces": {"matchLabels": {"team": "monitoring"}}}]
        rule = {"name": "to-prometheus", "action": "Deny", "to": to}
        spec = {
            "tier": "Admin",
            "priority": 3,
            "subject": {"namespaces": {"matchLabels": {"team": "shop"}}},
            "egress": [{**rule, "protocols": [{"destinationNamedPort": name}]}],
        }
        return cluster_policy("ClusterNetworkPolicy", "platform", spec)

    assert _dead(egress("metrics")) == []  # declared as 9090/UDP; the pod's protocol is taken
    (finding,) = _dead(egress("http"))
    assert finding.where == (
        'ClusterNetworkPolicy platform (Admin tier, priority 3), egress rule 0 "to-prometheus", '
        "port 0"
    )
    assert finding.why == (
        "port http: no pod the rule's peers match declares a port named http; they name metrics "
        "(the rule's only port, so the rule never matches)"
    )


def test_a_cluster_wide_named_port_of_an_unmatched_peer_or_subject_is_not_repeated() -> None:
    ports = [{"namedPort": "nope"}]
    unmatched = {"action": "Deny", "to": [_pods({"team": "monitoring"}, {"app": "x"})]}
    found = _dead(_anp({"namespaces": {}}, egress=[{**unmatched, "ports": ports}]))
    assert [f.check.name for f in found] == ["unmatched-peer"]
    scrape = {"action": "Allow", "from": [{"namespaces": {}}], "ports": ports}
    found = _dead(_anp(_pods({"team": "shop"}, {"app": "x"}), ingress=[scrape]))
    assert [f.check.name for f in found] == ["selects-no-pod"]


def test_rules_of_a_direction_the_policy_types_leave_out_are_reported_as_ignored() -> None:
    from podfence.reachability.lint.dead import ignored_rules
    from podfence.reachability.policy import parse_policy

    def compiled(spec: dict[str, Any]) -> Any:
        return parse_policy(
            {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}
        )

    to_api = [{"to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}]
    ingress_only = compiled({"podSelector": {}, "policyTypes": ["Ingress"], "egress": to_api})
    (finding,) = ignored_rules([ingress_only])
    assert finding.check.name == "ignored-rules" and finding.where == "shop/p"
    assert "leaves out Egress, so its egress rule is ignored" in finding.why
    both = compiled({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}, {}]})
    assert "its 2 ingress rules are ignored" in ignored_rules([both])[0].why
    # policyTypes absent: egress rules put Egress in the defaults, nothing is ignored
    assert ignored_rules([compiled({"podSelector": {}, "egress": to_api})]) == []
    # an empty list of rules is no rule: nothing to ignore
    assert (
        ignored_rules([compiled({"podSelector": {}, "policyTypes": ["Ingress"], "egress": []})])
        == []
    )
