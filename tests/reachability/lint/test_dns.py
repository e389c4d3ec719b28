"""lint.dns: egress isolation that blocks DNS, checked with the engine."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.manifests.cluster_baseline import cluster_baseline_policy
from podfence.reachability import load_cluster
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dns import DnsTarget, dns_blocked, dns_misses, dns_target
from podfence.reachability.lint.findings import Finding
from podfence.spec import ClusterBaselineSpec
from podfence.spec.default_deny import DnsEgress
from reachability.helpers import cluster_policy, namespace, pod, policy

SHOP = [
    pod("shop/web-0", "10.0.0.1", [], app="web"),
    pod("shop/web-1", "10.0.0.2", [], app="web"),
    pod("shop/api-0", "10.0.0.3", [], app="api"),
]
COREDNS = pod(
    "kube-system/coredns-0",
    "10.0.9.9",
    [
        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
        {"containerPort": 53, "name": "dns-tcp"},
    ],
    **{"k8s-app": "kube-dns"},
)
NO_EGRESS = policy("shop/no-egress", {"podSelector": {}, "policyTypes": ["Egress"]})
DNS_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}


def _dns(
    *objects: dict[str, Any], target: DnsTarget | None = None
) -> tuple[list[Finding], list[str]]:
    cluster = load_cluster([*SHOP, *objects])
    return dns_blocked(Basis.build(cluster.policies, cluster.inventory), target)


def _allow_dns(*ports: dict[str, Any], to: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return policy(
        "shop/allow-dns",
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": to if to is not None else [DNS_PEER], "ports": list(ports)}],
        },
    )


UDP_53 = {"protocol": "UDP", "port": 53}
TCP_53 = {"protocol": "TCP", "port": 53}


def test_egress_isolation_without_dns_blocks_it_for_each_group_of_pods() -> None:
    (finding,), notes = _dns(COREDNS, NO_EGRESS)
    assert (finding.check.name, finding.severity.value, finding.where) == (
        "dns-blocked",
        "error",
        "shop/no-egress",
    )
    assert finding.pods == ("shop/api-0", "shop/web-0", "shop/web-1")
    assert finding.why == (
        "shop/api-0, shop/web-0, shop/web-1 are isolated for egress by shop/no-egress, and no "
        "egress rule of it admits 53/UDP, 53/TCP to the DNS pods kube-system/k8s-app=kube-dns "
        "(kube-system/coredns-0): name lookups fail"
    )
    assert notes == []


def test_dns_allowed_on_both_protocols_is_clean_by_number_or_by_name() -> None:
    assert _dns(COREDNS, NO_EGRESS, _allow_dns(UDP_53, TCP_53)) == ([], [])
    named = _allow_dns({"protocol": "UDP", "port": "dns"}, {"port": "dns-tcp"})
    assert _dns(COREDNS, NO_EGRESS, named) == ([], [])


def test_dns_over_udp_only_blocks_tcp() -> None:
    (finding,), _ = _dns(COREDNS, NO_EGRESS, _allow_dns(UDP_53))
    assert [str(p) for p in finding.policies] == ["shop/no-egress", "shop/allow-dns"]
    assert (
        "isolated for egress by shop/no-egress, shop/allow-dns, and no egress rule of them admits "
        "53/TCP to the DNS pods"
    ) in finding.why


def test_dns_pods_that_refuse_the_connection_at_ingress_block_it_too() -> None:
    locked = policy("kube-system/deny-all", {"podSelector": {}})
    (finding,), _ = _dns(COREDNS, NO_EGRESS, _allow_dns(UDP_53, TCP_53), locked)
    assert finding.why == (
        "shop/api-0, shop/web-0, shop/web-1 are isolated for egress by shop/no-egress, "
        "shop/allow-dns, and the DNS pods kube-system/k8s-app=kube-dns (kube-system/coredns-0) "
        "are isolated for ingress by kube-system/deny-all, and no ingress rule of it admits the "
        "connection on 53/UDP, 53/TCP: name lookups fail"
    )
    assert finding.fix == (
        "admit them on 53/UDP, 53/TCP in an ingress rule of a policy of namespace kube-system "
        "that selects the DNS pods"
    )


def test_the_engines_verdicts_are_kept_for_each_pod_that_misses_dns() -> None:
    cluster = load_cluster([*SHOP, COREDNS, NO_EGRESS, _allow_dns(UDP_53)])
    check = dns_misses(cluster.policies, cluster.inventory)
    assert [miss.pod.key for miss in check.misses] == ["shop/api-0", "shop/web-0", "shop/web-1"]
    miss = check.misses[0]
    assert [str(p) for p in miss.isolating] == ["shop/no-egress", "shop/allow-dns"]
    assert (miss.ports(), miss.ports("egress"), miss.ports("ingress")) == (("53/TCP",),) * 2 + ((),)
    assert [v.traffic.describe() for v in miss.verdicts] == [
        "shop/api-0 -> kube-system/coredns-0 on 53/TCP"
    ]
    assert (check.dns_pods, check.note) == ((cluster.inventory.pod("kube-system/coredns-0"),), None)


def test_when_no_policy_can_deny_dns_nothing_is_checked_and_no_stand_in_is_noted() -> None:
    ingress_only = policy("shop/deny-all", {"podSelector": {}})
    assert _dns(COREDNS, ingress_only) == ([], [])
    assert _dns(ingress_only) == ([], [])


def _baseline(**spec: Any) -> dict[str, Any]:
    """What podfence's ClusterBaseline writes."""
    return cluster_baseline_policy(ClusterBaselineSpec.parse(spec, root="baseline"))


