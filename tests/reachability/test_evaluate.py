"""The Analyzer: one flow evaluated step by step, lookups, and input checks."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability import Analyzer, PolicyRef, RuleRef, read_objects
from reachability.helpers import FIXTURES, namespace, pod, policy


@pytest.fixture(scope="module")
def guestbook() -> Analyzer:
    return Analyzer(read_objects([FIXTURES / "guestbook"]), externals=["203.0.113.7", "10.9.9.9"])


def refs(rules: tuple[RuleRef, ...]) -> list[str]:
    return [str(rule) for rule in rules]


def test_without_policies_everything_is_allowed_and_nothing_isolated() -> None:
    engine = Analyzer([pod("a/x", "10.0.0.1"), pod("b/y", "10.0.0.2")])
    verdict = engine.evaluate("a/x", "b/y", 80)
    assert verdict.allowed
    assert not verdict.ingress.isolated and not verdict.ingress.policies
    assert verdict.egress is not None and not verdict.egress.isolated
    assert verdict.ingress.allowed_by == ()


def test_an_allowed_flow_names_every_rule_on_both_sides(guestbook: Analyzer) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080)
    assert verdict.allowed
    assert verdict.ingress.policies == (
        PolicyRef("guestbook", "deny-all"),
        PolicyRef("guestbook", "allow-ui-to-api"),
    )
    assert refs(verdict.ingress.allowed_by) == ["guestbook/allow-ui-to-api ingress rule 0"]
    assert verdict.egress is not None
    assert refs(verdict.egress.allowed_by) == ["guestbook/egress-tiers egress rule 0"]


def test_a_flow_needs_ingress_at_the_destination_and_egress_at_the_source(
    guestbook: Analyzer,
) -> None:
    ui_to_db = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432)
    assert ui_to_db.egress is not None and ui_to_db.egress.allowed  # egress-tiers rule 1
    assert not ui_to_db.ingress.allowed
    assert not ui_to_db.allowed
    db_to_api = guestbook.evaluate("guestbook/db-0", "guestbook/api-0", 8080)
    assert db_to_api.egress is not None and not db_to_api.egress.allowed
    assert not db_to_api.allowed
    api_to_db = guestbook.evaluate("guestbook/api-0", "guestbook/db-0", 5432)
    assert api_to_db.allowed


def test_denied_rules_carry_the_reason(guestbook: Analyzer) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432)
    (miss,) = verdict.ingress.not_matching
    assert str(miss.rule) == "guestbook/allow-api-to-db ingress rule 0"
    assert miss.reason == ("guestbook/ui-0 does not match pods app=api in namespace guestbook")
    wrong_port = guestbook.evaluate("guestbook/api-0", "guestbook/db-0", 5433)
    assert wrong_port.ingress.not_matching[0].reason == "5433/TCP does not match 5432/TCP"


def test_an_external_source_has_no_egress_side_and_only_ip_blocks_match_it(
    guestbook: Analyzer,
) -> None:
    outside = guestbook.evaluate("203.0.113.7", "guestbook/ui-1", 80)
    assert outside.egress is None
    assert outside.allowed
    assert refs(outside.ingress.allowed_by) == ["guestbook/allow-web ingress rule 0"]
    excepted = guestbook.evaluate("10.9.9.9", "guestbook/ui-1", 80)
    assert not excepted.allowed  # inside except 10.0.0.0/8


def test_namespace_selectors_match_namespace_labels(guestbook: Analyzer) -> None:
    assert guestbook.evaluate("monitoring/prom-0", "guestbook/ui-0", 80).allowed
    assert not guestbook.evaluate("kube-system/coredns-0", "guestbook/ui-0", 80).allowed


def test_egress_named_and_numeric_ports_to_another_namespace(guestbook: Analyzer) -> None:
    assert guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", 53, "UDP").allowed
    assert guestbook.evaluate("guestbook/api-0", "kube-system/coredns-0", "dns-tcp").allowed
    assert not guestbook.evaluate("guestbook/db-0", "kube-system/coredns-0", 53, "UDP").allowed


def test_a_port_name_resolves_on_the_destination_pod(guestbook: Analyzer) -> None:
    verdict = guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", "api")
    assert verdict.port == 8080 and verdict.allowed
    assert guestbook.evaluate("guestbook/ui-0", "kube-system/coredns-0", "dns", "UDP").port == 53
    with pytest.raises(
        InputError, match=r"pod guestbook/api-0 has no port named 'web' \(it names: api\)"
    ):
        guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", "web")
    with pytest.raises(
        InputError, match=r"port 'dns' of kube-system/coredns-0 is 53/UDP \(dns\), not TCP"
    ):
        guestbook.evaluate("guestbook/ui-0", "kube-system/coredns-0", "dns")


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
    engine = Analyzer(objects)
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
    engine = Analyzer(objects)
    assert engine.evaluate("b/in", "a/web", 80).allowed
    assert not engine.evaluate("b/out", "a/web", 80).allowed
    assert not engine.evaluate("b/pending", "a/web", 80).allowed  # no IP: no ipBlock matches


def test_policies_only_select_pods_of_their_own_namespace() -> None:
    objects = [
        pod("a/x", "10.0.0.1", app="x"),
        pod("b/x", "10.0.0.2", app="x"),
        policy("a/deny", {"podSelector": {"matchLabels": {"app": "x"}}}),
    ]
    engine = Analyzer(objects)
    assert not engine.evaluate("b/x", "a/x", 80).allowed
    assert engine.evaluate("a/x", "b/x", 80).allowed


def test_unknown_pods_are_named_with_close_matches(guestbook: Analyzer) -> None:
    with pytest.raises(
        InputError,
        match=r"no pod 'guestbook/ui-9' in the inventory; did you mean guestbook/ui-1, guestbook/ui-0",
    ):
        guestbook.evaluate("guestbook/ui-0", "guestbook/ui-9", 80)
    with pytest.raises(
        InputError, match=r"source 'frontend' is neither a pod \(namespace/name\) nor an IP"
    ):
        guestbook.evaluate("frontend", "guestbook/ui-0", 80)
    with pytest.raises(InputError, match=r"unsupported protocol 'ICMP'"):
        guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 80, "ICMP")
    with pytest.raises(InputError, match=r"port 0 is not a port number"):
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
    engine = Analyzer(objects)
    assert engine.namespaces["b"].labels == {"kubernetes.io/metadata.name": "b"}
    assert engine.evaluate("b/y", "a/x", 80).allowed


def test_other_kinds_and_other_network_policy_apis_are_ignored() -> None:
    calico: dict[str, Any] = {
        "apiVersion": "crd.projectcalico.org/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "deny", "namespace": "a"},
        "spec": {"selector": "all()"},
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    engine = Analyzer([pod("a/x", "10.0.0.1"), pod("a/y", "10.0.0.2"), calico, service])
    assert engine.policies == ()
    assert engine.evaluate("a/y", "a/x", 80).allowed


def test_an_object_listed_twice_is_an_error() -> None:
    with pytest.raises(InputError, match=r"Pod a/x appears twice"):
        Analyzer([pod("a/x"), pod("a/x")])
    with pytest.raises(InputError, match=r"Namespace a appears twice"):
        Analyzer([namespace("a"), namespace("a")])


def test_externals_must_be_addresses() -> None:
    with pytest.raises(InputError, match=r"'10.0.0.0/8' is not an IPv4 or IPv6 address"):
        Analyzer([], externals=["10.0.0.0/8"])
    assert [e.key for e in Analyzer([], externals=["10.0.0.1", "10.0.0.1", "::1"]).externals] == [
        "10.0.0.1",
        "::1",
    ]


def test_pods_are_sorted_by_namespace_and_name() -> None:
    engine = Analyzer([pod("b/a"), pod("a/z"), pod("a/b")])
    assert [p.key for p in engine.pods] == ["a/b", "a/z", "b/a"]


def test_a_bare_name_is_a_pod_of_the_default_namespace_with_suggestions() -> None:
    engine = Analyzer([pod("default/frontend-0", "10.0.0.1")])
    assert engine.evaluate("frontend-0", "default/frontend-0", 80).source == "default/frontend-0"
    with pytest.raises(InputError) as caught:
        engine.evaluate("frontend", "frontend-0", 80)
    assert str(caught.value) == (
        "source 'frontend' is neither a pod (namespace/name) nor an IP address; "
        "did you mean default/frontend-0?"
    )


def test_an_object_that_is_not_a_map_is_rejected() -> None:
    with pytest.raises(InputError, match=r"expected a Kubernetes object \(a map\), got 'Pod'"):
        Analyzer(["Pod"])  # type: ignore[list-item]


def test_a_null_rule_is_an_empty_rule_that_admits_everything() -> None:
    objects = [pod("a/x", "10.0.0.1"), pod("b/y", "10.0.0.2"), policy("a/p", {"ingress": [None]})]
    assert Analyzer(objects).evaluate("b/y", "a/x", 80).allowed


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
    engine = Analyzer(objects)
    assert engine.evaluate("a/scraper", "a/web", 8000).allowed
    assert engine.evaluate("a/scraper", "a/web", 9100).allowed
    assert engine.evaluate("a/scraper", "a/web", "metrics").port == 8000  # the first declared
    flows = [(f.port, f.allowed) for f in engine.matrix() if f.source == "a/scraper"]
    assert flows == [(8000, True), (9100, True)]
