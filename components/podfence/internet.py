"""The public internet: every address except the special-purpose ranges Python's ipaddress encodes.

An egress for pods that call external APIs and nothing inside: ``0.0.0.0/0`` and ``::/0``, each
except the ranges below, taken from the IANA special-purpose address registries as the running
Python's :mod:`ipaddress` encodes them (its ``_IPv4Constants`` and ``_IPv6Constants``; no list is
typed here) and collapsed with :func:`ipaddress.collapse_addresses`. In the order an excluded
address is named by:

=============  ================================================  ===========================
category       IPv4 / IPv6 source                                ``is_global`` of the range
=============  ================================================  ===========================
loopback       ``_loopback_network`` (127.0.0.0/8) / the         False
               ``_private_networks`` entries that are loopback
               (::1/128)
link-local     ``_linklocal_network`` (169.254.0.0/16, where     False
               clouds serve instance metadata at
               169.254.169.254) / (fe80::/10)
multicast      ``_multicast_network`` (224.0.0.0/4 / ff00::/8)   True: ipaddress calls
                                                                 multicast global; no API is
                                                                 a multicast group
shared         ``_public_network`` (100.64.0.0/10, RFC 6598's    False (``is_global`` tests
               shared address space, despite CPython's name)     this range itself)
reserved       ``_reserved_network`` (240.0.0.0/4) /             False (IPv4); True for the
               ``_reserved_networks`` and ``_sitelocal_network`` unallocated IPv6 blocks
               (every block the IETF reserves: all outside
               2000::/3, fc00::/7, fe80::/10 and ff00::/8,
               and the deprecated site-local fec0::/10)
private        ``_private_networks``: what the registries mark   False
               not globally reachable (10/8, 172.16/12,
               192.168/16, this-network, documentation,
               benchmarking ... / fc00::/7, 2001::/23,
               2001:db8::/32, ::ffff:0:0/96 ...)
=============  ================================================  ===========================

So an address is in the public internet exactly when ipaddress calls it global and it is neither
multicast nor reserved. Two consequences, chosen on purpose:

* NAT64's well-known prefix 64:ff9b::/96 lies in the reserved ::/8 and is excluded: it can
  embed any IPv4 address, internal ones and 169.254.169.254 included. An IPv6-only cluster that
  reaches IPv4 APIs through NAT64 needs its own ipBlock for it.
* Python 3.11.10, 3.12.4 and later also list hosts inside a non-global block that the registries
  mark globally reachable (``_private_networks_exceptions``: anycast 192.0.0.9/32,
  2001:1::1/128 ...). They stay excluded: an ``except`` list only removes, and no external API
  lives there.

The ranges follow the running Python: versions whose ipaddress encodes newer registries
(192.0.0.0/24 for 192.0.0.0/29, 2002::/16 ...) render a slightly different list, and read back
as the public internet only the list they derive themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podfence.validation import Network

__all__ = [
    "CATEGORIES",
    "EVERYWHERE",
    "EXCLUDED",
    "PUBLIC_INTERNET",
    "Category",
    "describe",
    "excluded_as",
    "family_of",
]

_V4 = ipaddress._IPv4Constants  # type: ignore[attr-defined]
_V6 = ipaddress._IPv6Constants  # type: ignore[attr-defined]

#: The keyword that names the public internet in config (``to: public-internet``).
PUBLIC_INTERNET = "public-internet"


@dataclass(frozen=True)
class Category:
    """A kind of address the public internet excludes, and the ranges that are of it.

    Attributes:
        label: ``link-local``; how a denied address is said to be excluded.
        networks: the ranges, as ipaddress encodes them.
        note: said after the range when an address is named (``cloud metadata included``).
    """

    label: str
    networks: tuple[Network, ...]
    note: str = ""


def _categories_v4() -> tuple[Category, ...]:
    return (
        Category("loopback", (_V4._loopback_network,)),
        Category("link-local", (_V4._linklocal_network,), "cloud metadata included"),
        Category("multicast", (_V4._multicast_network,)),
        Category("shared", (_V4._public_network,)),
        Category("reserved", (_V4._reserved_network,)),
        Category("private", tuple(_V4._private_networks)),
    )


def _categories_v6() -> tuple[Category, ...]:
    private = tuple(_V6._private_networks)
    return (
        Category("loopback", tuple(n for n in private if n.is_loopback)),
        Category("link-local", (_V6._linklocal_network,)),
        Category("multicast", (_V6._multicast_network,)),
        Category("reserved", (*_V6._reserved_networks, _V6._sitelocal_network)),
        Category("private", private),
    )


#: Per IP version, the excluded categories in the order an address is named by.
CATEGORIES: dict[int, tuple[Category, ...]] = {4: _categories_v4(), 6: _categories_v6()}

#: Per IP version, every address: the cidr the public internet is carved from.
EVERYWHERE: dict[int, Network] = {
    4: ipaddress.IPv4Network("0.0.0.0/0"),
    6: ipaddress.IPv6Network("::/0"),
}


def _collapsed(networks: Iterable[Network]) -> tuple[Network, ...]:
    """``networks`` (all of one IP version) merged where they touch or overlap, in order."""
    return tuple(ipaddress.collapse_addresses(networks))  # type: ignore[type-var]


#: Per IP version, the ``except`` list: every category's ranges, collapsed, in address order.
EXCLUDED: dict[int, tuple[Network, ...]] = {
    version: _collapsed(n for category in categories for n in category.networks)
    for version, categories in CATEGORIES.items()
}


def family_of(cidr: Network, excepts: Sequence[Network]) -> int | None:
    """The IP version whose public internet the ipBlock ``cidr`` except ``excepts`` is, or None.

    The block is recognised by the addresses it matches, not by how it is written: its cidr is
    every address of the version, and its exceptions cover exactly the excluded ranges (in any
    order, split or merged), so a policy podfence did not write reads back the same.
    """
    version = cidr.version
    if cidr != EVERYWHERE[version] or any(e.version != version for e in excepts):
        return None
    return version if _collapsed(excepts) == EXCLUDED[version] else None


def describe(versions: Iterable[int]) -> str:
    """``the public internet (0.0.0.0/0 and ::/0 except private, shared, ... ranges)``; with one
    version, ``the public IPv4 internet (0.0.0.0/0 except ...)``."""
    chosen = sorted(set(versions))
    labels = {category.label for v in chosen for category in CATEGORIES[v]}
    order = ("private", "shared", "loopback", "link-local", "multicast", "reserved")
    named = [label for label in order if label in labels]
    kinds = f"{', '.join(named[:-1])} and {named[-1]}"
    cidrs = " and ".join(str(EVERYWHERE[v]) for v in chosen)
    which = "the public internet" if len(chosen) > 1 else f"the public IPv{chosen[0]} internet"
    return f"{which} ({cidrs} except {kinds} ranges)"


def excluded_as(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the public internet excludes ``address``: ``link-local (169.254.0.0/16, cloud
    metadata included)``; None when it is in the public internet."""
    for category in CATEGORIES[address.version]:
        for network in category.networks:
            if address in network:
                note = f", {category.note}" if category.note else ""
                return f"{category.label} ({network}{note})"
    return None