def test_a_baseline_that_denies_egress_without_dns_blocks_it_for_pods_no_policy_isolates() -> None:
    (finding,), _ = _dns(COREDNS, _baseline(egress=True, allowDns=False))
    assert finding.where == "BaselineAdminNetworkPolicy default (Baseline tier)"
    assert [str(p) for p in finding.policies] == ["BaselineAdminNetworkPolicy default"]
    assert finding.why == (
        "shop/api-0, shop/web-0, shop/web-1 cannot reach DNS: egress to the DNS pods "
        "kube-system/k8s-app=kube-dns (kube-system/coredns-0) on 53/UDP, 53/TCP is denied by "
        'BaselineAdminNetworkPolicy default (Baseline tier), egress rule 0 "deny-egress": to all '
        "pods in all namespaces or 0.0.0.0/0 or ::/0 on any port (no NetworkPolicy isolates "
        "them for egress): name lookups fail"
    )
    assert finding.fix == (
        "admit egress to the DNS pods on 53/UDP, 53/TCP ahead of BaselineAdminNetworkPolicy "
        'default (Baseline tier), egress rule 0 "deny-egress": an Allow rule for it earlier in '
        "its rules (podfence's ClusterBaseline writes one unless allowDns is false)"
    )
    assert _dns(COREDNS, _baseline(egress=True)) == ([], [])
    (v1alpha2,), _ = _dns(COREDNS, _baseline(egress=True, allowDns=False, api="v1alpha2"))
    assert "an Accept rule" in v1alpha2.fix


def test_an_admin_deny_blocks_dns_that_the_network_policies_allow() -> None:
    rule = {
        "name": "no-kube-system",
        "action": "Deny",
        "to": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
        "ports": [{"portNumber": {"protocol": "UDP", "port": 53}}],
    }
    spec = {"priority": 5, "subject": {"namespaces": {}}, "egress": [rule]}
    anp = cluster_policy("AdminNetworkPolicy", "lockdown", spec)
    (finding,), _ = _dns(COREDNS, NO_EGRESS, _allow_dns(UDP_53, TCP_53), anp)
    assert finding.where == (
        "shop/no-egress, shop/allow-dns, AdminNetworkPolicy lockdown (Admin tier, priority 5)"
    )
    assert finding.why == (
        "shop/api-0, shop/web-0, shop/web-1 are isolated for egress by shop/no-egress, "
        "shop/allow-dns, and egress to the DNS pods kube-system/k8s-app=kube-dns "
        "(kube-system/coredns-0) on 53/UDP is denied by AdminNetworkPolicy lockdown (Admin "
        'tier, priority 5), egress rule 0 "no-kube-system": to all pods in namespace '
        "kube-system on 53/UDP: name lookups fail"
    )
    assert finding.fix.endswith(
        "an Allow rule for it earlier in its rules, or in an Admin-tier policy of a lower "
        "priority number"
    )


