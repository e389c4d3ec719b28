"""The public internet: the pinned special-purpose ranges, excepted, and nothing else."""

from __future__ import annotations

import ipaddress

import pytest
from derive_public_internet import OTHER_TABLES, SAME_TABLES
from hypothesis import given
from hypothesis import strategies as st
from podfence import internet

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Hosts the registries mark globally reachable inside a non-global block (Python 3.11.10,
# 3.12.4 and later list them); an except list only removes, so they stay excluded.
_GLOBAL_INSIDE_EXCLUDED = [
    network
    for constants in (ipaddress._IPv4Constants, ipaddress._IPv6Constants)  # type: ignore[attr-defined]
    for network in getattr(constants, "_private_networks_exceptions", [])
]


def in_public_internet(address: Address) -> bool:
    """What the except lists say: inside 0.0.0.0/0 or ::/0 and in none of the excepts."""
    return not any(address in network for network in internet.EXCLUDED[address.version])


def what_ipaddress_calls_public(address: Address) -> bool:
    """The rule the module docstring states for the generating Python: global, and neither
    multicast nor reserved."""
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not site_local
    )


@pytest.mark.parametrize(
    ("version", "category"),
    [(version, category) for version, found in internet.CATEGORIES.items() for category in found],
    ids=lambda value: str(getattr(value, "label", value)),
)
def test_every_pinned_range_is_outside_the_public_internet_by_this_pythons_ipaddress(
    version: int, category: internet.Category
) -> None:
    """On every Python: the ranges pinned from 3.11.7's tables are not global, or multicast, or
    reserved by the running ipaddress too (newer tables only widen what they exclude)."""
    assert category.networks, f"IPv{version} {category.label} has no range"
    for network in category.networks:
        assert network.version == version
        if category.label == "multicast":
            assert network.is_multicast, network
        elif category.label == "reserved":
            site_local = isinstance(network, ipaddress.IPv6Network) and network.is_site_local
            assert network.is_reserved or site_local, network
        else:
            assert not network.is_global, network


def test_the_pinned_expansion_is_python_3_11_7s() -> None:
    """The tables before the CVE-2024-4032 fix: 192.0.0.0/29, where 3.11.10 and later have /24."""
    assert [str(n) for n in internet.EXCLUDED[4]][:6] == [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
    ]
    assert {"192.0.0.0/29", "224.0.0.0/3"} <= {str(n) for n in internet.EXCLUDED[4]}
    assert {"2001:db8::/32", "2001::/23"} <= {str(n) for n in internet.EXCLUDED[6]}


@pytest.mark.parametrize(
    "text",
    [
        "8.8.8.8",
        "1.1.1.1",
        "9.9.9.9",
        "93.184.216.34",
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "2a00:1450:4001::200e",
    ],
)
def test_real_public_addresses_are_in_the_public_internet(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert address.is_global
    assert in_public_internet(address)
    assert internet.excluded_as(address) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("169.254.169.254", "link-local (169.254.0.0/16, cloud metadata included)"),
        ("10.0.0.1", "private (10.0.0.0/8)"),
        ("172.16.5.4", "private (172.16.0.0/12)"),
        ("192.168.1.1", "private (192.168.0.0/16)"),
        ("100.64.0.1", "shared (100.64.0.0/10)"),
        ("127.0.0.1", "loopback (127.0.0.0/8)"),
        ("0.0.0.0", "private (0.0.0.0/8)"),
        ("224.0.0.1", "multicast (224.0.0.0/4)"),
        ("240.0.0.1", "reserved (240.0.0.0/4)"),
        ("255.255.255.255", "reserved (240.0.0.0/4)"),
        ("fd00::1", "private (fc00::/7)"),
        ("fd00:ec2::254", "private (fc00::/7)"),
        ("fe80::1", "link-local (fe80::/10)"),
        ("::1", "loopback (::1/128)"),
        ("ff02::1", "multicast (ff00::/8)"),
        ("2001:db8::1", "private (2001:db8::/32)"),
        ("64:ff9b::a9fe:a9fe", "reserved (::/8)"),
        ("fec0::1", "reserved (fec0::/10)"),
    ],
)
def test_internal_and_special_addresses_are_excluded_by_name(text: str, why: str) -> None:
    address = ipaddress.ip_address(text)
    assert not in_public_internet(address)
    assert internet.excluded_as(address) == why


