"""egress-deny-keeps-dns: a pod isolated for egress that cannot reach DNS is caught, with the why."""

from __future__ import annotations

from typing import Any

from paths import REPO
from podfence.components import ClusterBaseline
from podfence.offline.project import find_project
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.dns_egress import POLICY
from podfence.testing import run_program
from policy_pack.harness import cluster_policy, deployment, network_policy, program, violations

DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
KUBE_DNS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
BOTH = [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]


def _dns(
    to: dict[str, Any], ports: list[dict[str, Any]], pods: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "podSelector": pods or {},
        "policyTypes": ["Egress"],
        "egress": [{"to": [to], "ports": ports}],
    }


def _shop(*policies: tuple[str, dict[str, Any]]) -> list[RecordedResource]:
    def build() -> None:
        deployment("shop", "web", {"app": "web"})
        deployment("shop", "api", {"app": "api"})
        for name, spec in policies:
            network_policy("shop", name, spec)

    return program(build)


def test_a_deny_all_without_dns_is_caught_with_the_engines_explanation_and_the_fix() -> None:
    resources = _shop(("deny-all", DENY_ALL))
    [(message, urn)] = violations(POLICY, resources)
    assert message == "\n".join(
        [
            "pods isolated for egress by shop/deny-all cannot reach DNS "
            "(kube-system/k8s-app=kube-dns) on 53/UDP, 53/TCP: shop/any-pod (as a pod "
            "shop/deny-all selects: every pod of namespace shop (podSelector: {})), shop/api "
            "(Deployment shop/api), shop/web (Deployment shop/web). For shop/any-pod:",
            "shop/any-pod -> kube-system/kube-dns on 53/UDP: denied",
            "  ingress at kube-system/kube-dns: allowed: no policy selects kube-system/kube-dns for "
            "ingress, so it is not isolated for ingress",
            "  egress at shop/any-pod: denied: shop/any-pod is isolated for egress by "
            "shop/deny-all; none of its egress rules admits kube-system/kube-dns:",
            "    - shop/deny-all has no egress rules",
            "shop/any-pod -> kube-system/kube-dns on 53/TCP: denied",
            "  ingress at kube-system/kube-dns: allowed: no policy selects kube-system/kube-dns for "
            "ingress, so it is not isolated for ingress",
            "  egress at shop/any-pod: denied: shop/any-pod is isolated for egress by "
            "shop/deny-all; none of its egress rules admits kube-system/kube-dns:",
            "    - shop/deny-all has no egress rules",
            "Fix: allow egress to DNS in a policy selecting them: to: [{namespaceSelector: "
            "{matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: "
            "{matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: UDP, port: 53}, "
            "{protocol: TCP, port: 53}] (podfence's DefaultDeny with egress: true adds it as "
            "allow-dns-egress).",
        ]
    )
    assert urn == next(r.urn for r in resources if r.name == "shop-deny-all")


def test_a_dns_allow_for_every_pod_keeps_dns_for_each() -> None:
    assert violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", _dns(KUBE_DNS, BOTH)))) == []


def test_a_dns_allow_for_some_pods_leaves_the_others_caught() -> None:
    web_only = _dns(KUBE_DNS, BOTH, {"matchLabels": {"app": "web"}})
    found = violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", web_only)))
    [head] = [message.splitlines()[0] for message, _ in found]
    assert head.startswith("pods isolated for egress by shop/deny-all cannot reach DNS")
    assert "shop/any-pod (as a pod shop/deny-all selects" in head
    assert "shop/api (Deployment shop/api)" in head and "shop/web" not in head


def test_dns_on_udp_alone_is_caught_on_tcp() -> None:
    udp = _dns(KUBE_DNS, BOTH[:1])
    [(message, _)] = violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", udp)))
    assert "cannot reach DNS (kube-system/k8s-app=kube-dns) on 53/TCP:" in message
    assert "53/UDP: denied" not in message


def test_a_namespace_label_the_cluster_may_not_set_is_caught_with_the_assumption() -> None:
    by_name_label = {**KUBE_DNS, "namespaceSelector": {"matchLabels": {"name": "kube-system"}}}
    [(message, _)] = violations(
        POLICY, _shop(("deny-all", DENY_ALL), ("dns", _dns(by_name_label, BOTH)))
    )
    assert "assumption: namespace kube-system is not in the inventory" in message