def test_a_baseline_over_the_dns_namespace_blocks_dns_for_every_pod_at_its_ingress() -> None:
    (finding,), _ = _dns(COREDNS, _baseline(excludeNamespaces=[]))
    assert finding.pods == ("shop/api-0", "shop/web-0", "shop/web-1")
    assert finding.why == (
        "shop/api-0, shop/web-0, shop/web-1 cannot reach DNS: ingress at the DNS pods "
        "kube-system/k8s-app=kube-dns (kube-system/coredns-0) on 53/UDP, 53/TCP is denied by "
        'BaselineAdminNetworkPolicy default (Baseline tier), ingress rule 0 "deny-ingress-from-'
        'pods": from all pods in all namespaces on any port (no NetworkPolicy isolates them for '
        "ingress): name lookups fail"
    )
    assert finding.fix == (
        "admit them at the DNS pods on 53/UDP, 53/TCP ahead of BaselineAdminNetworkPolicy "
        'default (Baseline tier), ingress rule 0 "deny-ingress-from-pods": an Allow rule for it '
        "earlier in its rules, or leave namespace kube-system out of its subject (podfence's "
        "ClusterBaseline leaves the system namespaces out unless excludeNamespaces says "
        "otherwise)"
    )
    assert _dns(COREDNS, _baseline()) == ([], []), "kube-system is left out by default"


def test_without_a_dns_pod_a_stand_in_is_checked_and_noted() -> None:
    (finding,), (note,) = _dns(NO_EGRESS)
    assert finding.check.name == "dns-blocked"
    assert note == (
        "no pod of the inventory is kube-system/k8s-app=kube-dns: DNS was checked against a "
        "stand-in pod kube-system/kube-dns with those labels, ports 53/UDP (dns), 53/TCP "
        "(dns-tcp) and IP 10.244.0.10 (outside every ipBlock of the policies short of a whole "
        "address family), in a namespace labelled only kubernetes.io/metadata.name=kube-system"
    )
    assert _dns(NO_EGRESS, _allow_dns(UDP_53, TCP_53))[0] == []


def test_egress_to_every_address_reaches_the_stand_in_and_a_narrow_block_does_not() -> None:
    anywhere = _allow_dns(UDP_53, TCP_53, to=[{"ipBlock": {"cidr": "0.0.0.0/0"}}])
    assert _dns(NO_EGRESS, anywhere)[0] == []
    narrow = _allow_dns(UDP_53, TCP_53, to=[{"ipBlock": {"cidr": "10.244.0.0/16"}}])
    findings, (note,) = _dns(NO_EGRESS, narrow)
    assert findings and "IP 172.20.0.10" in note


def test_the_stand_ins_namespace_keeps_its_labels_when_the_inventory_defines_it() -> None:
    _, (note,) = _dns(namespace("kube-system", tier="infra"), NO_EGRESS)
    assert "labelled only" not in note


def test_a_dns_target_of_other_labels_and_ports() -> None:
    target = DnsTarget("dns", (("app", "coredns"),), ((5353, "UDP"),))
    resolver = pod(
        "dns/resolver", "10.0.9.8", [{"containerPort": 5353, "protocol": "UDP"}], app="coredns"
    )
    to = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns"}}}]
    allowed = _allow_dns({"protocol": "UDP", "port": 5353}, to=to)
    assert _dns(resolver, NO_EGRESS, allowed, target=target) == ([], [])
    (finding,), _ = _dns(resolver, NO_EGRESS, target=target)
    assert "admits 5353/UDP to the DNS pods dns/app=coredns (dns/resolver)" in finding.why
    assert target.describe() == "dns/app=coredns"


def test_the_dns_target_of_a_dns_object_takes_its_numbers_and_a_range_at_its_first_port() -> None:
    assert dns_target(DnsEgress(), "dns") == DnsTarget()
    custom = DnsEgress.parse(
        {
            "namespace": "dns",
            "podLabels": {"tier": "x", "app": "coredns"},
            "ports": ["5353-5354/UDP"],
        }
    )
    assert dns_target(custom, "dns") == DnsTarget(
        "dns", (("app", "coredns"), ("tier", "x")), ((5353, "UDP"),)
    )


@pytest.mark.parametrize(("port", "shown"), [("dns", "dns/TCP"), ("all/UDP", "all/UDP")])
def test_a_dns_port_without_a_number_is_an_error_naming_the_field(port: str, shown: str) -> None:
    with pytest.raises(SpecError) as caught:
        dns_target(DnsEgress.parse({"ports": ["53/UDP", port]}), "firewall.defaultDeny.dns")
    assert str(caught.value) == (
        f"firewall.defaultDeny.dns.ports[1]: {shown} is not a port number; give DNS's port "
        "numbers, e.g. 53/UDP"
    )
