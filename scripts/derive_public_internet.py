"""Write components/podfence/internet_ranges.py: the public internet's excluded ranges, per category.

The ranges come from the IANA special-purpose address registries as the running Python's
:mod:`ipaddress` encodes them (its ``_IPv4Constants`` and ``_IPv6Constants``; no list is typed
here). podfence reads only the generated module, so every machine renders the same
``to: public-internet`` whatever its Python; run this script again, and commit what it writes, to
adopt the tables of a Python that encodes newer registries (3.11.10, 3.12.4 and 3.13 list
192.0.0.0/24 where 3.11.7 lists 192.0.0.0/29, and add 2002::/16 ...).

Per IP version, the categories in the order an excluded address is named by (the table in
:mod:`podfence.internet` says why each is excluded):

* IPv4: loopback ``_loopback_network``; link-local ``_linklocal_network``; multicast
  ``_multicast_network``; shared ``_public_network`` (100.64.0.0/10, RFC 6598's shared address
  space, despite CPython's name); reserved ``_reserved_network``; private ``_private_networks``.
* IPv6: loopback, the ``_private_networks`` entries that are loopback; link-local
  ``_linklocal_network``; multicast ``_multicast_network``; reserved ``_reserved_networks`` and
  ``_sitelocal_network``; private ``_private_networks``.

Each category keeps its ranges as ipaddress lists them (an excluded address is named by the
registry's range); the except list is all of them collapsed with
:func:`ipaddress.collapse_addresses`, in address order. The module records a fingerprint of the
tables read, so tests can tell whether another Python encodes the same registries.

The date in the header is today's (UTC), or ``SOURCE_DATE_EPOCH``'s when set. A module that
already holds exactly what this Python derives is left untouched, so the script can be run again
without a change.

Usage: ``python scripts/derive_public_internet.py [--out PATH]``
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import ipaddress
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DEFAULT_OUT", "derive", "excepts", "fingerprint", "main", "render"]

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "components" / "podfence" / "internet_ranges.py"

_V4 = ipaddress._IPv4Constants  # type: ignore[attr-defined]
_V6 = ipaddress._IPv6Constants  # type: ignore[attr-defined]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Per IP version, (category label, its ranges) in the order an excluded address is named by.
Categories = dict[int, tuple[tuple[str, tuple[Network, ...]], ...]]


def _tables() -> list[tuple[str, tuple[Network, ...]]]:
    """The ipaddress constants the derivation reads, by name, each as a tuple of networks."""
    return [
        ("_IPv4Constants._loopback_network", (_V4._loopback_network,)),
        ("_IPv4Constants._linklocal_network", (_V4._linklocal_network,)),
        ("_IPv4Constants._multicast_network", (_V4._multicast_network,)),
        ("_IPv4Constants._public_network", (_V4._public_network,)),
        ("_IPv4Constants._reserved_network", (_V4._reserved_network,)),
        ("_IPv4Constants._private_networks", tuple(_V4._private_networks)),
        ("_IPv6Constants._linklocal_network", (_V6._linklocal_network,)),
        ("_IPv6Constants._multicast_network", (_V6._multicast_network,)),
        ("_IPv6Constants._reserved_networks", tuple(_V6._reserved_networks)),
        ("_IPv6Constants._sitelocal_network", (_V6._sitelocal_network,)),
        ("_IPv6Constants._private_networks", tuple(_V6._private_networks)),
    ]


def fingerprint() -> str:
    """sha256 of the tables :func:`derive` reads (each constant's name and ranges, one a line):
    equal on two Pythons exactly when their ipaddress encodes the same registries for it."""
    text = "".join(f"{name} {' '.join(map(str, nets))}\n" for name, nets in _tables())
    return hashlib.sha256(text.encode()).hexdigest()


def derive() -> Categories:
    """Per IP version, the excluded categories and their ranges, from the running ipaddress."""
    table = dict(_tables())
    v6_private = table["_IPv6Constants._private_networks"]
    return {
        4: (
            ("loopback", table["_IPv4Constants._loopback_network"]),
            ("link-local", table["_IPv4Constants._linklocal_network"]),
            ("multicast", table["_IPv4Constants._multicast_network"]),
            ("shared", table["_IPv4Constants._public_network"]),
            ("reserved", table["_IPv4Constants._reserved_network"]),
            ("private", table["_IPv4Constants._private_networks"]),
        ),
        6: (
            ("loopback", tuple(n for n in v6_private if n.is_loopback)),
            ("link-local", table["_IPv6Constants._linklocal_network"]),
            ("multicast", table["_IPv6Constants._multicast_network"]),
            (
                "reserved",
                (
                    *table["_IPv6Constants._reserved_networks"],
                    *table["_IPv6Constants._sitelocal_network"],
                ),
            ),
            ("private", v6_private),
        ),
    }


def excepts(categories: Categories) -> dict[int, tuple[Network, ...]]:
    """Per IP version, the ``except`` list: every category's ranges collapsed, in address order."""
    return {
        version: tuple(
            ipaddress.collapse_addresses(n for _, nets in found for n in nets)  # type: ignore[type-var]
        )
        for version, found in categories.items()
    }


def _strings(networks: Sequence[Network], indent: str) -> str:
    """A tuple literal of the networks as strings: inline for one, else one a line."""
    if len(networks) == 1:
        return f'("{networks[0]}",)'
    lines = "".join(f'{indent}    "{n}",\n' for n in networks)
    return f"(\n{lines}{indent})"


def render(categories: Categories, print_: str, python: str, date: str) -> str:
    """The generated module's text, for ``categories`` derived by ``python`` on ``date``
    (``YYYY-MM-DD``) from tables whose :func:`fingerprint` is ``print_``."""
    ranges = "".join(
        f"    {version}: {{\n"
        + "".join(f'        "{label}": {_strings(nets, " " * 8)},\n' for label, nets in found)
        + "    },\n"
        for version, found in categories.items()
    )
    collapsed = "".join(
        f"    {version}: {_strings(nets, ' ' * 4)},\n"
        for version, nets in excepts(categories).items()
    )
    return f'''"""The ranges the public internet excludes, per IP version and category (generated; do not edit).

Generated by scripts/derive_public_internet.py from Python {python}'s ipaddress on {date}. The
ranges are the IANA special-purpose registries as that Python's ipaddress encodes them, pinned
here so that every machine renders the same ``to: public-internet``, whatever its Python. When a
Python encodes newer registries (its tables' fingerprint differs from ``FINGERPRINT``), run
``python scripts/derive_public_internet.py`` on it and commit this file to adopt them.
"""

__all__ = ["EXCEPT", "FINGERPRINT", "GENERATED_ON", "PYTHON", "RANGES"]

#: The Python whose ipaddress tables the ranges come from.
PYTHON = "{python}"

#: The day the ranges were derived (UTC).
GENERATED_ON = "{date}"

#: sha256 of the ipaddress tables read (scripts/derive_public_internet.py, ``fingerprint``).
FINGERPRINT = "{print_}"

#: Per IP version, per category in the order an excluded address is named by, the ranges as
#: ipaddress lists them.
RANGES: dict[int, dict[str, tuple[str, ...]]] = {{
{ranges}}}

#: Per IP version, the ``except`` list: every category's ranges collapsed, in address order.
EXCEPT: dict[int, tuple[str, ...]] = {{
{collapsed}}}
'''


def _recorded(text: str) -> tuple[str, str] | None:
    """The ``PYTHON`` and ``GENERATED_ON`` a generated module's text records, or None."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                found[target.id] = node.value.value
    python, date = found.get("PYTHON"), found.get("GENERATED_ON")
    return (python, date) if isinstance(python, str) and isinstance(date, str) else None


def _today() -> str:
    """Today (UTC) as ``YYYY-MM-DD``, or the day of ``SOURCE_DATE_EPOCH`` when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch
        else datetime.datetime.now(datetime.UTC)
    )
    return moment.date().isoformat()


def main(argv: Sequence[str] | None = None) -> int:
    """Derive the ranges and write them to ``--out`` (default: podfence's internet_ranges.py),
    unless it already holds exactly them. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the module to write")
    args = parser.parse_args(argv)
    out: Path = args.out
    categories, print_ = derive(), fingerprint()
    if out.exists():
        existing = out.read_text(encoding="utf-8")
        recorded = _recorded(existing)
        if recorded is not None and render(categories, print_, *recorded) == existing:
            print(f"{out}: up to date (Python {recorded[0]}'s tables, fingerprint {print_[:12]})")
            return 0
    out.write_text(render(categories, print_, platform.python_version(), _today()), "utf-8")
    counts = ", ".join(f"IPv{v}: {len(nets)} excepts" for v, nets in excepts(categories).items())
    print(f"{out}: written from Python {platform.python_version()}'s ipaddress ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