def test_a_rule_naming_the_dns_ports_resolves_on_the_dns_pod() -> None:
    named = [{"port": "dns", "protocol": "UDP"}, {"port": "dns-tcp"}]
    assert violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", _dns(KUBE_DNS, named)))) == []


def test_an_ingress_policy_in_the_dns_namespace_counts_too() -> None:
    def build() -> None:
        network_policy("shop", "deny-all", DENY_ALL)
        network_policy("shop", "dns", _dns(KUBE_DNS, BOTH))
        network_policy("kube-system", "deny-all", {"podSelector": {}})

    [(message, _)] = violations(POLICY, program(build))
    assert "ingress at kube-system/kube-dns: denied: kube-system/kube-dns is isolated" in message
    assert message.endswith(
        "Fix: admit them on 53/UDP, 53/TCP in an ingress rule of a policy of namespace "
        "kube-system that selects the DNS pods."
    )


def test_egress_to_every_address_reaches_the_dns_pod_and_a_narrow_block_does_not() -> None:
    anywhere = _dns({"ipBlock": {"cidr": "0.0.0.0/0"}}, BOTH)
    assert violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", anywhere))) == []
    office = _dns({"ipBlock": {"cidr": "192.0.2.0/24"}}, BOTH)
    [(message, _)] = violations(POLICY, _shop(("deny-all", DENY_ALL), ("dns", office)))
    assert "cannot reach DNS (kube-system/k8s-app=kube-dns) on 53/UDP, 53/TCP" in message


def test_the_dns_pods_own_workload_is_not_checked() -> None:
    def build() -> None:
        deployment("kube-system", "coredns", {"k8s-app": "kube-dns"})
        network_policy("kube-system", "deny-all", DENY_ALL)

    [(message, _)] = violations(POLICY, program(build))
    assert "kube-system/any-pod (as a pod kube-system/deny-all selects" in message
    assert "coredns" not in message.splitlines()[0]


def test_the_dns_pods_are_configurable_as_default_denys_dns_object() -> None:
    coredns = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns"}},
        "podSelector": {"matchLabels": {"app": "coredns"}},
    }
    resources = _shop(
        ("deny-all", DENY_ALL), ("dns", _dns(coredns, [{"port": 5353, "protocol": "UDP"}]))
    )
    config = {"dns": {"namespace": "dns", "podLabels": {"app": "coredns"}, "ports": ["5353/UDP"]}}
    assert violations(POLICY, resources, config) == []
    [(message, _)] = violations(POLICY, resources)
    assert "cannot reach DNS (kube-system/k8s-app=kube-dns)" in message


def test_a_dns_port_without_a_number_is_reported_as_a_config_error() -> None:
    [(message, _)] = violations(POLICY, _shop(), {"dns": {"ports": ["dns"]}})
    assert message == (
        "policy config egress-deny-keeps-dns.dns.ports[0]: dns/TCP is not a port number; "
        "give DNS's port numbers, e.g. 53/UDP"
    )


def test_pods_not_isolated_for_egress_need_nothing() -> None:
    assert violations(POLICY, _shop(("deny-all", {"podSelector": {}}))) == []


def test_the_guestbook_keeps_dns_where_it_denies_egress(
    guestbook: dict[str, list[RecordedResource]], shop: list[RecordedResource]
) -> None:
    for stack, resources in {**guestbook, "shop": shop}.items():
        assert violations(POLICY, resources) == [], stack


def _prod_firewall() -> dict[str, Any]:
    return dict(find_project(REPO).stack_config("prod")["guestbook:firewall"])


def test_the_guestbook_with_dns_turned_off_is_caught_for_every_tier_it_isolates() -> None:
    resources = run_program(
        REPO,
        "prod",
        {
            "firewall": {
                **_prod_firewall(),
                "defaultDeny": {"ingress": True, "egress": True, "allowDns": False},
            }
        },
    ).resources
    found = violations(POLICY, resources)
    heads = sorted(message.splitlines()[0].split(" cannot reach DNS")[0] for message, _ in found)
    assert heads == [
        "pods isolated for egress by guestbook/allow-api-to-db-egress, guestbook/deny-all",
        "pods isolated for egress by guestbook/allow-ui-to-api-egress, guestbook/deny-all",
        "pods isolated for egress by guestbook/deny-all",
    ]


