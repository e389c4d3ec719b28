"""IP blocks: a CIDR minus exceptions, with the checks Kubernetes makes and the fixes people need."""

from __future__ import annotations

import ipaddress
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from podfence import internet
from podfence.errors import SpecError
from podfence.spec.base import Items, Spec
from podfence.validation import except_problem
from podfence.validation import parse_cidr as read_cidr

__all__ = ["IpBlock", "meant_except", "parse_cidr", "suggest_except"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _not_a_cidr(field: str, value: str) -> str:
    return f'{field} {value!r} is not an IPv4 or IPv6 CIDR such as "10.0.0.0/16" or "fd00::/64"'


def parse_cidr(value: Any, field: str) -> Network:
    """Parse one CIDR strictly: a mask is required and host bits must be zero.

    Raises:
        ValueError: naming ``field`` and the value, with the likely fix.
    """
    if not isinstance(value, str):
        raise ValueError(f'{field} {value!r} must be a CIDR string such as "10.0.0.0/16"')
    text = value.strip()
    if "/" not in text:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise ValueError(_not_a_cidr(field, value)) from None
        family = "IPv4" if address.version == 4 else "IPv6"
        raise ValueError(
            f"CIDR mask is missing in {family}: {field} {value!r}. "
            f'Did you mean "{address}/{address.max_prefixlen}"?'
        )
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(_not_a_cidr(field, value)) from None
    raise ValueError(
        f'{field} {value!r} has host bits set: its network is {network}. Did you mean "{network}"?'
    )


def _aligned_prefix(address: ipaddress.IPv4Address | ipaddress.IPv6Address, floor: int) -> int:
    """The shortest prefix, on an octet (IPv4) or hextet (IPv6) boundary and longer than
    ``floor``, of which ``address`` is the network address: 10.72.10.0 in a /16 -> 24."""
    step = 8 if address.version == 4 else 16
    bits = address.max_prefixlen
    value = int(address)
    trailing_zeros = (value & -value).bit_length() - 1 if value else bits
    prefix = max(floor + 1, bits - trailing_zeros)
    prefix = -(-prefix // step) * step
    return min(prefix, bits)


def suggest_except(cidr: Network, value: str) -> str | None:
    """What an ``except`` entry outside ``cidr`` was probably meant to be, or None.

    The blog's ``except: 10.72.10.0/8`` in ``10.72.0.0/16`` means "block 10.72.10.X": the address
    lies inside the CIDR, only the mask is wrong, so suggest the address with the shortest
    octet-aligned mask that makes it a network inside the CIDR (``10.72.10.0/24``).
    """
    try:
        address = ipaddress.ip_address(value.split("/")[0].strip())
    except ValueError:
        return None
    if address.version != cidr.version or address not in cidr:
        return None
    prefix = _aligned_prefix(address, cidr.prefixlen)
    candidate = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    if candidate.subnet_of(cidr) and candidate != cidr:  # type: ignore[arg-type]
        return str(candidate)
    return None


def meant_except(cidr: Network, value: str) -> str | None:
    """``value`` when it is a CIDR that may be an ``except`` of ``cidr`` (strictly inside it,
    same family: :func:`podfence.validation.except_problem`, read as the API server reads it),
    else what it was probably meant to be (:func:`suggest_except`), else None."""
    parsed = read_cidr(value)
    if not isinstance(parsed, str) and except_problem(parsed, cidr) is None:
        return value
    return suggest_except(cidr, value)


class IpBlock(Spec):
    """An ipBlock peer: the addresses in ``cidr`` except those in any ``except`` CIDR.

    Semantics (networking/v1 IPBlock): matches by IP address, cluster-external addresses and pod
    IPs alike; every ``except`` entry must be a strict subnet of ``cidr`` of the same family.
    ``except`` omitted: nothing is carved out. Build with ``IpBlock.ipv4("10.72.0.0/16",
    except_=["10.72.10.0/24"])``, or take the public internet: ``IpBlock.public_internet()``.
    """

    cidr: str
    except_: Items[str] = Field(default=(), validation_alias="except", serialization_alias="except")

    @field_validator("cidr", mode="before")
    @classmethod
    def _cidr(cls, value: Any) -> str:
        return str(parse_cidr(value, "cidr"))

    @field_validator("except_", mode="before")
    @classmethod
    def _except_is_a_list(cls, value: Any, info: Any) -> Any:
        if not isinstance(value, str):
            return value
        cidr = info.data.get("cidr")
        meant = value
        why = ""
        if cidr is not None:
            network = ipaddress.ip_network(cidr)
            found = meant_except(network, value)
            if found != value:
                meant = found or value
                mask = value.partition("/")[2]
                why = f", and {value} does not lie inside cidr {cidr}" + (
                    f" (a /{mask} is larger than the /{network.prefixlen} it should carve from)"
                    if mask.isdigit() and int(mask) <= network.prefixlen
                    else ""
                )
        raise ValueError(
            f"except {value!r} must be a list of CIDRs, not a single string{why}; "
            f'did you mean except: ["{meant}"]?'
        )

    @model_validator(mode="after")
    def _exceptions_inside(self) -> Self:
        network = ipaddress.ip_network(self.cidr)
        cleaned = []
        for index, entry in enumerate(self.except_):
            try:
                sub = parse_cidr(entry, f"except[{index}]")
            except ValueError:
                # A mask wider than the cidr's (the blog's 10.72.10.0/8) is the mistake to name;
                # a missing mask or host bits keep their own message and fix.
                mask = str(entry).partition("/")[2]
                meant = suggest_except(network, str(entry))
                if meant and mask.isdigit() and int(mask) <= network.prefixlen:
                    raise ValueError(
                        f'except[{index}] {entry!r} does not lie inside cidr {self.cidr}; did you mean "{meant}"?'
                    ) from None
                raise
            problem = except_problem(sub, network)
            if problem is not None:
                meant = suggest_except(network, entry) if sub != network else None
                hint = f'; did you mean "{meant}"?' if meant else ""
                raise ValueError(f"except[{index}] {entry!r} {problem}{hint}")
            cleaned.append(str(sub))
        object.__setattr__(self, "except_", tuple(cleaned))
        return self

    @classmethod
    def ipv4(cls, cidr: str, except_: list[str] | tuple[str, ...] = ()) -> IpBlock:
        """An IPv4 block; ``except_`` lists the subnets carved out of it."""
        return cls._of_family(4, cidr, except_)

    @classmethod
    def ipv6(cls, cidr: str, except_: list[str] | tuple[str, ...] = ()) -> IpBlock:
        """An IPv6 block; ``except_`` lists the subnets carved out of it."""
        return cls._of_family(6, cidr, except_)

    @classmethod
    def _of_family(cls, version: int, cidr: str, except_: list[str] | tuple[str, ...]) -> IpBlock:
        factory = f"{cls.__name__}.ipv{version}"
        if except_ is None:
            except_ = ()
        if not isinstance(except_, str | list | tuple):
            raise SpecError(f"{factory}: except_ takes a list of CIDRs, not {except_!r}")
        if isinstance(except_, str):
            # list("10.72.10.0/24") would be its characters: say what was meant instead.
            block = cls.parse({"cidr": cidr}, cls.__name__)
            meant = meant_except(ipaddress.ip_network(block.cidr), except_)
            fix = f'; did you mean except_=["{meant}"]?' if meant else ""
            raise SpecError(
                f"{factory}: except_ takes a list of CIDRs, not the string {except_!r}{fix}"
            )
        block = cls.parse({"cidr": cidr, "except": list(except_)}, cls.__name__)
        if ipaddress.ip_network(block.cidr).version != version:
            other = "ipv6" if version == 4 else "ipv4"
            raise SpecError(
                f"{cls.__name__}.cidr: {cidr!r} is not IPv{version} (use IpBlock.{other})"
            )
        return block

    @classmethod
    def public_internet(cls) -> tuple[IpBlock, IpBlock]:
        """The public internet: ``0.0.0.0/0`` and ``::/0``, each except its private, shared,
        loopback, link-local (cloud metadata at 169.254.169.254 included), multicast and
        reserved ranges: the IANA special-purpose registries as Python's ipaddress encodes them,
        generated into :mod:`podfence.internet_ranges` and pinned per podfence release, so every
        machine renders the same blocks whatever its Python (:mod:`podfence.internet` says where
        each range comes from).

        Two blocks, IPv4 then IPv6: use them as a rule's peers (``ip_blocks=``); peers are
        ORed, so the rule admits either family's public addresses. In config: ``to:
        public-internet``.
        """
        v4, v6 = (
            cls(
                cidr=str(internet.EVERYWHERE[version]),
                except_=[str(network) for network in internet.EXCLUDED[version]],
            )
            for version in (4, 6)
        )
        return v4, v6

    def describe(self) -> str:
        """``10.72.0.0/16 except 10.72.10.0/24``; ``the public IPv4 internet (...)`` for a
        block of :meth:`public_internet`."""
        network = ipaddress.ip_network(self.cidr)
        excepts = [ipaddress.ip_network(entry) for entry in self.except_]
        version = internet.family_of(network, excepts)
        if version is not None:
            return internet.describe([version])
        if not self.except_:
            return self.cidr
        return f"{self.cidr} except {', '.join(self.except_)}"
