"""A NetworkPolicy compiled once: policyTypes defaults, rule defaults, malformed policies."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability.loader import Document
from podfence.reachability.policy import Policy, parse_policy
from reachability.helpers import policy


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


def test_an_empty_rule_admits_every_peer_on_every_port() -> None:
    compiled = compile_spec({"podSelector": {}, "ingress": [{}, {"from": [], "ports": []}]})
    assert compiled.ingress is not None
    for rule in compiled.ingress:
        assert rule.peers is None and rule.ports is None
        assert rule.peer_matches(None, {}, {}, ())
        assert rule.port_matches(1234, "SCTP", ())
        assert rule.describe() == "from anywhere on any port"


def test_an_absent_spec_or_pod_selector_selects_every_pod_of_the_namespace() -> None:
    compiled = parse_policy(
        {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}}
    )
    assert compiled.pod_selector.is_empty
    assert compiled.ingress == ()
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
        ({"policyTypes": ["ingress"]}, "spec.policyTypes[0]: 'ingress' is not Ingress or Egress"),
        ({"policyTypes": "Ingress"}, "spec.policyTypes: expected a list, got 'Ingress'"),
        ({"ingress": {"from": []}}, "spec.ingress: expected a list of rules"),
        ({"ingress": [{"form": []}]}, "spec.ingress[0].form: unknown field (expected from, ports)"),
        ({"egress": [{"from": []}]}, "spec.egress[0].from: unknown field (expected to, ports)"),
        (
            {"ingress": [{"ports": [{"port": 80, "endPort": 70}]}]},
            "spec.ingress[0].ports[0].endPort: 70 is below port 80",
        ),
        ({"podSelector": "all"}, "spec.podSelector: expected a label selector map"),
        ({"ingres": [{}]}, "spec.ingres: unknown field (expected egress, ingress, podSelector"),
    ],
)
def test_a_malformed_policy_is_one_line_naming_file_policy_field_and_value(
    spec: dict[str, Any], message: str
) -> None:
    obj = Document(policy("guestbook/allow-x", spec), "policies.yaml")
    with pytest.raises(InputError) as caught:
        parse_policy(obj)
    assert str(caught.value) == f"policies.yaml: NetworkPolicy guestbook/allow-x: {message}" or (
        str(caught.value).startswith(f"policies.yaml: NetworkPolicy guestbook/allow-x: {message}")
    )


def test_a_policy_without_a_name_is_rejected() -> None:
    with pytest.raises(InputError, match=r"NetworkPolicy shop/\(unnamed\): metadata.name"):
        parse_policy({"kind": "NetworkPolicy", "metadata": {"namespace": "shop"}})