def _baseline(
    spec: dict[str, Any], *policies: tuple[str, dict[str, Any]]
) -> list[RecordedResource]:
    def build() -> None:
        deployment("shop", "web", {"app": "web"})
        for name, policy_spec in policies:
            network_policy("shop", name, policy_spec)
        ClusterBaseline("baseline", spec)

    return program(build)


def test_a_baseline_denying_egress_without_dns_is_caught_at_the_baseline() -> None:
    resources = _baseline({"egress": True, "allowDns": False})
    [(message, urn)] = violations(POLICY, resources)
    lines = message.splitlines()
    assert lines[0] == (
        "pods cannot reach DNS (kube-system/k8s-app=kube-dns) on 53/UDP, 53/TCP: shop/any-pod "
        "(as a pod BaselineAdminNetworkPolicy default (Baseline tier) selects: all pods in "
        "namespaces kubernetes.io/metadata.name notin (kube-node-lease,kube-public,kube-system)), "
        "shop/web (Deployment shop/web). For shop/any-pod:"
    )
    assert lines[3] == (
        "  egress at shop/any-pod: denied by BaselineAdminNetworkPolicy default (Baseline tier), "
        'egress rule 0 "deny-egress": to all pods in all namespaces or 0.0.0.0/0 or ::/0 on any '
        "port (no NetworkPolicy selects shop/any-pod for egress)"
    )
    assert lines[-1] == (
        "Fix: admit egress to the DNS pods on 53/UDP, 53/TCP ahead of BaselineAdminNetworkPolicy "
        'default (Baseline tier), egress rule 0 "deny-egress": an Allow rule for it earlier in its '
        "rules (podfence's ClusterBaseline writes one unless allowDns is false)."
    )
    assert urn == next(r.urn for r in resources if r.name == "baseline-default")
    assert violations(POLICY, _baseline({"egress": True})) == []
    assert violations(POLICY, _baseline({"egress": True, "api": "v1alpha2"})) == []


def test_network_policies_that_isolate_egress_decide_instead_of_the_baseline() -> None:
    allow_dns = _dns(KUBE_DNS, BOTH)
    resources = _baseline({"egress": True, "allowDns": False}, ("dns", allow_dns))
    assert violations(POLICY, resources) == []


def test_a_baseline_over_the_dns_namespace_is_caught_at_the_dns_pods_ingress() -> None:
    resources = _baseline({"excludeNamespaces": []})
    [(message, urn)] = violations(POLICY, resources)
    assert message.startswith(
        "pods cannot reach DNS (kube-system/k8s-app=kube-dns) on 53/UDP, 53/TCP: shop/web "
        "(Deployment shop/web). For shop/web:"
    )
    assert (
        "  ingress at kube-system/kube-dns: denied by BaselineAdminNetworkPolicy default "
        '(Baseline tier), ingress rule 0 "deny-ingress-from-pods"'
    ) in message
    assert urn == next(r.urn for r in resources if r.name == "baseline-default")


def test_an_admin_deny_of_dns_is_caught_for_pods_the_network_policies_let_through() -> None:
    rule = {
        "name": "no-udp-dns",
        "action": "Deny",
        "to": [{"namespaces": {}}],
        "ports": [{"portNumber": {"protocol": "UDP", "port": 53}}],
    }

    def build() -> None:
        deployment("shop", "web", {"app": "web"})
        network_policy("shop", "deny-all", DENY_ALL)
        network_policy("shop", "dns", _dns(KUBE_DNS, BOTH))
        spec = {"priority": 3, "subject": {"namespaces": {}}, "egress": [rule]}
        cluster_policy("AdminNetworkPolicy", "no-udp-dns", spec)

    [(message, _)] = violations(POLICY, program(build))
    assert message.startswith(
        "pods isolated for egress by shop/deny-all, shop/dns cannot reach DNS "
        "(kube-system/k8s-app=kube-dns) on 53/UDP:"
    )
    assert "AdminNetworkPolicy no-udp-dns (Admin tier, priority 3)" in message
