"""The components' args mirror their specs, nested types included.

No ``from __future__ import annotations``: the drifted TypedDicts below are read as the host
reads args, by their annotations at run time.
"""

from enum import StrEnum
from typing import Literal, NotRequired, TypedDict, get_args

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
    (args.ClusterBaselineArgs, spec.ClusterBaselineSpec),
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
    assert args.ClusterBaselineArgs.__required_keys__ == frozenset()


class _Versioned(Spec):
    api: Literal["v1alpha1", "v1alpha2"] = "v1alpha1"


def test_the_baselines_api_is_an_enum_of_the_specs_literal_values() -> None:
    # The schema has no literal types: the spec's Literal of versions is an enum here.
    literal = spec.ClusterBaselineSpec.model_fields["api"].annotation
    assert [api.value for api in args.ClusterBaselineApi] == list(get_args(literal))

    class Drifted(StrEnum):
        V1ALPHA1 = "v1alpha1"
        V1BETA1 = "v1beta1"

    class EnumArgs(TypedDict):
        api: NotRequired[Drifted]

    class PlainArgs(TypedDict):
        api: NotRequired[str]

    assert mirror_problems(EnumArgs, _Versioned) == [
        "EnumArgs (_Versioned).api: Drifted has ['v1alpha1', 'v1beta1'], "
        "the spec ['v1alpha1', 'v1alpha2']"
    ]
    assert mirror_problems(PlainArgs, _Versioned) == [
        "PlainArgs (_Versioned).api: <class 'str'> here, one of ['v1alpha1', 'v1alpha2'] in the "
        "spec: write an enum"
    ]
