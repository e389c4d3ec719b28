"""evaluate(): one flow decided step by step, traffic() from what a user types, and input checks.

The flows are built with the test-side :class:`~reachability.engine.Engine` (``load_cluster``,
then ``traffic`` and ``evaluate``), so each test reads like the CLI it backs.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability import (
    External,
    PolicyRef,
    RuleRef,
    Traffic,
    evaluate,
    read_objects,
    resolve_port,
)
from podfence.reachability.verdict import NOT_ISOLATED, DirectionVerdict
from reachability.engine import Engine
from reachability.helpers import ADMIN_TIER, FIXTURES, cluster_policy, namespace, node, pod, policy


@pytest.fixture(scope="module")
def guestbook() -> Engine:
    return Engine(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7", "10.9.9.9"])


def refs(rules: tuple[RuleRef, ...]) -> list[str]:
    return [str(rule) for rule in rules]


def test_without_policies_everything_is_allowed_and_nothing_isolated() -> None:
    engine = Engine([pod("a/x", "10.0.0.1"), pod("b/y", "10.0.0.2")])
    verdict = engine.evaluate("a/x", "b/y", 80)
    assert verdict.allowed
    assert verdict.ingress is not None, "a pod destination has an ingress side"
    assert not verdict.ingress.isolated and not verdict.ingress.policies
    assert verdict.egress is not None and not verdict.egress.isolated
    assert verdict.ingress.allowed_by == ()


def test_an_allowed_flow_names_every_rule_on_both_sides(guestbook: Engine) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080)
    assert verdict.allowed
    assert verdict.ingress is not None and verdict.egress is not None
    assert verdict.ingress.policy_refs == (
        PolicyRef("guestbook", "deny-all"),
        PolicyRef("guestbook", "allow-ui-to-api"),
    )
    assert [policy.ref for policy in verdict.ingress.policies] == list(
        verdict.ingress.policy_refs
    ), "the side holds the compiled policies, in the order policy_refs names them"
    assert refs(verdict.ingress.allowed_by) == ["guestbook/allow-ui-to-api ingress rule 0"]
    assert verdict.egress is not None
    assert refs(verdict.egress.allowed_by) == ["guestbook/egress-tiers egress rule 0"]


def test_a_flow_needs_ingress_at_the_destination_and_egress_at_the_source(
    guestbook: Engine,
) -> None:
    ui_to_db = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432)
    assert ui_to_db.egress is not None and ui_to_db.egress.allowed  # egress-tiers rule 1
    assert ui_to_db.ingress is not None and not ui_to_db.ingress.allowed
    assert not ui_to_db.allowed
    db_to_api = guestbook.evaluate("guestbook/db-0", "guestbook/api-0", 8080)
    assert db_to_api.egress is not None and not db_to_api.egress.allowed
    assert not db_to_api.allowed
    api_to_db = guestbook.evaluate("guestbook/api-0", "guestbook/db-0", 5432)
    assert api_to_db.allowed


def test_denied_rules_carry_the_reason(guestbook: Engine) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432)
    (miss,) = verdict.not_matching("ingress")
    assert str(miss.rule) == "guestbook/allow-api-to-db ingress rule 0"
    assert miss.reason == ("guestbook/ui-0 does not match pods app=api in namespace guestbook")
    wrong_port = guestbook.evaluate("guestbook/api-0", "guestbook/db-0", 5433)
    assert wrong_port.not_matching("ingress")[0].reason == "5433/TCP does not match 5432/TCP"
    both = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5433)
    assert both.not_matching("ingress")[0].reason == (
        "guestbook/ui-0 does not match pods app=api in namespace guestbook "
        "and 5433/TCP does not match 5432/TCP"
    )


def test_misses_are_the_rules_that_do_not_admit_and_empty_where_nothing_isolates(
    guestbook: Engine,
) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080)
    assert verdict.not_matching("ingress") == (), "the one ingress rule admits the flow"
    egress_misses = [str(miss.rule) for miss in verdict.not_matching("egress")]
    assert egress_misses == [
        "guestbook/egress-tiers egress rule 1",
        "guestbook/egress-tiers egress rule 2",
    ], "every egress rule but the admitting one (rule 0) is a miss"
    open_side = guestbook.evaluate("monitoring/prom-0", "kube-system/coredns-0", 53, "UDP")
    assert open_side.not_matching("ingress") == () and open_side.not_matching("egress") == ()
    outside = guestbook.evaluate("203.0.113.7", "guestbook/db-0", 5432)
    assert outside.not_matching("egress") == (), "an address has no egress side to miss"


def test_an_external_source_has_no_egress_side_and_only_ip_blocks_match_it(
    guestbook: Engine,
) -> None:
    outside = guestbook.evaluate("203.0.113.7", "guestbook/ui-1", 80)
    assert outside.egress is None
    assert outside.allowed and outside.ingress is not None
    assert refs(outside.ingress.allowed_by) == ["guestbook/allow-web ingress rule 0"]
    excepted = guestbook.evaluate("10.9.9.9", "guestbook/ui-1", 80)
    assert not excepted.allowed  # inside except 10.0.0.0/8


def test_namespace_selectors_match_namespace_labels(guestbook: Engine) -> None:
    assert guestbook.evaluate("monitoring/prom-0", "guestbook/ui-0", 80).allowed
    assert not guestbook.evaluate("kube-system/coredns-0", "guestbook/ui-0", 80).allowed


def test_egress_named_and_numeric_ports_to_another_namespace(guestbook: Engine) -> None:
    assert guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", 53, "UDP").allowed
    assert guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", "dns-tcp").allowed
    assert not guestbook.evaluate("guestbook/db-0", "kube-system/coredns-0", 53, "UDP").allowed


def test_a_port_name_resolves_on_the_destination_pod(guestbook: Engine) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", "api")
    assert (verdict.port, verdict.protocol) == (8080, "TCP") and verdict.allowed
    assert guestbook.evaluate("guestbook/ui-0", "kube-system/coredns-0", "dns", "UDP").port == 53
    with pytest.raises(
        InputError, match=r"^--port: pod guestbook/api-0 has no port named 'web' \(it names: api\)$"
    ):
        guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", "web")
    with pytest.raises(
        InputError, match=r"^--port 'dns' of kube-system/coredns-0 is 53/UDP \(dns\), not TCP$"
    ):
        guestbook.evaluate("guestbook/ui-0", "kube-system/coredns-0", "dns", "TCP")


def test_a_port_name_without_a_protocol_takes_the_protocol_of_the_port_it_names(
    guestbook: Engine,
) -> None:
    dns = guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", "dns")
    assert (dns.port, dns.protocol) == (53, "UDP"), "dns names 53/UDP only: no --protocol needed"
    assert dns.allowed
    dns_tcp = guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", "dns-tcp")
    assert (dns_tcp.port, dns_tcp.protocol) == (53, "TCP")
    number = guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", 53)
    assert number.protocol == "TCP", "a number without a protocol is TCP"


def test_a_port_name_given_to_two_protocols_asks_for_the_protocol() -> None:
    target = pod("a/dns", "10.0.0.1", [{"containerPort": 53, "name": "dns", "protocol": "UDP"}])
    target["spec"]["containers"].append(
        {"name": "tcp", "ports": [{"containerPort": 53, "name": "dns", "protocol": "TCP"}]}
    )
    engine = Engine([target, pod("a/client", "10.0.0.2")])
    with pytest.raises(InputError) as caught:
        engine.evaluate("a/client", "a/dns", "dns")
    assert str(caught.value) == (
        "--port 'dns' names 53/UDP (dns), 53/TCP (dns) on a/dns; say which with --protocol"
    )
    for protocol in ("UDP", "TCP"):
        chosen = engine.evaluate("a/client", "a/dns", "dns", protocol)
        assert (chosen.port, chosen.protocol) == (53, protocol)


def test_a_port_name_toward_an_address_outside_the_cluster_is_an_error(
    guestbook: Engine,
) -> None:
    with pytest.raises(InputError) as caught:
        guestbook.evaluate("guestbook/ui-0", "8.8.8.8", "dns")
    assert str(caught.value) == (
        "--port 'dns' is a port name, but 8.8.8.8 is an address outside the cluster, which "
        "declares no ports; give a number"
    )
    flagged = External(ipaddress.ip_address("8.8.8.8"))
    with pytest.raises(InputError, match=r"^port 'http' is a port name, but 8\.8\.8\.8 is"):
        resolve_port(flagged, "http", None, "port")


def test_resolve_port_checks_numbers_and_protocols() -> None:
    address = External(ipaddress.ip_address("192.0.2.1"))
    assert resolve_port(address, 443, None) == (443, "TCP")
    assert resolve_port(address, "443", "UDP") == (443, "UDP")
    for bad, message in (
        (0, r"^--port 0 is not a port number \(1-65535\)$"),
        ("70000", r"^--port 70000 is not a port number \(1-65535\)$"),
        (True, r"^--port True is not a port number or name$"),
        (8.5, r"^--port 8\.5 is not a port number or name$"),
    ):
        with pytest.raises(InputError, match=message):
            resolve_port(address, bad, None)  # type: ignore[arg-type]
    with pytest.raises(
        InputError, match=r"^--protocol 'ICMP' is not supported \(expected TCP, UDP, SCTP\)$"
    ):
        resolve_port(address, 80, "ICMP")


def test_a_named_rule_port_does_not_match_another_pods_number() -> None:
    objects = [
        pod("a/web", "10.0.0.1", [{"containerPort": 80, "name": "http"}], app="web"),
        pod("a/alt", "10.0.0.2", [{"containerPort": 8080, "name": "http"}], app="web"),
        pod("a/client", "10.0.0.3"),
        policy(
            "a/web",
            {
                "podSelector": {"matchLabels": {"app": "web"}},
                "ingress": [{"ports": [{"port": "http"}]}],
            },
        ),
    ]
    engine = Engine(objects)
    assert engine.evaluate("a/client", "a/web", 80).allowed
    assert not engine.evaluate("a/client", "a/web", 8080).allowed
    assert engine.evaluate("a/client", "a/alt", 8080).allowed
    assert not engine.evaluate("a/client", "a/alt", 80).allowed


def test_ip_blocks_match_pod_ips_too() -> None:
    objects = [
        pod("a/web", "10.0.0.1", app="web"),
        pod("b/in", "10.1.0.5"),
        pod("b/out", "10.1.9.5"),
        pod("b/pending"),
        policy(
            "a/ip",
            {
                "podSelector": {},
                "ingress": [
                    {"from": [{"ipBlock": {"cidr": "10.1.0.0/16", "except": ["10.1.9.0/24"]}}]}
                ],
            },
        ),
    ]
    engine = Engine(objects)
    assert engine.evaluate("b/in", "a/web", 80).allowed
    assert not engine.evaluate("b/out", "a/web", 80).allowed
    assert not engine.evaluate("b/pending", "a/web", 80).allowed  # no IP: no ipBlock matches


def test_policies_only_select_pods_of_their_own_namespace() -> None:
    objects = [
        pod("a/x", "10.0.0.1", app="x"),
        pod("b/x", "10.0.0.2", app="x"),
        policy("a/deny", {"podSelector": {"matchLabels": {"app": "x"}}}),
    ]
    engine = Engine(objects)
    assert not engine.evaluate("b/x", "a/x", 80).allowed
    assert engine.evaluate("a/x", "b/x", 80).allowed


def test_unknown_pods_are_named_with_close_matches(guestbook: Engine) -> None:
    with pytest.raises(
        InputError,
        match=r"^--to no pod 'guestbook/ui-9' in the inventory; did you mean guestbook/ui-1, "
        r"guestbook/ui-0",
    ):
        guestbook.evaluate("guestbook/ui-0", "guestbook/ui-9", 80)
    with pytest.raises(InputError) as caught:
        guestbook.evaluate("frontend", "guestbook/ui-0", 80)
    assert str(caught.value) == "--from no pod 'frontend' in the inventory", (
        "a bare name is a pod of the default namespace; nothing there is close to it"
    )
    with pytest.raises(InputError, match=r"--protocol 'ICMP' is not supported"):
        guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 80, "ICMP")
    with pytest.raises(InputError, match=r"^--port 0 is not a port number"):
        guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 0)


def test_pods_in_namespaces_without_an_object_get_the_name_label() -> None:
    objects = [
        pod("a/x", "10.0.0.1"),
        pod("b/y", "10.0.0.2"),
        policy(
            "a/only-b",
            {
                "podSelector": {},
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "b"}
                                }
                            }
                        ]
                    }
                ],
            },
        ),
    ]
    engine = Engine(objects)
    assert engine.namespaces["b"].labels == {"kubernetes.io/metadata.name": "b"}
    assert engine.evaluate("b/y", "a/x", 80).allowed


def test_other_kinds_and_other_network_policy_apis_are_not_evaluated() -> None:
    calico: dict[str, Any] = {
        "apiVersion": "crd.projectcalico.org/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "deny", "namespace": "a"},
        "spec": {"selector": "all()"},
    }
    removed = policy("a/deny-old", {"podSelector": {}})
    removed["apiVersion"] = "extensions/v1beta1"
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    engine = Engine([pod("a/x", "10.0.0.1"), pod("a/y", "10.0.0.2"), calico, removed, service])
    assert list(engine.policies) == [], "only networking.k8s.io/v1 NetworkPolicies are evaluated"
    verdict = engine.evaluate("a/y", "a/x", 80)
    assert verdict.allowed and verdict.ingress == NOT_ISOLATED
    assert len(engine.warnings) == 3, engine.warnings  # each named in warnings: test_cluster.py


def test_an_object_listed_twice_is_an_error() -> None:
    with pytest.raises(InputError, match=r"Pod a/x appears twice"):
        Engine([pod("a/x"), pod("a/x")])
    with pytest.raises(InputError, match=r"Namespace a appears twice"):
        Engine([namespace("a"), namespace("a")])


def test_sources_and_destinations_must_be_pods_or_single_addresses(guestbook: Engine) -> None:
    with pytest.raises(InputError) as caught:
        guestbook.evaluate("10.0.0.0/8", "guestbook/ui-0", 80)
    assert str(caught.value) == "--from '10.0.0.0/8' is a CIDR; give one address, e.g. 10.0.0.0"
    with pytest.raises(InputError) as caught:
        guestbook.evaluate("guestbook/ui-0", "10.0.0.300", 80)
    assert str(caught.value) == "--to '10.0.0.300' is not a valid IP address"
    with pytest.raises(InputError) as caught:
        guestbook.evaluate("8.8.8.8", "1.1.1.1", 80)
    assert str(caught.value) == (
        "--from 8.8.8.8 and --to 1.1.1.1 are both outside the cluster; one end must be a pod"
    )


def test_pods_are_sorted_by_namespace_and_name() -> None:
    engine = Engine([pod("b/a"), pod("a/z"), pod("a/b")])
    assert [p.key for p in engine.pods] == ["a/b", "a/z", "b/a"]


def test_a_bare_name_is_a_pod_of_the_default_namespace_with_suggestions() -> None:
    engine = Engine([pod("default/frontend-0", "10.0.0.1")])
    assert engine.evaluate("frontend-0", "default/frontend-0", 80).source == "default/frontend-0"
    assert engine.evaluate("default/frontend-0", "frontend-0", 80).destination == (
        "default/frontend-0"
    )
    with pytest.raises(InputError) as caught:
        engine.evaluate("frontend", "frontend-0", 80)
    assert str(caught.value) == (
        "--from no pod 'frontend' in the inventory; did you mean default/frontend-0?"
    )


def test_an_object_that_is_not_a_map_is_rejected() -> None:
    with pytest.raises(InputError, match=r"expected a Kubernetes object \(a map\), got 'Pod'"):
        Engine(["Pod"])  # type: ignore[list-item]


def test_a_null_rule_is_an_empty_rule_that_admits_everything() -> None:
    objects = [pod("a/x", "10.0.0.1"), pod("b/y", "10.0.0.2"), policy("a/p", {"ingress": [None]})]
    assert Engine(objects).evaluate("b/y", "a/x", 80).allowed


def test_a_name_given_by_two_containers_matches_both_ports() -> None:
    target = pod("a/web", "10.0.0.1", [{"containerPort": 8000, "name": "metrics"}], app="web")
    target["spec"]["containers"].append(
        {"name": "sidecar", "ports": [{"containerPort": 9100, "name": "metrics"}]}
    )
    objects = [
        target,
        pod("a/scraper", "10.0.0.2"),
        policy("a/p", {"podSelector": {}, "ingress": [{"ports": [{"port": "metrics"}]}]}),
    ]
    engine = Engine(objects)
    assert engine.evaluate("a/scraper", "a/web", 8000).allowed
    assert engine.evaluate("a/scraper", "a/web", 9100).allowed
    flows = [(f.port, f.allowed) for f in engine.matrix() if f.source == "a/scraper"]
    assert flows == [(8000, True), (9100, True)]
    with pytest.raises(InputError) as caught:
        engine.evaluate("a/scraper", "a/web", "metrics")
    assert "'metrics' names 8000/TCP (metrics), 9100/TCP (metrics) on a/web" in str(caught.value), (
        "a name that stands for two ports is ambiguous for one flow: the error names both"
    )


@pytest.mark.parametrize("protocol", [None, "TCP"])
def test_a_name_given_to_two_ports_of_one_protocol_does_not_send_the_user_to_protocol(
    protocol: str | None,
) -> None:
    target = pod("a/web", "10.0.0.1", [{"containerPort": 8000, "name": "metrics"}])
    target["spec"]["containers"].append(
        {"name": "sidecar", "ports": [{"containerPort": 9100, "name": "metrics"}]}
    )
    engine = Engine([target, pod("a/scraper", "10.0.0.2")])
    with pytest.raises(InputError) as caught:
        engine.evaluate("a/scraper", "a/web", "metrics", protocol)
    assert "--protocol" not in str(caught.value), (
        f"--protocol cannot choose between 8000/TCP and 9100/TCP: {caught.value}"
    )


# -- addresses outside the cluster, and addresses that are pods ----------------------------------

#: egress only to pods (any namespace) and DNS to kube-dns: nothing leaves the cluster.
DENY_EXTERNAL_EGRESS = policy(
    "default/deny-external-egress",
    {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {"to": [{"namespaceSelector": {}}]},
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                        },
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
            },
        ],
    },
)

#: HTTPS anywhere outside 10.0.0.0/8, and nothing else.
HTTPS_OUT = policy(
    "default/https-out",
    {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                "ports": [{"port": 443}],
            }
        ],
    },
)


def _cluster(*policies: dict[str, Any]) -> Engine:
    """default/test (10.0.0.5), shop/web (10.1.0.7, http 80) and kube-dns, with ``policies``."""
    coredns = pod("kube-system/coredns", "10.2.0.10")
    coredns["metadata"]["labels"] = {"k8s-app": "kube-dns"}  # not a Python keyword argument
    return Engine(
        [
            pod("default/test", "10.0.0.5"),
            pod("shop/web", "10.1.0.7", [{"containerPort": 80, "name": "http"}], app="web"),
            coredns,
            *policies,
        ]
    )


def test_deny_external_egress_denies_an_address_and_allows_pods() -> None:
    engine = _cluster(DENY_EXTERNAL_EGRESS)
    outside = engine.evaluate("default/test", "93.184.216.34", 80)
    assert not outside.allowed, "no egress rule matches an address outside the cluster"
    assert outside.ingress is None, "an address outside the cluster has no ingress side"
    assert outside.egress is not None and outside.egress.isolated
    assert outside.egress.allowed_by == ()
    assert outside.egress.policy_refs == (PolicyRef("default", "deny-external-egress"),)
    assert [miss.reason for miss in outside.not_matching("egress")] == [
        "93.184.216.34 does not match all pods in all namespaces",
        "93.184.216.34 does not match pods k8s-app=kube-dns in namespace kube-system and "
        "80/TCP does not match 53/UDP, 53/TCP",
    ]
    inside = engine.evaluate("default/test", "10.1.0.7", 80)
    assert inside.destination == "shop/web", "an address that is a pod's IP is that pod"
    assert inside.allowed and inside.ingress is not None
    assert [str(r) for r in inside.deciding_rules()] == [
        "default/deny-external-egress egress rule 0"
    ]
    assert engine.evaluate("default/test", "shop/web", 80).allowed
    dns = engine.evaluate("default/test", "kube-system/coredns", 53, "UDP")
    assert [str(r) for r in dns.deciding_rules()] == [
        "default/deny-external-egress egress rule 0",
        "default/deny-external-egress egress rule 1",
    ]
    assert not engine.evaluate("default/test", "8.8.8.8", 53, "UDP").allowed


def test_an_ip_block_egress_rule_admits_addresses_outside_its_excepts_on_its_ports() -> None:
    engine = _cluster(HTTPS_OUT)
    https = engine.evaluate("default/test", "93.184.216.34", 443)
    assert https.allowed and https.ingress is None
    assert [str(r) for r in https.deciding_rules()] == ["default/https-out egress rule 0"]
    http = engine.evaluate("default/test", "93.184.216.34", 80)
    assert not http.allowed
    assert [m.reason for m in http.not_matching("egress")] == ["80/TCP does not match 443/TCP"]
    in_except = engine.evaluate("default/test", "10.200.0.1", 443)
    assert not in_except.allowed and in_except.ingress is None
    assert [m.reason for m in in_except.not_matching("egress")] == [
        "10.200.0.1 does not match 0.0.0.0/0 except 10.0.0.0/8"
    ]
    pod_ip = engine.evaluate("default/test", "10.1.0.7", 443)
    assert pod_ip.destination == "shop/web", "the pod's IP is the pod, inside the except"
    assert pod_ip.ingress is not None and not pod_ip.ingress.isolated
    assert not pod_ip.allowed
    assert [m.reason for m in pod_ip.not_matching("egress")] == [
        "shop/web does not match 0.0.0.0/0 except 10.0.0.0/8"
    ]


def test_an_address_that_is_a_pods_ip_is_that_pod_as_source_and_destination() -> None:
    isolate_web = policy(
        "shop/from-test",
        {
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {}}]}],
        },
    )
    engine = _cluster(isolate_web)
    as_source = engine.evaluate("10.0.0.5", "shop/web", 80)
    assert as_source.source == "default/test"
    assert as_source.egress is not None, "the pod's egress side applies"
    assert as_source.allowed, "a pod selector matches the pod behind the address"
    outside = engine.evaluate("10.0.0.6", "shop/web", 80)
    assert outside.source == "10.0.0.6" and outside.egress is None
    assert not outside.allowed, "an address that is no pod's IP matches no pod selector"
    as_destination = engine.evaluate("default/test", "10.1.0.7", "http")
    assert (as_destination.destination, as_destination.port) == ("shop/web", 80), (
        "a named port resolves on the pod behind the address"
    )


def test_evaluate_places_both_ends_in_the_inventory() -> None:
    engine = _cluster(DENY_EXTERNAL_EGRESS)
    web = next(p for p in engine.pods if p.key == "shop/web")
    by_address = Traffic(
        External(ipaddress.ip_address("10.0.0.5")), External(ipaddress.ip_address("10.1.0.7")), 80
    )
    verdict = evaluate(engine.policies, engine.inventory, by_address)
    assert (verdict.source, verdict.destination) == ("default/test", "shop/web")
    assert verdict.traffic.destination is web, "the inventory's pod, with its namespace labels"
    assert verdict.allowed and verdict.egress is not None and verdict.egress.isolated
    assert verdict == engine.evaluate("default/test", "shop/web", 80)


def test_a_side_that_no_policy_isolates_is_the_shared_not_isolated_verdict() -> None:
    engine = _cluster(DENY_EXTERNAL_EGRESS)
    verdict = engine.evaluate("default/test", "shop/web", 80)
    assert verdict.ingress is NOT_ISOLATED
    assert DirectionVerdict(isolated=False) == NOT_ISOLATED
    assert NOT_ISOLATED.allowed and NOT_ISOLATED.policy_refs == ()


# -- the tiers around the NetworkPolicies (the cookbook's admin-tier recipe) --------------------


@pytest.fixture(scope="module")
def admin_tier() -> Engine:
    return Engine(read_objects([ADMIN_TIER]), externals=["172.18.0.3"])


def test_an_admin_deny_decides_before_a_network_policy_that_admits(admin_tier: Engine) -> None:
    verdict = admin_tier.evaluate("monitoring/prometheus", "guestbook/db", 6379)
    assert not verdict.allowed
    assert verdict.ingress is not None and verdict.ingress.decided_by is not None
    assert str(verdict.ingress.decided_by) == (
        "AdminNetworkPolicy deny-db-from-monitoring (Admin tier, priority 10), ingress rule 0 "
        '"deny-monitoring"'
    )
    assert verdict.ingress.policies == () and not verdict.ingress.isolated, (
        "the NetworkPolicies were not consulted"
    )


def test_a_pass_goes_to_the_network_policies_before_a_lower_deny(admin_tier: Engine) -> None:
    verdict = admin_tier.evaluate("guestbook/ui", "guestbook/db", "redis")
    assert verdict.allowed and verdict.ingress is not None
    assert verdict.ingress.passed_by is not None and verdict.ingress.passed_by.priority == 20
    assert refs(verdict.ingress.allowed_by) == ["guestbook/allow-ui-to-db ingress rule 0"]
    assert verdict.ingress.tier == "NetworkPolicy"


def test_the_baseline_decides_only_for_pods_no_network_policy_isolates(admin_tier: Engine) -> None:
    sandbox = admin_tier.evaluate("monitoring/prometheus", "sandbox/scratch", 8080)
    assert not sandbox.allowed and sandbox.ingress is not None
    assert sandbox.ingress.tier == "Baseline"
    isolated = admin_tier.evaluate("monitoring/prometheus", "guestbook/ui", 80)
    assert isolated.allowed and isolated.ingress is not None
    assert isolated.ingress.tier == "NetworkPolicy", "the baseline's deny is not consulted"
    dns = admin_tier.evaluate("sandbox/scratch", "kube-system/coredns", "dns")
    assert dns.allowed and dns.ingress is NOT_ISOLATED, "kube-system is no subject of the baseline"


def test_ingress_from_an_address_outside_the_cluster_matches_no_cluster_wide_peer(
    admin_tier: Engine,
) -> None:
    verdict = admin_tier.evaluate("203.0.113.9", "sandbox/scratch", 8080)
    assert verdict.allowed and verdict.ingress is NOT_ISOLATED


def test_an_admin_egress_rule_to_nodes_matches_the_address_of_a_node() -> None:
    objects = [
        pod("a/web", "10.0.0.1"),
        node("kind-worker", {"role": "worker"}, ["172.18.0.3"]),
        cluster_policy(
            "AdminNetworkPolicy",
            "no-nodes",
            {
                "priority": 1,
                "subject": {"namespaces": {}},
                "egress": [
                    {"action": "Deny", "to": [{"nodes": {"matchLabels": {"role": "worker"}}}]}
                ],
            },
        ),
    ]
    engine = Engine(objects)
    to_node = engine.evaluate("a/web", "172.18.0.3", 10250)
    assert not to_node.allowed and to_node.egress is not None and to_node.ingress is None
    assert engine.evaluate("a/web", "172.18.0.4", 10250).allowed, "no node has that address"
