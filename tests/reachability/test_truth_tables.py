"""Truth tables for the reachability engine: one test per documented NetworkPolicy behaviour.

Every expectation is taken from the Kubernetes documentation
(https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the NetworkPolicy
v1 API reference), in the shape of the upstream e2e tests (test/e2e/network/netpol): namespaces
x, y, z, pods a, b, c, ports 80 and 81 on TCP, UDP and SCTP. Rows are sources (every pod, then
the external addresses of ``truth.EXTERNALS``), columns destination pods.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from podfence.errors import InputError
from podfence.reachability import DirectionVerdict, PolicyRef, Verdict
from truth import (
    EXTERNAL_IN_CIDR,
    EXTERNAL_IN_EXCEPT,
    EXTERNAL_OUTSIDE,
    EXTERNAL_V6,
    EXTERNALS,
    MODEL,
    PORT_PROTOCOLS,
    Json,
    Model,
    Reachability,
    analyzer,
    egress_rule,
    expr,
    ingress_rule,
    ip_block,
    namespaces,
    netpol,
    ns_name,
    pods,
    pods_in,
    port,
    sel,
)

POD_A = sel({"pod": "a"})
POD_B = sel({"pod": "b"})
X_PODS = ["x/a", "x/b", "x/c"]
Y_PODS = ["y/a", "y/b", "y/c"]
Z_PODS = ["z/a", "z/b", "z/c"]


def only_from(sources: list[str], destination: str) -> Reachability:
    """Everything allowed except into ``destination``, which only ``sources`` reach."""
    reach = Reachability(True).expect_all_ingress(destination, False)
    reach.expect_sources(sources, destination, True)
    return reach


def rule_descriptions(side: DirectionVerdict) -> list[str]:
    """``describe()`` of every rule in a direction's allowed_by, in order."""
    return [ref.describe() for ref in side.allowed_by]


def policy_names(refs: tuple[PolicyRef, ...]) -> set[str]:
    """``namespace/name`` of each PolicyRef."""
    return {f"{ref.namespace}/{ref.name}" for ref in refs}


# --- isolation and defaults ----------------------------------------------------------------


