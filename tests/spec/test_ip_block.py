"""IP blocks: strict CIDRs, exceptions inside them, and the fixes the messages suggest."""

from __future__ import annotations

from typing import Any

import pytest
from podfence import internet
from podfence.errors import SpecError
from podfence.spec import IpBlock
from podfence.spec.ip_block import meant_except, parse_cidr, suggest_except


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        IpBlock.parse(value, root)
    return str(caught.value)


def test_the_blogs_single_string_except_outside_its_cidr_is_rejected_with_the_likely_fix() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": "10.72.10.0/8"})
    assert error == (
        "except: except '10.72.10.0/8' must be a list of CIDRs, not a single string, and "
        "10.72.10.0/8 does not lie inside cidr 10.72.0.0/16 (a /8 is larger than the /16 it "
        'should carve from); did you mean except: ["10.72.10.0/24"]?'
    )


def test_a_single_string_except_inside_its_cidr_is_rejected_as_not_a_list() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": "10.72.10.0/24"}, "ipBlocks[0]")
    assert error == (
        "ipBlocks[0].except: except '10.72.10.0/24' must be a list of CIDRs, not a single string; "
        'did you mean except: ["10.72.10.0/24"]?'
    )


def test_an_except_outside_its_cidr_is_rejected_with_the_likely_fix() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["10.72.10.0/8"]})
    assert error == (
        "(top level): except[0] '10.72.10.0/8' does not lie inside cidr 10.72.0.0/16; "
        'did you mean "10.72.10.0/24"?'
    )


def test_an_except_in_another_network_is_rejected_without_a_suggestion() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["10.72.1.0/24", "10.73.0.0/24"]})
    assert error == (
        "(top level): except[1] '10.73.0.0/24' must be a strict subset of cidr 10.72.0.0/16"
    )


def test_an_except_equal_to_its_cidr_is_rejected() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["10.72.0.0/16"]})
    assert error.startswith(
        "(top level): except[0] '10.72.0.0/16' must be a strict subset of cidr 10.72.0.0/16"
    )


def test_an_except_of_the_other_family_is_rejected() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["fd00::/64"]})
    assert error == (
        "(top level): except[0] 'fd00::/64' must be IPv4 like cidr 10.72.0.0/16, not IPv6"
    )


def test_an_ipv4_except_in_an_ipv6_cidr_is_rejected() -> None:
    error = parse_error({"cidr": "fd00::/48", "except": ["10.0.0.0/8"]})
    assert "must be IPv6 like cidr fd00::/48, not IPv4" in error


def test_a_cidr_without_a_mask_suggests_a_single_address_ipv4() -> None:
    assert parse_error({"cidr": "10.0.0.1"}) == (
        "cidr: CIDR mask is missing in IPv4: cidr '10.0.0.1'. Did you mean \"10.0.0.1/32\"?"
    )


def test_a_cidr_without_a_mask_suggests_a_single_address_ipv6() -> None:
    assert parse_error({"cidr": "fd00::1"}) == (
        "cidr: CIDR mask is missing in IPv6: cidr 'fd00::1'. Did you mean \"fd00::1/128\"?"
    )


def test_a_cidr_with_host_bits_set_suggests_its_network() -> None:
    assert parse_error({"cidr": "10.72.1.0/16"}, "ipBlocks[0]") == (
        "ipBlocks[0].cidr: cidr '10.72.1.0/16' has host bits set: its network is 10.72.0.0/16. "
        'Did you mean "10.72.0.0/16"?'
    )


def test_an_except_with_host_bits_set_inside_its_cidr_says_so() -> None:
    # 10.72.10.1/24 lies inside 10.72.0.0/16; what is wrong is the host bits, and the fix is
    # its network 10.72.10.0/24, not a /32 and not "outside the cidr".
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["10.72.10.1/24"]})
    assert "host bits set" in error
    assert '"10.72.10.0/24"' in error
    assert "does not lie inside" not in error


