"""The components' args mirror their specs, nested types included.

No ``from __future__ import annotations``: the drifted TypedDicts below are read as the host
reads args, by their annotations at run time.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import ClassVar, Literal, NotRequired, TypedDict, get_args

import pytest
from podfence import spec
from podfence.internet import PUBLIC_INTERNET
from podfence.provider import args, types
from podfence.spec.base import Spec
from typed_dicts import SHORTHANDS, mirror_problems

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
    # ipBlocks or to: the spec requires one of them, so the schema neither.
    assert args.IpBlockAllowArgs.__required_keys__ == {"name", "namespaces"}
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


def test_to_is_an_enum_of_the_one_destination_the_spec_expands() -> None:
    assert [to.value for to in types.IpBlockDestination] == [PUBLIC_INTERNET]
    (shorthand,) = SHORTHANDS[spec.IpBlockAllowSpec]
    assert shorthand.key == "to" and shorthand.replaces == {"ip_blocks"}
    assert spec.IpBlockAllowSpec.config_shorthands == ("to",)


class _Hand(Spec):
    """A spec with a shorthand the drift test has not been told of."""

    config_shorthands: ClassVar[tuple[str, ...]] = ("to",)
    ip_blocks: Sequence[str]


def test_a_shorthand_is_mirrored_only_as_its_listed_exception() -> None:
    class WithoutTo(TypedDict):
        name: str
        namespaces: Sequence[str]
        ip_blocks: NotRequired[Sequence[types.IpBlock]]
        direction: NotRequired[spec.Direction]
        pod_selector: NotRequired[types.LabelSelector]
        ports: NotRequired[Sequence[types.Port]]

    class PlainTo(WithoutTo):
        to: NotRequired[str]

    class BlocksRequired(TypedDict):
        name: str
        namespaces: Sequence[str]
        ip_blocks: Sequence[types.IpBlock]
        to: NotRequired[types.IpBlockDestination]
        direction: NotRequired[spec.Direction]
        pod_selector: NotRequired[types.LabelSelector]
        ports: NotRequired[Sequence[types.Port]]

    class Unlisted(TypedDict):
        ip_blocks: NotRequired[Sequence[str]]
        to: NotRequired[str]

    where = "(IpBlockAllowSpec)"
    assert mirror_problems(WithoutTo, spec.IpBlockAllowSpec) == [
        f"WithoutTo {where}: keys [] only here, ['to'] only in the spec"
    ]
    assert mirror_problems(PlainTo, spec.IpBlockAllowSpec) == [
        f"PlainTo {where}.to: <class 'str'> here, one of ['public-internet'] in the spec: "
        "write an enum"
    ]
    assert mirror_problems(BlocksRequired, spec.IpBlockAllowSpec) == [
        f"BlocksRequired {where}: required ['ip_blocks', 'name', 'namespaces'] here, "
        "['name', 'namespaces'] expected"
    ]
    assert mirror_problems(Unlisted, _Hand) == [
        "Unlisted (_Hand): the spec's shorthands ['to'], [] listed",
        "Unlisted (_Hand): keys ['to'] only here, [] only in the spec",
        "Unlisted (_Hand): required [] here, ['ip_blocks'] expected",
    ]
