"""The four components' args mirror their specs, nested types included."""

from __future__ import annotations

import pytest
from podfence import spec
from podfence.provider import args
from podfence.spec.base import Spec
from typed_dicts import mirror_problems

PAIRS: list[tuple[type, type[Spec]]] = [
    (args.DefaultDenyArgs, spec.DefaultDenySpec),
    (args.TierFirewallArgs, spec.TierFirewallSpec),
    (args.NamespaceAllowArgs, spec.NamespaceAllowSpec),
    (args.IpBlockAllowArgs, spec.IpBlockAllowSpec),
]


@pytest.mark.parametrize(("typed", "mirrored"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_each_components_args_mirror_its_spec_all_the_way_down(
    typed: type, mirrored: type[Spec]
) -> None:
    assert mirror_problems(typed, mirrored) == []


def test_required_args_are_exactly_what_the_specs_cannot_do_without() -> None:
    assert args.DefaultDenyArgs.__required_keys__ == {"namespaces"}
    assert args.TierFirewallArgs.__required_keys__ == {"namespace", "tiers"}
    assert args.NamespaceAllowArgs.__required_keys__ == {"name", "namespaces"}
    assert args.IpBlockAllowArgs.__required_keys__ == {"name", "namespaces", "ip_blocks"}