def test_an_except_without_a_mask_inside_its_cidr_says_the_mask_is_missing() -> None:
    error = parse_error({"cidr": "10.72.0.0/16", "except": ["10.72.10.5"]})
    assert "CIDR mask is missing" in error
    assert '"10.72.10.5/32"' in error
    assert "does not lie inside" not in error


def test_something_that_is_no_cidr_is_rejected() -> None:
    assert parse_error({"cidr": "office"}) == (
        'cidr: cidr \'office\' is not an IPv4 or IPv6 CIDR such as "10.0.0.0/16" or "fd00::/64"'
    )
    assert parse_error({"cidr": "10.0.0.0/33"}) == (
        "cidr: cidr '10.0.0.0/33' is not an IPv4 or IPv6 CIDR such as \"10.0.0.0/16\" or "
        '"fd00::/64"'
    )


def test_a_cidr_that_is_not_a_string_is_rejected() -> None:
    assert parse_error({"cidr": 10}) == (
        'cidr: cidr 10 must be a CIDR string such as "10.0.0.0/16"'
    )


def test_except_reads_by_its_config_name_and_its_python_name() -> None:
    by_alias = IpBlock.parse({"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]})
    by_name = IpBlock.parse({"cidr": "10.72.0.0/16", "except_": ["10.72.10.0/24"]})
    assert by_alias == by_name
    assert by_alias.except_ == ("10.72.10.0/24",)


def test_a_misspelt_key_is_rejected() -> None:
    assert parse_error({"cidr": "10.72.0.0/16", "excpt": ["10.72.10.0/24"]}) == (
        "excpt: unknown key; did you mean except?"
    )


def test_a_valid_block_keeps_its_exceptions_in_order() -> None:
    block = IpBlock.parse({"cidr": "10.72.0.0/16", "except": ["10.72.20.0/24", "10.72.10.0/24"]})
    assert block.cidr == "10.72.0.0/16"
    assert block.except_ == ("10.72.20.0/24", "10.72.10.0/24")


def test_ipv4_builds_a_block() -> None:
    block = IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/24"])
    assert block == IpBlock.parse({"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]})


def test_ipv4_rejects_an_ipv6_cidr() -> None:
    with pytest.raises(
        SpecError, match=r"^IpBlock\.cidr: 'fd00::/64' is not IPv4 \(use IpBlock.ipv6\)$"
    ):
        IpBlock.ipv4("fd00::/64")


def test_ipv6_builds_a_block() -> None:
    block = IpBlock.ipv6("2001:db8::/32", except_=["2001:db8:1::/48"])
    assert block.describe() == "2001:db8::/32 except 2001:db8:1::/48"


def test_ipv6_rejects_an_ipv4_cidr() -> None:
    with pytest.raises(
        SpecError, match=r"^IpBlock\.cidr: '10.0.0.0/8' is not IPv6 \(use IpBlock.ipv4\)$"
    ):
        IpBlock.ipv6("10.0.0.0/8")


def test_the_factories_validate_their_exceptions() -> None:
    with pytest.raises(SpecError, match=r'did you mean "10\.72\.10\.0/24"'):
        IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/8"])


def test_describe_lists_the_exceptions() -> None:
    assert IpBlock.ipv4("0.0.0.0/0").describe() == "0.0.0.0/0"
    block = IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/24", "10.72.20.0/24"])
    assert block.describe() == "10.72.0.0/16 except 10.72.10.0/24, 10.72.20.0/24"


def test_parse_cidr_reads_both_families_strictly() -> None:
    assert str(parse_cidr("10.0.0.0/8", "cidr")) == "10.0.0.0/8"
    assert str(parse_cidr(" fd00::/8 ", "cidr")) == "fd00::/8"
    with pytest.raises(ValueError, match="host bits set"):
        parse_cidr("10.0.0.1/8", "cidr")


@pytest.mark.parametrize(
    ("cidr", "written", "meant"),
    [
        ("10.72.0.0/16", "10.72.10.0/8", "10.72.10.0/24"),
        ("10.72.0.0/16", "10.72.10.7/8", "10.72.10.7/32"),
        ("10.0.0.0/8", "10.5.0.0/4", "10.5.0.0/16"),
        ("2001:db8::/32", "2001:db8:5::/16", "2001:db8:5::/48"),
    ],
)
def test_suggest_except_keeps_the_address_and_fixes_the_mask(
    cidr: str, written: str, meant: str
) -> None:
    assert suggest_except(parse_cidr(cidr, "cidr"), written) == meant


@pytest.mark.parametrize("written", ["10.73.10.0/24", "fd00::/64", "nonsense"])
def test_suggest_except_has_no_suggestion_for_an_address_outside_the_cidr(written: str) -> None:
    assert suggest_except(parse_cidr("10.72.0.0/16", "cidr"), written) is None


@pytest.mark.parametrize(
    ("except_", "meant"),
    [("10.72.10.0/24", "10.72.10.0/24"), ("10.72.10.0/8", "10.72.10.0/24")],
)
def test_a_factorys_except_as_one_string_suggests_the_list(except_: str, meant: str) -> None:
    with pytest.raises(SpecError) as caught:
        IpBlock.ipv4("10.72.0.0/16", except_=except_)
    assert str(caught.value) == (
        f"IpBlock.ipv4: except_ takes a list of CIDRs, not the string {except_!r}; did you mean "
        f'except_=["{meant}"]?'
    )


def test_a_factorys_except_that_is_no_cidr_gets_no_suggestion() -> None:
    with pytest.raises(SpecError) as caught:
        IpBlock.ipv6("fd00::/48", except_="office")
    assert (
        str(caught.value) == "IpBlock.ipv6: except_ takes a list of CIDRs, not the string 'office'"
    )


def test_a_factorys_except_of_none_is_no_exception_and_a_number_is_refused() -> None:
    assert IpBlock.ipv4("10.0.0.0/8", except_=None).except_ == ()  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"^IpBlock\.ipv4: except_ takes a list of CIDRs, not 5$"):
        IpBlock.ipv4("10.0.0.0/8", except_=5)  # type: ignore[arg-type]


def test_a_constructor_with_a_word_for_a_cidr_suggests_no_mask() -> None:
    with pytest.raises(SpecError) as caught:
        IpBlock(cidr="office")
    assert str(caught.value) == (
        "IpBlock.cidr: cidr 'office' is not an IPv4 or IPv6 CIDR such as \"10.0.0.0/16\" or "
        '"fd00::/64"'
    )


def test_the_public_internet_is_everything_of_each_family_except_the_derived_ranges() -> None:
    v4, v6 = IpBlock.public_internet()
    assert (v4.cidr, v6.cidr) == ("0.0.0.0/0", "::/0")
    assert v4.except_ == tuple(str(network) for network in internet.EXCLUDED[4])
    assert v6.except_ == tuple(str(network) for network in internet.EXCLUDED[6])
    assert {"10.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8"} <= set(v4.except_)
    assert IpBlock.public_internet() == (v4, v6)
    assert len({v4, v6}) == 2  # frozen, hashable values


def test_the_public_internet_describes_itself_by_name() -> None:
    v4, v6 = IpBlock.public_internet()
    assert v4.describe() == (
        "the public IPv4 internet (0.0.0.0/0 except private, shared, loopback, link-local, "
        "multicast and reserved ranges)"
    )
    assert v6.describe().startswith("the public IPv6 internet (::/0 except private, loopback")
    fewer = IpBlock.ipv4("0.0.0.0/0", except_=list(v4.except_[1:]))
    assert fewer.describe().startswith("0.0.0.0/0 except 10.0.0.0/8, ")


def test_meant_except_keeps_an_except_inside_its_cidr_and_suggests_one_for_a_wrong_mask() -> None:
    cidr = parse_cidr("10.72.0.0/16", "cidr")
    assert meant_except(cidr, "10.72.10.0/24") == "10.72.10.0/24"
    assert meant_except(cidr, "10.72.10.0/8") == "10.72.10.0/24"
    assert meant_except(cidr, "10.73.0.0/24") is None  # another network: no likely meaning
    assert meant_except(cidr, "fd00::/64") is None
