"""A NetworkPolicy compiled once: policyTypes defaults, rule defaults, malformed policies."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability.admin_loader import parse_cluster_policy
from podfence.reachability.loader import Document
from podfence.reachability.model import External, Pod
from podfence.reachability.policy import Policy, PolicySet, parse_policy
from podfence.reachability.ports import ContainerPort
from podfence.reachability.traffic import Traffic
from reachability.helpers import cluster_policy, policy

OUTSIDE = External(ipaddress.ip_address("203.0.113.9"))
NAME = "kubernetes.io/metadata.name"


def compile_spec(spec: dict[str, Any]) -> Policy:
    return parse_policy(policy("shop/p", spec))


def test_without_policy_types_a_policy_is_ingress_only_unless_it_has_egress_rules() -> None:
    ingress_only = compile_spec({"podSelector": {}})
    assert ingress_only.ingress == ()  # isolates for ingress, allows nothing
    assert ingress_only.egress is None
    with_egress = compile_spec({"podSelector": {}, "egress": [{}]})
    assert with_egress.ingress == ()
    assert with_egress.egress is not None and len(with_egress.egress) == 1
    empty_egress = compile_spec({"podSelector": {}, "egress": []})
    assert empty_egress.egress is None  # egress: [] is no egress rule: Ingress only
    assert compile_spec({"podSelector": {}, "policyTypes": []}).egress is None


def test_policy_types_are_honoured_in_any_order_and_rules_of_other_directions_are_ignored() -> None:
    egress_only = compile_spec(
        {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}], "egress": [{}]}
    )
    assert egress_only.ingress is None
    assert egress_only.egress is not None
    both = compile_spec({"podSelector": {}, "policyTypes": ["Egress", "Ingress"]})
    assert both.ingress == () and both.egress == ()
    assert (egress_only.isolates("ingress"), egress_only.isolates("egress")) == (False, True)
    assert both.isolates("ingress") and both.isolates("egress")


def test_an_empty_rule_admits_every_peer_on_every_port() -> None:
    compiled = compile_spec({"podSelector": {}, "ingress": [{}, {"from": [], "ports": []}]})
    assert compiled.ingress is not None
    for rule in compiled.ingress:
        assert rule.peers is None and rule.ports is None
        assert rule.peer_matches(OUTSIDE), "no peers: every address"
        assert rule.peer_matches(Pod("elsewhere", "x", {}))
        assert rule.port_matches(1234, "SCTP", OUTSIDE), "no ports: every port"
        assert rule.admits(Traffic(OUTSIDE, Pod("shop", "x", {}), 1234, "SCTP"))
        assert rule.describe() == "from anywhere on any port"


def test_an_absent_spec_or_pod_selector_selects_every_pod_of_the_namespace() -> None:
    compiled = parse_policy(
        {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}}
    )
    assert compiled.pod_selector.is_empty and compiled.selects_every_pod
    assert compiled.ingress == ()
    assert not compile_spec({"podSelector": {"matchLabels": {"app": "web"}}}).selects_every_pod
    assert compiled.egress is None


def test_rules_know_their_reference_and_describe_themselves() -> None:
    compiled = compile_spec(
        {
            "podSelector": {"matchLabels": {"app": "db"}},
            "egress": [
                {"to": [{"podSelector": {"matchLabels": {"app": "x"}}}], "ports": [{"port": 5432}]},
                {
                    "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                    "ports": [{"port": 443}, {"port": 80}],
                },
            ],
        }
    )
    assert compiled.egress is not None
    second = compiled.egress[1]
    assert (second.ref.namespace, second.ref.policy, second.ref.direction, second.ref.index) == (
        "shop",
        "p",
        "egress",
        1,
    )
    assert second.ref.describe() == "shop/p egress rule 1: to 0.0.0.0/0 on 443/TCP, 80/TCP"
    assert str(compiled.ref) == "shop/p"


def test_a_policy_without_namespace_lives_in_default() -> None:
    compiled = parse_policy({"kind": "NetworkPolicy", "metadata": {"name": "p"}, "spec": {}})
    assert compiled.namespace == "default"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"policyTypes": ["ingress"]},
            "spec.policyTypes[0]: 'ingress': must be one of Ingress, Egress",
        ),
        ({"policyTypes": "Ingress"}, "spec.policyTypes: expected a list, got 'Ingress'"),
        ({"policyTypes": {}}, "spec.policyTypes: expected a list, got {}"),
        (
            {"policyTypes": ["Ingress", "Egress", "Ingress"]},
            "spec.policyTypes: ['Ingress', 'Egress', 'Ingress']: may not specify more than two "
            "policyTypes",
        ),
        ({"ingress": {"from": []}}, "spec.ingress: expected a list of rules, got {'from': []}"),
        ({"ingress": [{"form": []}]}, "spec.ingress[0].form: unknown field (expected from, ports)"),
        ({"egress": [{"from": []}]}, "spec.egress[0].from: unknown field (expected to, ports)"),
        (
            {"ingress": [{"ports": [{"port": 80, "endPort": 70}]}]},
            "spec.ingress[0].ports[0].endPort: 70: must be greater than or equal to `port`",
        ),
        ({"podSelector": "all"}, "spec.podSelector: expected a label selector map, got 'all'"),
        (
            {"ingres": [{}]},
            "spec.ingres: unknown field (expected egress, ingress, podSelector, policyTypes)",
        ),
    ],
)
def test_a_malformed_policy_is_one_line_naming_file_policy_field_and_value(
    spec: dict[str, Any], message: str
) -> None:
    obj = Document(policy("guestbook/allow-x", spec), "policies.yaml")
    with pytest.raises(InputError) as caught:
        parse_policy(obj)
    assert str(caught.value) == f"policies.yaml: NetworkPolicy guestbook/allow-x: {message}"


def test_a_policy_without_a_name_is_rejected() -> None:
    with pytest.raises(InputError, match=r"NetworkPolicy shop/\(unnamed\): metadata.name"):
        parse_policy({"kind": "NetworkPolicy", "metadata": {"namespace": "shop"}})


def shop_pod(name: str, **labels: str) -> Pod:
    """A pod of namespace shop (team=blue) with ``labels``, as an inventory places it."""
    return Pod("shop", name, labels, namespace_labels={"team": "blue"})


def test_a_rule_admits_when_a_peer_matches_the_other_end_and_a_port_the_port() -> None:
    compiled = compile_spec(
        {
            "podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                    "ports": [{"port": 5432}],
                }
            ],
            "egress": [
                {"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}], "ports": [{"port": "metrics"}]}
            ],
        }
    )
    assert compiled.ingress is not None and compiled.egress is not None
    (ingress,), (egress,) = compiled.ingress, compiled.egress
    api, db = shop_pod("api", app="api"), shop_pod("db", app="db")
    web = shop_pod("web", app="web")
    assert ingress.admits(Traffic(api, db, 5432))
    assert not ingress.admits(Traffic(web, db, 5432)), "the source is the ingress rule's peer"
    assert not ingress.admits(Traffic(api, db, 5432, "UDP")), "5432 means 5432/TCP"
    assert ingress.other_end(Traffic(api, db, 5432)) is api
    assert egress.other_end(Traffic(db, OUTSIDE, 9100)) is OUTSIDE
    assert not egress.admits(Traffic(db, OUTSIDE, 9100)), (
        "a named port never matches an address, which declares no ports"
    )
    exporter = Pod(
        "shop",
        "exporter",
        {},
        ips=(ipaddress.ip_address("203.0.113.5"),),
        ports=(ContainerPort(9100, "TCP", "metrics"),),
    )
    assert egress.admits(Traffic(db, exporter, 9100)), "a pod IP in the block, the name declared"
    assert not egress.port_matches(9100, "TCP", shop_pod("no-ports"))


def test_a_policy_selects_pods_of_its_own_namespace_only() -> None:
    compiled = compile_spec({"podSelector": {"matchLabels": {"app": "db"}}})
    assert compiled.selects(shop_pod("db", app="db"))
    assert not compiled.selects(shop_pod("api", app="api"))
    assert not compiled.selects(Pod("other", "db", {"app": "db"}))
    assert not compile_spec({"podSelector": {}}).selects(OUTSIDE), "an address is in no namespace"


def test_a_policy_set_finds_the_policies_that_isolate_a_pod_per_direction() -> None:
    deny = compile_spec({"podSelector": {}})
    egress = parse_policy(
        policy("shop/egress", {"podSelector": {"matchLabels": {"app": "db"}}, "egress": [{}]})
    )
    elsewhere = parse_policy(policy("other/deny", {"podSelector": {}}))
    policies = PolicySet([deny, egress, elsewhere])
    db, api = shop_pod("db", app="db"), shop_pod("api", app="api")
    assert policies.isolating(db, "ingress") == (deny, egress)
    assert policies.isolating(db, "egress") == (egress,)
    assert policies.isolating(api, "egress") == ()
    assert policies.isolating(OUTSIDE, "ingress") == (), "an address is never isolated"
    assert list(policies.in_namespace("other")) == [elsewhere]
    assert len(policies) == 3


def test_a_policy_set_keeps_the_last_of_two_policies_with_one_name() -> None:
    first = compile_spec({"podSelector": {}})
    second = compile_spec({"podSelector": {"matchLabels": {"app": "x"}}})
    assert list(PolicySet([first, second])) == [second]


def test_egress_ports_are_every_numeric_port_an_egress_rule_names_once_in_order() -> None:
    first = compile_spec(
        {
            "podSelector": {},
            "ingress": [{"ports": [{"port": 8080}]}],
            "egress": [
                {"ports": [{"port": 443}, {"port": 53, "protocol": "UDP"}, {"port": "dns"}]},
                {"ports": [{"port": 8000, "endPort": 8100}]},
                {},
            ],
        }
    )
    second = parse_policy(
        policy("other/p", {"podSelector": {}, "egress": [{"ports": [{"port": 443}]}]})
    )
    assert PolicySet([first, second]).egress_ports() == [
        (443, "TCP"),
        (53, "UDP"),
        (8000, "TCP"),
    ], "ingress ports, names and repeats are left out; a range names its first port"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"ingress": [{"from": {}}]}, "spec.ingress[0].from: expected a list of peers, got {}"),
        ({"ingress": [{"from": ""}]}, "spec.ingress[0].from: expected a list of peers, got ''"),
        ({"egress": [{"to": {}}]}, "spec.egress[0].to: expected a list of peers, got {}"),
        ({"ingress": [{"ports": {}}]}, "spec.ingress[0].ports: expected a list of ports, got {}"),
        ({"ingress": [{"ports": ""}]}, "spec.ingress[0].ports: expected a list of ports, got ''"),
        ({"ingress": ""}, "spec.ingress: expected a list of rules, got ''"),
        ({"egress": {}}, "spec.egress: expected a list of rules, got {}"),
        ({"ingress": [[]]}, "spec.ingress[0]: expected a rule map, got []"),
        ({"podSelector": []}, "spec.podSelector: expected a label selector map, got []"),
        ({"podSelector": ""}, "spec.podSelector: expected a label selector map, got ''"),
        ({"policyTypes": ""}, "spec.policyTypes: expected a list, got ''"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_never_absent(
    spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_policy(Document(policy("guestbook/allow-x", spec), "policies.yaml"))
    assert str(caught.value) == f"policies.yaml: NetworkPolicy guestbook/allow-x: {message}"


@pytest.mark.parametrize(("spec", "shown"), [([], "[]"), ("", "''"), ("deny", "'deny'")])
def test_a_spec_that_is_not_a_map_is_an_error_not_a_deny_all(spec: object, shown: str) -> None:
    obj = Document(policy("guestbook/allow-x", {}), "policies.yaml")
    obj["spec"] = spec
    with pytest.raises(InputError) as caught:
        parse_policy(obj)
    assert str(caught.value) == (
        f"policies.yaml: NetworkPolicy guestbook/allow-x: spec: expected a map, got {shown}"
    )


def test_null_means_absent_as_the_api_server_decodes_it() -> None:
    null_spec = parse_policy({**policy("shop/p", {}), "spec": None})
    assert null_spec.pod_selector.is_empty and null_spec.ingress == () and null_spec.egress is None
    nulls = compile_spec(
        {"podSelector": None, "policyTypes": None, "ingress": [{"from": None, "ports": None}]}
    )
    assert nulls.ingress is not None
    assert nulls.ingress[0].describe() == "from anywhere on any port"
    assert compile_spec({"ingress": [{"from": []}]}).ingress[0].describe() == (  # type: ignore[index]
        "from anywhere on any port"
    ), "an empty from is the same as an absent one"


def test_a_null_port_entry_is_every_tcp_port_as_the_api_server_defaults_it() -> None:
    compiled = compile_spec({"ingress": [{"ports": [None]}]})
    assert compiled.ingress is not None
    assert compiled.ingress[0].describe() == "from anywhere on any TCP port"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (
            {"name": "Allow_API", "namespace": "shop"},
            "NetworkPolicy shop/Allow_API: metadata.name: 'Allow_API': a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character",
        ),
        (
            {"name": "allow", "namespace": "shop", "labels": {"team": True}},
            "NetworkPolicy shop/allow: metadata.labels.team: label value True is not a string "
            "(quote it)",
        ),
        (
            {"name": "x" * 254, "namespace": "shop"},
            f"NetworkPolicy shop/{'x' * 57}...: metadata.name: '{'x' * 56}...: must be no more than "
            "253 characters",
        ),
    ],
)
def test_a_policy_name_or_label_the_api_server_refuses_is_one_line(
    metadata: dict[str, Any], message: str
) -> None:
    obj = Document({**policy("shop/p", {}), "metadata": metadata}, "policies.yaml")
    with pytest.raises(InputError) as caught:
        parse_policy(obj)
    assert str(caught.value) == f"policies.yaml: {message}"


def test_a_rule_reads_namespace_labels_only_through_a_selector_on_other_labels() -> None:
    compiled = compile_spec(
        {
            "ingress": [
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"purpose": "production"}}}],
                    "ports": [{"port": 80}],
                },
                {"from": [{"namespaceSelector": {"matchLabels": {NAME: "payments"}}}]},
                {"from": [{"namespaceSelector": {}}]},
                {
                    "from": [
                        {
                            "namespaceSelector": {"matchLabels": {"purpose": "production"}},
                            "podSelector": {"matchLabels": {"app": "web"}},
                        }
                    ]
                },
            ]
        }
    )
    assert compiled.ingress is not None
    source = Pod("payments", "x", {"app": "api"}, namespace_labels={NAME: "payments"})
    to_80 = Traffic(source, Pod("shop", "y", {}), 80)
    to_81 = Traffic(source, Pod("shop", "y", {}), 81)
    assert [rule.reads_namespace_labels(to_80) for rule in compiled.ingress] == [
        True,  # purpose=production decides
        False,  # the name label is always there
        False,  # every namespace
        False,  # the podSelector does not match app=api: the labels change nothing
    ]
    assert not compiled.ingress[0].reads_namespace_labels(to_81), "not its port"


def test_a_policy_set_holds_the_tiers_in_order_and_probes_their_egress_ports_too() -> None:
    def anp(name: str, priority: int, ports: list[dict[str, Any]]) -> Any:
        rule = {"action": "Deny", "to": [{"namespaces": {}}], "ports": ports}
        spec = {"priority": priority, "subject": {"namespaces": {}}, "egress": [rule]}
        return parse_cluster_policy(cluster_policy("AdminNetworkPolicy", name, spec))

    np = compile_spec({"egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]})
    later = anp("later", 9, [{"portNumber": {"port": 443}}, {"namedPort": "web"}])
    first = anp("first", 1, [{"portRange": {"protocol": "UDP", "start": 53, "end": 60}}])
    policies = PolicySet([np], [later, first])
    assert list(policies) == [np] and len(policies) == 1, "iterating: the NetworkPolicies"
    assert policies.admin == (first, later) and policies.baseline == ()
    assert policies.tier("Admin") == policies.admin and policies.warnings == ()
    assert policies.egress_ports() == [(53, "UDP"), (443, "TCP")], (
        "the NetworkPolicies' first, then the cluster-wide ones' (a range: its first; no names)"
    )
