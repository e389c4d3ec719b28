"""ip-block-except-inside-cidr: an ipBlock except outside its cidr is caught at preview, with the fix."""

from __future__ import annotations

from typing import Any

from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.ip_block_except import POLICY, ip_block_problems
from policy_pack.harness import deployment, network_policy, program, violations


def _office(ip_block: dict[str, Any], direction: str = "ingress") -> list[RecordedResource]:
    peer = "from" if direction == "ingress" else "to"
    spec = {
        "podSelector": {},
        "policyTypes": [direction.capitalize()],
        direction: [{peer: [{"ipBlock": ip_block}]}],
    }
    return program(lambda: network_policy("guestbook", "allow-using-ip", spec))


def test_the_blogs_except_with_an_8_mask_is_caught_with_the_except_it_meant() -> None:
    found = violations(POLICY, _office({"cidr": "10.72.0.0/16", "except": ["10.72.10.0/8"]}))
    assert found == [
        (
            "NetworkPolicy guestbook/allow-using-ip would be refused by the API server (pulumi "
            "up fails on it): spec.ingress[0].from[0].ipBlock.except[0] '10.72.10.0/8' must be "
            'a strict subset of cidr 10.72.0.0/16; did you mean "10.72.10.0/24"?',
            None,
        )
    ]


def test_an_except_written_as_one_string_is_caught_with_the_list_it_meant() -> None:
    [(message, _)] = violations(POLICY, _office({"cidr": "10.72.0.0/16", "except": "10.72.10.0/8"}))
    assert (
        "ipBlock.except '10.72.10.0/8' must be a list of CIDRs inside cidr 10.72.0.0/16" in message
    )
    assert 'write except: ["10.72.10.0/24"]' in message


def test_an_except_of_the_other_family_and_one_equal_to_the_cidr_are_each_caught() -> None:
    found = violations(
        POLICY, _office({"cidr": "10.72.0.0/16", "except": ["fd00::/64", "10.72.0.0/16"]})
    )
    assert [message.split("): ", 1)[1].split(";")[0] for message, _ in found] == [
        "spec.ingress[0].from[0].ipBlock.except[0] 'fd00::/64' must be IPv4 like cidr "
        "10.72.0.0/16, not IPv6",
        "spec.ingress[0].from[0].ipBlock.except[1] '10.72.0.0/16' must be a strict subset of "
        "cidr 10.72.0.0/16",
    ]


def test_an_egress_ip_block_is_checked_too() -> None:
    [(message, _)] = violations(
        POLICY, _office({"cidr": "203.0.113.0/24", "except": ["198.51.100.0/28"]}, "egress")
    )
    assert "spec.egress[0].to[0].ipBlock.except[0] '198.51.100.0/28'" in message


def test_a_cidr_the_api_server_refuses_is_named_since_no_except_can_lie_inside_it() -> None:
    [(message, _)] = violations(POLICY, _office({"cidr": "10.72.0.0", "except": ["10.72.1.0/24"]}))
    assert "spec.ingress[0].from[0].ipBlock.cidr '10.72.0.0' must be a CIDR: the mask is" in message


def test_cidrs_are_read_as_the_api_server_reads_them_host_bits_and_all() -> None:
    assert violations(POLICY, _office({"cidr": "10.72.1.2/16", "except": ["10.72.10.0/24"]})) == []


def test_an_ip_block_without_except_and_resources_of_other_types_are_clean() -> None:
    resources = program(
        lambda: (
            network_policy(
                "shop",
                "allow-office",
                {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]},
            ),
            deployment("shop", "web", {"app": "web"}),
        )
    )
    assert violations(POLICY, resources) == []


def test_ip_block_problems_skips_shapes_that_are_the_api_servers_to_refuse() -> None:
    policy = {
        "spec": {
            "ingress": [
                "not a rule",
                {"from": "not a list"},
                {"from": [{"ipBlock": "not a map"}, None]},
            ],
            "egress": {"not": "a list"},
        }
    }
    assert ip_block_problems(policy) == []
    assert ip_block_problems({"spec": []}) == []


def test_the_guestbooks_stacks_are_clean(guestbook: dict[str, list[RecordedResource]]) -> None:
    for stack, resources in guestbook.items():
        assert violations(POLICY, resources) == [], stack
