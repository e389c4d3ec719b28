"""IpBlockAllowSpec: at least one block, a direction as policyTypes spells it."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import Direction, IpBlock, IpBlockAllowSpec, Port


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        IpBlockAllowSpec.parse(value, root)
    return str(caught.value)


def allow(**changes: Any) -> dict[str, Any]:
    return {
        "name": "allow-using-ip",
        "namespaces": ["guestbook"],
        "ipBlocks": [{"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}],
        **changes,
    }


def test_the_blogs_allow_using_ip_parses_with_every_default() -> None:
    spec = IpBlockAllowSpec.parse(allow())
    assert spec.ip_blocks == (IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/24"]),)
    assert spec.direction is Direction.INGRESS
    assert spec.pod_selector.is_empty
    assert spec.ports == ()


def test_egress_is_spelt_as_in_policy_types() -> None:
    assert IpBlockAllowSpec.parse(allow(direction="Egress")).direction is Direction.EGRESS
    assert parse_error(allow(direction="egress")) == (
        "direction: Input should be 'Ingress' or 'Egress' (got 'egress')"
    )


def test_no_ip_block_is_rejected() -> None:
    assert parse_error(allow(ipBlocks=[])) == "ipBlocks: name at least one ipBlock"


def test_a_bad_block_is_reported_at_its_index() -> None:
    blocks = [{"cidr": "10.72.0.0/16"}, {"cidr": "192.168.1.1"}]
    assert parse_error(allow(ipBlocks=blocks), "firewall.ipBlockAllows[0]") == (
        "firewall.ipBlockAllows[0].ipBlocks[1].cidr: CIDR mask is missing in IPv4: "
        "cidr '192.168.1.1'. Did you mean \"192.168.1.1/32\"?"
    )


def test_the_blogs_except_is_reported_inside_the_allowance() -> None:
    blocks = [{"cidr": "10.72.0.0/16", "except": "10.72.10.0/8"}]
    assert parse_error(allow(ipBlocks=blocks)).startswith(
        "ipBlocks[0].except: except '10.72.10.0/8' must be a list of CIDRs, not a single string"
    )


def test_ports_and_pods_narrow_the_allowance() -> None:
    spec = IpBlockAllowSpec.parse(
        allow(podSelector={"matchLabels": {"tier": "frontend"}}, ports=[80, "443/TCP"])
    )
    assert spec.pod_selector.match_labels == {"tier": "frontend"}
    assert spec.ports == (Port.tcp(80), Port.tcp(443))


def test_the_placement_is_validated() -> None:
    assert parse_error(allow(namespaces=[])) == (
        "namespaces: name at least one namespace to create the policy in"
    )
    assert parse_error(allow(name="allow_using_ip")).startswith(
        "name: policy name 'allow_using_ip' is not a valid Kubernetes name"
    )


def test_a_misspelt_key_is_rejected() -> None:
    assert parse_error(allow(ipBlock=[])) == "ipBlock: unknown key; did you mean ipBlocks?"


def test_to_public_internet_is_egress_to_the_public_internet() -> None:
    spec = IpBlockAllowSpec.parse(
        {"name": "allow-apis", "namespaces": ["shop"], "to": "public-internet", "ports": [443]}
    )
    assert spec.direction is Direction.EGRESS
    assert spec.ip_blocks == IpBlock.public_internet()
    assert spec.ports == (Port.tcp(443),)
    same = IpBlockAllowSpec(
        name="allow-apis",
        namespaces=["shop"],
        ip_blocks=IpBlock.public_internet(),
        direction=Direction.EGRESS,
        ports=[Port.tcp(443)],
    )
    assert spec == same
    explicit = {"name": "allow-apis", "namespaces": ["shop"], "to": "public-internet"}
    assert IpBlockAllowSpec.parse({**explicit, "direction": "Egress"}).ip_blocks == spec.ip_blocks


@pytest.mark.parametrize(
    ("to", "message"),
    [
        (
            "public-internt",
            "allow.to: 'public-internt' is not a destination podfence knows; did you mean "
            "public-internet?",
        ),
        (
            "internet",
            "allow.to: 'internet' is not a destination podfence knows; did you mean "
            "public-internet?",
        ),
        (
            ["public-internet"],
            "allow.to: ['public-internet'] is not a destination podfence knows; write "
            "public-internet, or list the ranges under ipBlocks: with direction: Egress",
        ),
        (
            "0.0.0.0/0",
            "allow.to: '0.0.0.0/0' is not a destination podfence knows; write public-internet, "
            "or list the ranges under ipBlocks: with direction: Egress",
        ),
    ],
)
def test_a_misspelt_destination_is_named_with_the_fix(to: Any, message: str) -> None:
    assert parse_error({"name": "a", "namespaces": ["shop"], "to": to}, "allow") == message


def test_to_public_internet_says_where_traffic_goes_alone_and_only_for_egress() -> None:
    base = {"name": "a", "namespaces": ["shop"], "to": "public-internet"}
    assert parse_error({**base, "ipBlocks": [{"cidr": "10.0.0.0/8"}]}, "allow") == (
        "allow.to: public-internet and ipBlocks both say where traffic goes; keep one (a second "
        "entry can allow other ranges)"
    )
    assert parse_error({**base, "direction": "Ingress"}, "allow") == (
        "allow.direction: 'Ingress' does not go with to: public-internet, which is egress; "
        "drop direction"
    )


def test_a_misspelt_to_key_is_suggested() -> None:
    error = parse_error({"name": "a", "namespaces": ["shop"], "too": "public-internet"}, "allow")
    assert error == "allow.too: unknown key; did you mean to?"


def test_without_ip_blocks_or_to_the_error_names_both_and_keeps_the_others_counted() -> None:
    fix = "list the ranges under ipBlocks, or write to: public-internet for egress to the public "
    assert parse_error({"name": "a", "namespaces": ["shop"]}, "allow") == (
        f"allow.ipBlocks: Field required: {fix}internet"
    )
    assert parse_error({"namespaces": ["shop"], "ports": [{"port": 0}]}, "allow") == (
        "allow.name: Field required (and 2 more errors)"
    )
    assert parse_error({"name": "a", "namespaces": ["shop"], "ipBlock": []}, "allow") == (
        "allow.ipBlock: unknown key; did you mean ipBlocks?"
    )