def test_without_policies_every_pod_and_external_reaches_every_pod_on_every_port() -> None:
    Reachability(True).check_all(analyzer(), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(netpol("deny-ingress", "x"), id="no-policyTypes-no-ingress"),
        pytest.param(netpol("deny-ingress", "x", types=["Ingress"]), id="policyTypes-Ingress"),
        pytest.param(
            netpol("deny-ingress", "x", types=["Ingress"], ingress=[]), id="empty-ingress-list"
        ),
        pytest.param(netpol("deny-ingress", "x", ingress=[]), id="empty-ingress-no-types"),
    ],
)
def test_default_deny_ingress_in_x_denies_everything_into_x_and_nothing_else(
    policy: Json,
) -> None:
    reach = Reachability(True).expect_peer(to_ns="x", allowed=False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(netpol("deny-egress", "x", types=["Egress"]), id="no-egress-field"),
        pytest.param(
            netpol("deny-egress", "x", types=["Egress"], egress=[]), id="empty-egress-list"
        ),
    ],
)
def test_default_deny_egress_in_x_denies_everything_out_of_x_and_leaves_ingress_open(
    policy: Json,
) -> None:
    reach = Reachability(True).expect_peer(from_ns="x", allowed=False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_default_deny_all_in_x_denies_everything_into_and_out_of_x() -> None:
    policy = netpol("deny-all", "x", types=["Ingress", "Egress"])
    reach = Reachability(True).expect_peer(to_ns="x", allowed=False)
    reach.expect_peer(from_ns="x", allowed=False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_ingress_list_with_one_empty_rule_allows_all_ingress() -> None:
    policy = netpol("allow-all", "x", ingress=[{}], types=["Ingress"])
    Reachability(True).check_all(analyzer(policy), PORT_PROTOCOLS)


def test_allow_all_ingress_next_to_default_deny_restores_all_ingress_as_policies_add_up() -> None:
    deny = netpol("deny-ingress", "x", types=["Ingress"])
    allow = netpol("allow-all", "x", ingress=[{}])
    Reachability(True).check_all(analyzer(deny, allow), PORT_PROTOCOLS)


def test_allow_all_egress_next_to_default_deny_egress_restores_all_egress() -> None:
    deny = netpol("deny-egress", "x", types=["Egress"])
    allow = netpol("allow-all-egress", "x", egress=[{}], types=["Egress"])
    Reachability(True).check_all(analyzer(deny, allow), PORT_PROTOCOLS)


def test_an_empty_ingress_list_allows_nothing_into_the_selected_pod_only() -> None:
    policy = netpol("a-deny", "x", POD_A, ingress=[], types=["Ingress"])
    reach = Reachability(True).expect_all_ingress("x/a", False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


@pytest.mark.parametrize("types", [None, []], ids=["policyTypes-absent", "policyTypes-empty"])
def test_without_policy_types_egress_rules_make_the_policy_isolate_egress_too(
    types: list[str] | None,
) -> None:
    # "If no policyTypes are specified on a NetworkPolicy then by default Ingress will always be
    # set and Egress will be set if the NetworkPolicy has any egress rules." An empty list is
    # defaulted the same way by the API server (len(policyTypes) == 0).
    policy = netpol(
        "only-to-y", "x", egress=[egress_rule(namespaces(sel({"ns": "y"})))], types=types
    )
    reach = Reachability(True).expect_peer(to_ns="x", allowed=False)
    reach.expect_peer(from_ns="x", allowed=False)
    reach.expect_peer(from_ns="x", to_ns="y", allowed=True)
    engine = analyzer(policy)
    reach.check_all(engine, PORT_PROTOCOLS)
    verdict = engine.evaluate("x/a", "z/a", 80)
    assert verdict.egress is not None
    assert verdict.egress.isolated
    assert verdict.ingress.isolated is False


def test_without_policy_types_and_without_egress_rules_only_ingress_is_restricted() -> None:
    policy = netpol("a-from-b", "x", POD_A, ingress=[ingress_rule(pods(POD_B))])
    engine = analyzer(policy)
    only_from(["x/b"], "x/a").check_all(engine, PORT_PROTOCOLS)
    verdict = engine.evaluate("x/a", "z/c", 81, "UDP")
    assert verdict.allowed
    assert verdict.egress is not None
    assert verdict.egress.isolated is False


def test_an_empty_egress_list_without_policy_types_does_not_isolate_egress() -> None:
    # The API server adds Egress only "if the NetworkPolicy has any egress rules"; `egress: []`
    # has none (SetDefaults_NetworkPolicy: `if len(obj.Spec.Egress) != 0`).
    policy = netpol("a-isolated", "x", POD_A, ingress=[], egress=[])
    reach = Reachability(True).expect_all_ingress("x/a", False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    "types",
    [["Ingress", "Egress"], ["Egress", "Ingress"]],
    ids=["Ingress,Egress", "Egress,Ingress"],
)
def test_the_order_of_policy_types_does_not_matter(types: list[str]) -> None:
    policy = netpol(
        "a-both",
        "x",
        POD_A,
        ingress=[ingress_rule(pods(POD_B))],
        egress=[egress_rule(pods(sel({"pod": "c"})))],
        types=types,
    )
    reach = only_from(["x/b"], "x/a").expect_all_egress("x/a", False)
    reach.expect("x/a", "x/c", True)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    ("types", "ingress_isolated", "egress_isolated"),
    [(["Egress"], False, True), (["Ingress"], True, False)],
    ids=["Egress-only-ignores-ingress-rules", "Ingress-only-ignores-egress-rules"],
)
def test_rules_for_a_direction_missing_from_policy_types_have_no_effect(
    types: list[str], ingress_isolated: bool, egress_isolated: bool
) -> None:
    policy = netpol(
        "a-typed",
        "x",
        POD_A,
        ingress=[ingress_rule(pods(POD_B))],
        egress=[egress_rule(pods(POD_B))],
        types=types,
    )
    reach = Reachability(True)
    if ingress_isolated:
        reach.expect_all_ingress("x/a", False).expect("x/b", "x/a", True)
    if egress_isolated:
        reach.expect_all_egress("x/a", False).expect("x/a", "x/b", True)
    engine = analyzer(policy)
    reach.check_all(engine, PORT_PROTOCOLS)
    verdict = engine.evaluate("x/a", "x/c", 80)
    assert verdict.ingress.isolated is False  # x/c is not selected at all
    assert verdict.egress is not None
    assert verdict.egress.isolated is egress_isolated
    assert engine.evaluate("y/a", "x/a", 80).ingress.isolated is ingress_isolated


def test_a_policy_in_another_namespace_does_not_affect_pods_here() -> None:
    # The policy selects pod=a, but only in its own namespace y: x/a and z/a stay open.
    policy = netpol("y-a-deny-all", "y", POD_A, types=["Ingress", "Egress"])
    reach = Reachability(True).expect_all_ingress("y/a", False).expect_all_egress("y/a", False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_a_policy_whose_pod_selector_matches_no_pod_changes_nothing() -> None:
    policy = netpol("nobody", "x", sel({"pod": "d"}), types=["Ingress", "Egress"])
    Reachability(True).check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_ingress_only_and_an_egress_only_policy_each_restrict_their_own_direction() -> None:
    inbound = netpol("a-in", "x", POD_A, ingress=[ingress_rule(pods(POD_B))], types=["Ingress"])
    outbound = netpol(
        "a-out", "x", POD_A, egress=[egress_rule(namespaces(sel({"ns": "z"})))], types=["Egress"]
    )
    reach = only_from(["x/b"], "x/a").expect_all_egress("x/a", False)
    reach.expect_peer(from_ns="x", from_pod="a", to_ns="z", allowed=True)
    reach.check_all(analyzer(inbound, outbound), PORT_PROTOCOLS)


# --- peers ---------------------------------------------------------------------------------


def test_a_pod_selector_peer_matches_pods_in_the_policy_namespace_only() -> None:
    policy = netpol("a-from-b", "x", POD_A, ingress=[ingress_rule(pods(POD_B))])
    only_from(["x/b"], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_empty_pod_selector_peer_matches_every_pod_of_the_policy_namespace() -> None:
    policy = netpol("a-from-x", "x", POD_A, ingress=[ingress_rule(pods(sel()))])
    only_from(["x/b", "x/c"], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_a_namespace_selector_peer_matches_every_pod_of_the_selected_namespaces() -> None:
    policy = netpol("a-from-y", "x", POD_A, ingress=[ingress_rule(namespaces(sel({"ns": "y"})))])
    only_from(Y_PODS, "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_a_namespace_selector_peer_includes_the_policy_namespace_when_it_matches() -> None:
    selector = sel(None, expr("ns", "In", "x", "y"))
    policy = netpol("a-from-x-y", "x", POD_A, ingress=[ingress_rule(namespaces(selector))])
    only_from(["x/b", "x/c", *Y_PODS], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_empty_namespace_selector_matches_every_pod_of_every_namespace_but_no_external() -> None:
    policy = netpol("a-from-cluster", "x", POD_A, ingress=[ingress_rule(namespaces(sel()))])
    reach = only_from([p for p in MODEL.pods if p != "x/a"], "x/a")
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_both_selectors_in_one_peer_select_matching_pods_in_matching_namespaces() -> None:
    peer = pods_in(sel({"ns": "y"}), POD_B)
    policy = netpol("a-from-y-b", "x", POD_A, ingress=[ingress_rule(peer)])
    only_from(["y/b"], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_the_same_selectors_as_two_peers_select_either_set_the_indentation_mistake() -> None:
    # "contains two elements in the from array, and allows connections from Pods in the local
    # Namespace with the label role=client, or from any Pod in any namespace with the label
    # user=alice."
    rule = ingress_rule(namespaces(sel({"ns": "y"})), pods(POD_B))
    policy = netpol("a-from-y-or-b", "x", POD_A, ingress=[rule])
    only_from(["x/b", *Y_PODS], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_empty_namespace_selector_with_a_pod_selector_matches_those_pods_everywhere() -> None:
    policy = netpol("a-from-any-b", "x", POD_A, ingress=[ingress_rule(pods_in(sel(), POD_B))])
    only_from(["x/b", "y/b", "z/b"], "x/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_a_policy_selects_pods_by_match_expressions() -> None:
    selector = sel(None, expr("pod", "In", "a", "b"))
    policy = netpol("a-b-deny", "x", selector, ingress=[], types=["Ingress"])
    reach = Reachability(True).expect_all_ingress("x/a", False).expect_all_ingress("x/b", False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


LABELLED = Model(
    namespace_labels={"y": {"env": "prod"}, "z": {"env": "dev"}},
    pod_labels={"x/b": {"tier": "web"}, "y/b": {"tier": "db"}, "z/c": {"tier": "web"}},
)


@pytest.mark.parametrize(
    ("selector", "allowed"),
    [
        pytest.param(sel(None, expr("env", "In", "prod")), Y_PODS, id="In"),
        pytest.param(
            sel(None, expr("env", "NotIn", "prod")), ["x/b", "x/c", *Z_PODS], id="NotIn-incl-no-key"
        ),
        pytest.param(sel(None, expr("env", "Exists")), [*Y_PODS, *Z_PODS], id="Exists"),
        pytest.param(sel(None, expr("env", "DoesNotExist")), ["x/b", "x/c"], id="DoesNotExist"),
        pytest.param(
            sel({"ns": "z"}, expr("env", "In", "prod", "dev")), Z_PODS, id="matchLabels-AND-expr"
        ),
    ],
)
def test_namespace_selector_match_expressions_select_namespaces(
    selector: Json, allowed: list[str]
) -> None:
    policy = netpol("a-from-ns", "x", POD_A, ingress=[ingress_rule(namespaces(selector))])
    only_from(allowed, "x/a").check_all(analyzer(policy, model=LABELLED), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    ("selector", "allowed"),
    [
        pytest.param(sel(None, expr("tier", "In", "web")), ["x/b", "z/c"], id="In"),
        pytest.param(
            sel(None, expr("tier", "NotIn", "web")),
            ["x/c", *Y_PODS, "z/a", "z/b"],
            id="NotIn-incl-no-key",
        ),
        pytest.param(sel(None, expr("tier", "Exists")), ["x/b", "y/b", "z/c"], id="Exists"),
        pytest.param(
            sel(None, expr("tier", "DoesNotExist")),
            ["x/c", "y/a", "y/c", "z/a", "z/b"],
            id="DoesNotExist",
        ),
        pytest.param(sel(POD_B["matchLabels"], expr("tier", "Exists")), ["x/b", "y/b"], id="AND"),
        pytest.param(
            sel(None, expr("tier", "In", "web", "db"), expr("pod", "NotIn", "c")),
            ["x/b", "y/b"],
            id="two-expressions-AND",
        ),
    ],
)
def test_pod_selector_match_expressions_select_pods(selector: Json, allowed: list[str]) -> None:
    policy = netpol("a-from-pods", "x", POD_A, ingress=[ingress_rule(pods_in(sel(), selector))])
    only_from(allowed, "x/a").check_all(analyzer(policy, model=LABELLED), PORT_PROTOCOLS)


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(ingress_rule(ports=[port(80)]), id="from-omitted"),
        pytest.param({"from": [], "ports": [port(80)]}, id="from-empty-list"),
    ],
)
def test_an_ingress_rule_without_sources_admits_every_source_including_externals(
    rule: Json,
) -> None:
    engine = analyzer(netpol("a-80", "x", POD_A, ingress=[rule]))
    Reachability(True).check(engine, 80, "TCP")
    Reachability(True).expect_all_ingress("x/a", False).check_all(
        engine, [(81, "TCP"), (80, "UDP"), (80, "SCTP")]
    )


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(egress_rule(ports=[port(80)]), id="to-omitted"),
        pytest.param({"to": [], "ports": [port(80)]}, id="to-empty-list"),
    ],
)
def test_an_egress_rule_without_destinations_admits_every_destination(rule: Json) -> None:
    engine = analyzer(netpol("a-out-80", "x", POD_A, egress=[rule], types=["Egress"]))
    Reachability(True).check(engine, 80, "TCP")
    Reachability(True).expect_all_egress("x/a", False).check_all(
        engine, [(81, "TCP"), (80, "UDP"), (80, "SCTP")]
    )


def test_a_rule_admits_only_traffic_matching_both_its_peers_and_its_ports() -> None:
    policy = netpol(
        "a-from-b-80", "x", POD_A, ingress=[ingress_rule(pods(POD_B), ports=[port(80)])]
    )
    engine = analyzer(policy)
    only_from(["x/b"], "x/a").check(engine, 80, "TCP")
    only_from([], "x/a").check_all(engine, [(81, "TCP"), (80, "UDP")])


def test_two_policies_selecting_the_same_pod_allow_the_union_of_their_rules() -> None:
    from_b = netpol("a-from-b", "x", POD_A, ingress=[ingress_rule(pods(POD_B))])
    from_y = netpol("a-from-y", "x", POD_A, ingress=[ingress_rule(namespaces(sel({"ns": "y"})))])
    only_from(["x/b", *Y_PODS], "x/a").check_all(analyzer(from_b, from_y), PORT_PROTOCOLS)


def test_two_rules_of_one_policy_allow_the_union_of_what_each_allows() -> None:
    rules = [
        ingress_rule(pods(POD_B), ports=[port(80)]),
        ingress_rule(namespaces(sel({"ns": "z"})), ports=[port(81)]),
    ]
    engine = analyzer(netpol("a-two-rules", "x", POD_A, ingress=rules))
    only_from(["x/b"], "x/a").check(engine, 80, "TCP")
    only_from(Z_PODS, "x/a").check(engine, 81, "TCP")
    only_from([], "x/a").check(engine, 81, "UDP")


# --- ports ---------------------------------------------------------------------------------


def test_a_numeric_port_admits_that_port_on_tcp_only_since_protocol_defaults_to_tcp() -> None:
    engine = analyzer(netpol("a-81", "x", POD_A, ingress=[ingress_rule(ports=[port(81)])]))
    Reachability(True).check(engine, 81, "TCP")
    closed = Reachability(True).expect_all_ingress("x/a", False)
    closed.check_all(engine, [(80, "TCP"), (81, "UDP"), (81, "SCTP"), (80, "UDP")])


@pytest.mark.parametrize("protocol", ["UDP", "SCTP", "TCP"])
def test_a_port_on_one_protocol_does_not_admit_the_same_number_on_another(protocol: str) -> None:
    engine = analyzer(
        netpol("a-80-proto", "x", POD_A, ingress=[ingress_rule(ports=[port(80, protocol)])])
    )
    for number, proto in PORT_PROTOCOLS:
        reach = Reachability(True)
        if (number, proto) != (80, protocol):
            reach.expect_all_ingress("x/a", False)
        reach.check(engine, number, proto)


def test_a_rule_with_several_ports_admits_each_of_them_and_nothing_else() -> None:
    rule = ingress_rule(ports=[port(80), port(81, "UDP"), port(80, "SCTP", end_port=80)])
    engine = analyzer(netpol("a-three-ports", "x", POD_A, ingress=[rule]))
    Reachability(True).check_all(engine, [(80, "TCP"), (81, "UDP"), (80, "SCTP")])
    closed = Reachability(True).expect_all_ingress("x/a", False)
    closed.check_all(engine, [(81, "TCP"), (80, "UDP"), (81, "SCTP")])


def test_a_protocol_without_a_port_admits_every_port_of_that_protocol() -> None:
    engine = analyzer(
        netpol("a-udp", "x", POD_A, ingress=[ingress_rule(ports=[port(None, "UDP")])])
    )
    Reachability(True).check_all(engine, [(80, "UDP"), (81, "UDP"), (5353, "UDP")])
    closed = Reachability(True).expect_all_ingress("x/a", False)
    closed.check_all(engine, [(80, "TCP"), (81, "TCP"), (80, "SCTP"), (81, "SCTP")])


def test_an_end_port_admits_the_inclusive_range_from_port_to_end_port() -> None:
    rule = ingress_rule(ports=[port(81, end_port=90)])
    engine = analyzer(netpol("a-81-90", "x", POD_A, ingress=[rule]))
    for number in (81, 85, 90):
        Reachability(True, destinations=["x/a"]).check(engine, number, "TCP")
    for number in (80, 91):
        Reachability(False, destinations=["x/a"]).check(engine, number, "TCP")
    Reachability(False, destinations=["x/a"]).check_all(engine, [(81, "UDP"), (85, "SCTP")])


def test_an_end_port_range_on_udp_admits_only_udp_in_the_range() -> None:
    rule = ingress_rule(ports=[port(79, "UDP", end_port=80)])
    engine = analyzer(netpol("a-udp-79-80", "x", POD_A, ingress=[rule]))
    Reachability(True).check(engine, 80, "UDP")
    closed = Reachability(True).expect_all_ingress("x/a", False)
    closed.check_all(engine, [(81, "UDP"), (80, "TCP"), (80, "SCTP")])


def test_a_named_port_admits_the_container_port_with_that_name_and_protocol() -> None:
    rule = ingress_rule(ports=[port("serve-81-udp", "UDP")])
    engine = analyzer(netpol("a-named", "x", POD_A, ingress=[rule]))
    Reachability(True).check(engine, 81, "UDP")
    closed = Reachability(True).expect_all_ingress("x/a", False)
    closed.check_all(engine, [(80, "UDP"), (81, "TCP"), (81, "SCTP"), (80, "TCP")])


RENAMED = Model(port_names={("x/a", 80, "TCP"): "web", ("x/b", 81, "TCP"): "web"})


def test_a_named_port_resolves_on_each_destination_pod_separately() -> None:
    # x/a calls 80/TCP "web", x/b calls 81/TCP "web", x/c has no port named "web".
    policy = netpol("x-web", "x", ingress=[ingress_rule(ports=[port("web")])])
    engine = analyzer(policy, model=RENAMED)
    on_80 = Reachability(True).expect_peer(to_ns="x", allowed=False)
    on_80.expect_all_ingress("x/a", True).check(engine, 80, "TCP")
    on_81 = Reachability(True).expect_peer(to_ns="x", allowed=False)
    on_81.expect_all_ingress("x/b", True).check(engine, 81, "TCP")
    Reachability(True).expect_peer(to_ns="x", allowed=False).check_all(
        engine, [(80, "UDP"), (81, "UDP"), (80, "SCTP")]
    )


def test_a_named_port_in_an_egress_rule_resolves_on_the_destination_pod() -> None:
    policy = netpol("z-out-web", "z", egress=[egress_rule(ports=[port("web")])], types=["Egress"])
    engine = analyzer(policy, model=RENAMED)
    on_80 = Reachability(True).expect_peer(from_ns="z", allowed=False)
    on_80.expect_peer(from_ns="z", to_ns="x", to_pod="a", allowed=True).check(engine, 80, "TCP")
    on_81 = Reachability(True).expect_peer(from_ns="z", allowed=False)
    on_81.expect_peer(from_ns="z", to_ns="x", to_pod="b", allowed=True).check(engine, 81, "TCP")


@pytest.mark.parametrize(
    "named",
    [
        pytest.param(port("no-such-port"), id="unknown-name"),
        pytest.param(port("serve-80-udp"), id="name-of-a-udp-port-with-default-tcp"),
        pytest.param(port("serve-80-tcp", "UDP"), id="name-of-a-tcp-port-with-udp"),
    ],
)
def test_a_named_port_that_matches_no_container_port_admits_nothing(named: Json) -> None:
    engine = analyzer(netpol("x-named", "x", ingress=[ingress_rule(ports=[named])]))
    Reachability(True).expect_peer(to_ns="x", allowed=False).check_all(engine, PORT_PROTOCOLS)


def test_a_port_given_by_name_to_evaluate_resolves_on_the_destination_pod() -> None:
    engine = analyzer(netpol("x-80", "x", ingress=[ingress_rule(ports=[port(80)])]), model=RENAMED)
    assert engine.evaluate("y/a", "x/a", "web").allowed  # web is 80/TCP on x/a
    assert not engine.evaluate("y/a", "x/b", "web").allowed  # web is 81/TCP on x/b
    assert engine.evaluate("y/a", "x/c", "serve-80-tcp").allowed
    assert not engine.evaluate("y/a", "x/c", "serve-81-tcp").allowed


# --- both ends -----------------------------------------------------------------------------


def test_egress_allowed_at_the_source_is_not_enough_when_the_destination_denies_ingress() -> None:
    a_to_y = netpol(
        "a-to-y", "x", POD_A, egress=[egress_rule(namespaces(sel({"ns": "y"})))], types=["Egress"]
    )
    b_closed = netpol("b-closed", "y", POD_B, types=["Ingress"])
    reach = Reachability(True).expect_all_egress("x/a", False)
    reach.expect_peer(from_ns="x", from_pod="a", to_ns="y", allowed=True)
    reach.expect_all_ingress("y/b", False)
    engine = analyzer(a_to_y, b_closed)
    reach.check_all(engine, PORT_PROTOCOLS)
    verdict = engine.evaluate("x/a", "y/b", 80)
    assert verdict.egress is not None
    assert (verdict.allowed, verdict.egress.allowed, verdict.ingress.allowed) == (
        False,
        True,
        False,
    )


def test_ingress_allowed_at_the_destination_is_not_enough_when_the_source_denies_egress() -> None:
    b_from_x_a = netpol(
        "b-from-x-a", "y", POD_B, ingress=[ingress_rule(pods_in(sel({"ns": "x"}), POD_A))]
    )
    a_closed = netpol("a-closed", "x", POD_A, types=["Egress"])
    reach = Reachability(True).expect_all_ingress("y/b", False).expect_all_egress("x/a", False)
    engine = analyzer(b_from_x_a, a_closed)
    reach.check_all(engine, PORT_PROTOCOLS)
    verdict = engine.evaluate("x/a", "y/b", 80)
    assert verdict.egress is not None
    assert (verdict.allowed, verdict.egress.allowed, verdict.ingress.allowed) == (
        False,
        False,
        True,
    )


def test_traffic_allowed_by_both_the_egress_and_the_ingress_policy_gets_through() -> None:
    a_to_b = netpol(
        "a-to-y-b",
        "x",
        POD_A,
        egress=[egress_rule(pods_in(sel({"ns": "y"}), POD_B))],
        types=["Egress"],
    )
    b_from_a = netpol(
        "b-from-x-a", "y", POD_B, ingress=[ingress_rule(pods_in(sel({"ns": "x"}), POD_A))]
    )
    reach = only_from(["x/a"], "y/b").expect_all_egress("x/a", False).expect("x/a", "y/b", True)
    reach.check_all(analyzer(a_to_b, b_from_a), PORT_PROTOCOLS)


# --- ipBlock -------------------------------------------------------------------------------


def test_an_ip_block_admits_pods_and_externals_in_the_cidr_but_not_in_an_except() -> None:
    # 10.0.1.0/24 holds x's pods (x/a 10.0.1.10, x/b .20, x/c .30); 10.0.1.8/29 holds x/a only.
    policy = netpol(
        "a-from-block", "y", POD_A, ingress=[ingress_rule(ip_block("10.0.1.0/24", "10.0.1.8/29"))]
    )
    reach = only_from(["x/b", "x/c", EXTERNAL_IN_CIDR], "y/a")
    reach.expect("x/a", "y/a", False).expect(EXTERNAL_IN_EXCEPT, "y/a", False)
    # x/a, EXTERNAL_IN_EXCEPT (in the except), EXTERNAL_OUTSIDE, EXTERNAL_V6 and y, z stay denied.
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_address_excepted_by_one_ip_block_is_admitted_by_another_peer_that_holds_it() -> None:
    # e2e: "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed".
    rule = ingress_rule(ip_block("10.0.1.0/24", "10.0.1.8/29"), ip_block("10.0.1.10/32"))
    policy = netpol("a-from-blocks", "y", POD_A, ingress=[rule])
    only_from([*X_PODS, EXTERNAL_IN_CIDR], "y/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_the_documentation_example_admits_the_union_of_its_three_peers_on_its_one_port() -> None:
    # The test-network-policy example: from an ipBlock with an except, OR a namespaceSelector,
    # OR a podSelector, on TCP port 6379 only (here 80); egress to one CIDR on one port.
    policy = netpol(
        "test-network-policy",
        "y",
        POD_A,
        types=["Ingress", "Egress"],
        ingress=[
            ingress_rule(
                ip_block("10.0.1.0/24", "10.0.1.8/29"),
                namespaces(sel({"ns": "z"})),
                pods(POD_B),
                ports=[port(80, "TCP")],
            )
        ],
        egress=[egress_rule(ip_block("10.0.3.0/24"), ports=[port(81, "TCP")])],
    )
    engine = analyzer(policy)
    on_80 = only_from(["x/b", "x/c", EXTERNAL_IN_CIDR, *Z_PODS, "y/b"], "y/a")
    on_80.expect_all_egress("y/a", False).check(engine, 80, "TCP")
    on_81 = only_from([], "y/a").expect_all_egress("y/a", False)
    on_81.expect_peer(from_ns="y", from_pod="a", to_ns="z", allowed=True).check(engine, 81, "TCP")
    closed = only_from([], "y/a").expect_all_egress("y/a", False)
    closed.check_all(engine, [(80, "UDP"), (81, "UDP"), (80, "SCTP"), (81, "SCTP")])


def test_an_ipv6_block_admits_only_addresses_of_that_family_inside_it() -> None:
    policy = netpol("a-from-v6", "y", POD_A, ingress=[ingress_rule(ip_block("2001:db8::/32"))])
    only_from([EXTERNAL_V6], "y/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_ip_block_of_one_pod_address_admits_exactly_that_pod() -> None:
    policy = netpol("a-from-z-c", "y", POD_A, ingress=[ingress_rule(ip_block("10.0.3.30/32"))])
    only_from(["z/c"], "y/a").check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_ip_block_in_an_egress_rule_admits_the_pods_whose_addresses_it_holds() -> None:
    # y's pods are 10.0.2.10, .20, .30; the except removes y/b.
    policy = netpol(
        "x-to-block",
        "x",
        egress=[egress_rule(ip_block("10.0.2.0/24", "10.0.2.20/32"))],
        types=["Egress"],
    )
    reach = Reachability(True).expect_peer(from_ns="x", allowed=False)
    reach.expect_peer(from_ns="x", to_ns="y", allowed=True)
    reach.expect_peer(from_ns="x", to_ns="y", to_pod="b", allowed=False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_an_ip_block_matches_a_pod_by_any_of_its_addresses_and_never_a_pod_without_one() -> None:
    # y/c is dual-stack (10.0.2.30 and fd00::30); z/a has no IP yet (Pending).
    model = Model(addresses={"y/c": ("10.0.2.30", "fd00::30"), "z/a": ()})
    v6 = netpol("a-from-v6", "x", POD_A, ingress=[ingress_rule(ip_block("fd00::/64"))])
    only_from(["y/c"], "x/a").check_all(analyzer(v6, model=model), PORT_PROTOCOLS)
    everything = ingress_rule(ip_block("0.0.0.0/0"), ip_block("::/0"))
    anywhere = netpol("b-from-any-address", "x", POD_B, ingress=[everything])
    reach = Reachability(True, model=model).expect("z/a", "x/b", False)
    reach.check_all(analyzer(anywhere, model=model), PORT_PROTOCOLS)


def test_an_ip_block_of_all_ipv4_addresses_admits_every_pod_and_ipv4_external_only() -> None:
    policy = netpol("a-from-v4", "x", POD_A, ingress=[ingress_rule(ip_block("0.0.0.0/0"))])
    reach = Reachability(True).expect(EXTERNAL_V6, "x/a", False)
    reach.check_all(analyzer(policy), PORT_PROTOCOLS)


def test_a_pod_selector_peer_never_admits_external_addresses() -> None:
    policy = netpol("a-from-all-x", "x", POD_A, ingress=[ingress_rule(pods(sel()))])
    engine = analyzer(policy)
    for address in EXTERNALS:
        assert not engine.evaluate(address, "x/a", 80).allowed, address


# --- namespaces by name (the DNS rule) -----------------------------------------------------

DNS_POLICY = netpol(
    "allow-dns",
    "x",
    egress=[
        egress_rule(
            pods_in(ns_name("z"), sel({"pod": "c"})), ports=[port(53, "UDP"), port(53, "TCP")]
        )
    ],
    types=["Egress"],
)


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(MODEL, id="namespace-objects-with-name-label"),
        pytest.param(Model(name_label_on_objects=False), id="name-label-missing-on-objects"),
        pytest.param(Model(namespace_objects=False), id="no-namespace-objects"),
    ],
)
def test_egress_to_dns_by_namespace_name_label_admits_only_port_53_to_the_dns_pod(
    model: Model,
) -> None:
    engine = analyzer(DNS_POLICY, model=model)
    dns = Reachability(True, model=model).expect_peer(from_ns="x", allowed=False)
    dns.expect_peer(from_ns="x", to_ns="z", to_pod="c", allowed=True)
    dns.check_all(engine, [(53, "UDP"), (53, "TCP")])
    closed = Reachability(True, model=model).expect_peer(from_ns="x", allowed=False)
    closed.check_all(engine, [(53, "SCTP"), (80, "TCP"), (81, "UDP")])


def test_a_namespace_label_is_unknown_when_the_namespace_object_is_missing() -> None:
    # Without Namespace objects a namespace has only kubernetes.io/metadata.name: ns=y selects none.
    model = Model(namespace_objects=False)
    policy = netpol("a-from-y", "x", POD_A, ingress=[ingress_rule(namespaces(sel({"ns": "y"})))])
    only_from([], "x/a").check(analyzer(policy, model=model), 80, "TCP")


# --- the verdict ---------------------------------------------------------------------------


def test_a_verdict_names_every_rule_that_admits_the_traffic_and_only_those() -> None:
    first = netpol(
        "a-from-c-or-b",
        "x",
        POD_A,
        ingress=[
            ingress_rule(pods(sel({"pod": "c"}))),  # rule 0: not x/b
            ingress_rule(pods(POD_B)),  # rule 1: x/b
            ingress_rule(pods(sel()), ports=[port(80)]),  # rule 2: x/b too
        ],
    )
    second = netpol("a-from-cluster", "x", POD_A, ingress=[ingress_rule(namespaces(sel()))])
    third = netpol("a-from-y", "x", POD_A, ingress=[ingress_rule(namespaces(sel({"ns": "y"})))])
    verdict = analyzer(first, second, third).evaluate("x/b", "x/a", 80)
    assert isinstance(verdict, Verdict)
    assert verdict.allowed
    assert verdict.ingress.isolated
    assert verdict.ingress.allowed
    assert policy_names(verdict.ingress.policies) == {
        "x/a-from-c-or-b",
        "x/a-from-cluster",
        "x/a-from-y",
    }
    heads = sorted(text.split(":")[0] for text in rule_descriptions(verdict.ingress))
    assert heads == [
        "x/a-from-c-or-b ingress rule 1",
        "x/a-from-c-or-b ingress rule 2",
        "x/a-from-cluster ingress rule 0",
    ]
    refs = verdict.ingress.allowed_by
    assert {ref.direction for ref in refs} == {"ingress"}
    assert {ref.namespace for ref in refs} == {"x"}


def test_a_denied_verdict_has_no_admitting_rule_and_names_the_isolating_policies() -> None:
    deny = netpol("deny-all", "x", types=["Ingress"])
    allow = netpol("a-from-b", "x", POD_A, ingress=[ingress_rule(pods(POD_B))])
    verdict = analyzer(deny, allow).evaluate("x/c", "x/a", 81, "UDP")
    assert not verdict.allowed
    assert verdict.ingress.isolated
    assert not verdict.ingress.allowed
    assert verdict.ingress.allowed_by == ()
    assert policy_names(verdict.ingress.policies) == {"x/deny-all", "x/a-from-b"}
    assert verdict.egress is not None
    assert verdict.egress.allowed
    assert not verdict.egress.isolated


def test_a_pod_no_policy_selects_is_not_isolated_and_is_allowed_by_no_rule() -> None:
    other = netpol("y-a-deny-all", "y", POD_A, types=["Ingress", "Egress"])
    verdict = analyzer(other).evaluate("x/a", "y/b", 80)
    assert verdict.allowed
    for side in (verdict.ingress, verdict.egress):
        assert side is not None
        assert (side.isolated, side.allowed, side.policies, side.allowed_by) == (
            False,
            True,
            (),
            (),
        )


def test_an_external_source_has_no_egress_side_and_its_ingress_rule_is_named() -> None:
    deny_egress = netpol("deny-egress", "y", types=["Egress"])
    block = netpol("a-from-block", "y", POD_A, ingress=[ingress_rule(ip_block("10.0.0.0/8"))])
    engine = analyzer(deny_egress, block)
    verdict = engine.evaluate(EXTERNAL_IN_CIDR, "y/a", 80)
    assert verdict.egress is None
    assert verdict.allowed
    assert [t.split(":")[0] for t in rule_descriptions(verdict.ingress)] == [
        "y/a-from-block ingress rule 0"
    ]
    outside = engine.evaluate(EXTERNAL_OUTSIDE, "y/b", 80)
    assert outside.egress is None
    assert outside.allowed  # y/b is not isolated for ingress; egress policies of y do not apply


def test_an_egress_verdict_names_the_egress_rule_that_admits_it() -> None:
    verdict = analyzer(DNS_POLICY).evaluate("x/a", "z/c", 53, "UDP")
    assert verdict.allowed
    assert verdict.egress is not None
    assert verdict.egress.isolated
    assert policy_names(verdict.egress.policies) == {"x/allow-dns"}
    described = rule_descriptions(verdict.egress)
    assert len(described) == 1, described
    assert described[0].startswith("x/allow-dns egress rule 0"), described
    assert [ref.direction for ref in verdict.egress.allowed_by] == ["egress"]
    assert not verdict.ingress.isolated
    assert verdict.ingress.allowed_by == ()


def test_a_verdict_repeats_the_question_it_answers() -> None:
    verdict = analyzer().evaluate("x/a", "y/b", 81, "SCTP")
    assert (verdict.source, verdict.destination, verdict.port, verdict.protocol) == (
        "x/a",
        "y/b",
        81,
        "SCTP",
    )


@pytest.mark.parametrize(
    ("source", "destination", "unknown"),
    [("x/d", "x/a", "x/d"), ("x/a", "w/a", "w/a")],
)
def test_evaluating_an_unknown_pod_is_an_input_error_that_names_it(
    source: str, destination: str, unknown: str
) -> None:
    with pytest.raises(InputError, match=unknown):
        analyzer().evaluate(source, destination, 80)