def _boundaries() -> list[Address]:
    """The first and last address of every except, and the addresses just outside them."""
    out: list[Address] = []
    for excepts in internet.EXCLUDED.values():
        for network in excepts:
            first, last = network.network_address, network.broadcast_address
            out += [first, last]
            if int(first) > 0:
                out.append(first - 1)
            if int(last) < (1 << network.max_prefixlen) - 1:
                out.append(last + 1)
    return out


@pytest.mark.skipif(not SAME_TABLES, reason=OTHER_TABLES)
@pytest.mark.parametrize("address", _boundaries(), ids=str)
def test_at_every_boundary_the_excepts_agree_with_ipaddress(address: Address) -> None:
    if any(address in network for network in _GLOBAL_INSIDE_EXCLUDED):
        assert not in_public_internet(address)
        return
    assert in_public_internet(address) == what_ipaddress_calls_public(address)


@pytest.mark.skipif(not SAME_TABLES, reason=OTHER_TABLES)
@given(
    st.one_of(
        st.integers(0, (1 << 32) - 1).map(ipaddress.IPv4Address),
        st.integers(0, (1 << 128) - 1).map(ipaddress.IPv6Address),
        st.integers(0, (1 << 125) - 1).map(lambda n: ipaddress.IPv6Address((1 << 125) + n)),
    )
)
def test_any_address_is_in_the_public_internet_exactly_when_ipaddress_calls_it_public(
    address: Address,
) -> None:
    if any(address in network for network in _GLOBAL_INSIDE_EXCLUDED):
        assert not in_public_internet(address)
        return
    assert in_public_internet(address) == what_ipaddress_calls_public(address)


def _networks(*texts: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(text) for text in texts]


def test_the_expansion_is_recognised_however_its_excepts_are_written() -> None:
    v4 = list(internet.EXCLUDED[4])
    assert internet.family_of(internet.EVERYWHERE[4], v4) == 4
    assert internet.family_of(internet.EVERYWHERE[4], list(reversed(v4))) == 4
    split = [n for n in v4 if str(n) != "224.0.0.0/3"] + _networks("224.0.0.0/4", "240.0.0.0/4")
    assert internet.family_of(internet.EVERYWHERE[4], split) == 4
    assert internet.family_of(internet.EVERYWHERE[6], list(internet.EXCLUDED[6])) == 6


def test_a_block_that_admits_or_excludes_more_is_not_the_public_internet() -> None:
    v4 = list(internet.EXCLUDED[4])
    assert internet.family_of(internet.EVERYWHERE[4], v4[1:]) is None
    assert internet.family_of(internet.EVERYWHERE[4], [*v4, *_networks("8.8.8.0/24")]) is None
    assert internet.family_of(ipaddress.ip_network("0.0.0.0/1"), v4[:4]) is None
    assert internet.family_of(internet.EVERYWHERE[4], []) is None


def test_a_block_rendered_from_other_tables_is_not_the_pinned_public_internet() -> None:
    """192.0.0.0/24 where the pinned list has 192.0.0.0/29, as Python 3.11.10 and later derive:
    recognition follows the pinned list, whatever Python rendered the block."""
    newer = [n for n in internet.EXCLUDED[4] if str(n) not in {"192.0.0.0/29", "192.0.0.170/31"}]
    newer += _networks("192.0.0.0/24")
    assert internet.family_of(internet.EVERYWHERE[4], newer) is None
    assert (
        internet.family_of(internet.EVERYWHERE[6], [*internet.EXCLUDED[6], *_networks("2002::/16")])
        is None
    )


def test_describe_names_the_excluded_kinds() -> None:
    assert internet.describe([4, 6]) == (
        "the public internet (0.0.0.0/0 and ::/0 except private, shared, loopback, link-local, "
        "multicast and reserved ranges)"
    )
    assert internet.describe([6]) == (
        "the public IPv6 internet (::/0 except private, loopback, link-local, multicast and "
        "reserved ranges)"
    )
