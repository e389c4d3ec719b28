"""The shared schema types mirror the specs they describe, so the two cannot drift apart."""

from __future__ import annotations

import pytest
from podfence import spec
from podfence.provider import types
from podfence.spec.base import Spec
from typed_dicts import mirror_problems

PAIRS: list[tuple[type, type[Spec]]] = [
    (types.LabelSelectorRequirement, spec.LabelSelectorRequirement),
    (types.LabelSelector, spec.LabelSelector),
    (types.Port, spec.Port),
    (types.IpBlock, spec.IpBlock),
    (types.DnsEgress, spec.DnsEgress),
    (types.Tier, spec.Tier),
    (types.Flow, spec.Flow),
]


@pytest.mark.parametrize(("typed", "mirrored"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_each_type_has_its_specs_keys_required_keys_config_names_and_shapes(
    typed: type, mirrored: type[Spec]
) -> None:
    assert mirror_problems(typed, mirrored) == []


def test_python_keywords_get_the_names_config_writes_in_the_schema() -> None:
    # `from` and `except` cannot be TypedDict keys; the host's camel_case drops the trailing _.
    assert set(types.Flow.__annotations__) >= {"from_", "to"}
    assert "except_" in types.IpBlock.__annotations__
    assert mirror_problems(types.Flow, spec.Flow) == []  # its validation alias is `from`
    assert spec.IpBlock.model_fields["except_"].validation_alias == "except"


def test_a_drift_is_reported_with_the_key_and_both_sides() -> None:
    problems = mirror_problems(types.Port, spec.Tier)
    assert any("keys ['end_port', 'port', 'protocol'] only here" in p for p in problems), problems
    assert any("required [] here, ['pod_labels'] expected" in p for p in problems), problems
