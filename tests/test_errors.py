"""format_validation_error: one line, the field's location, the message, the bad value, the rest counted."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from podfence.errors import (
    UNKNOWN_KEY,
    ConfigError,
    InputError,
    PodfenceError,
    SpecError,
    format_validation_error,
)
from pydantic import AfterValidator, BaseModel, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError


def _positive(value: int) -> int:
    if value <= 0:
        raise AssertionError("must be positive")  # what a plain assert raises, unrewritten
    return value


class Item(BaseModel):
    name: str
    size: Annotated[int, AfterValidator(_positive)] = 1

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value != value.lower():
            raise ValueError(f"name {value!r} must be lower case")
        return value


class Box(BaseModel):
    items: list[Item] = []
    labels: dict[str, int] = {}
    either: int | Annotated[str, AfterValidator(str.strip)] = 0


def error_of(value: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Box.model_validate(value)
    return caught.value


def synthetic(*errors: InitErrorDetails) -> ValidationError:
    return ValidationError.from_exception_data("Firewall", list(errors))


def test_every_podfence_error_is_a_value_error_of_one_base() -> None:
    for kind in (SpecError, ConfigError, InputError):
        assert issubclass(kind, PodfenceError)
    assert issubclass(PodfenceError, ValueError)


def test_a_value_error_reads_location_and_message_without_pydantics_prefix() -> None:
    error = error_of({"items": [{"name": "ok"}, {"name": "Bad"}]})
    assert format_validation_error(error) == "items[1].name: name 'Bad' must be lower case"


def test_the_root_prefixes_the_location() -> None:
    error = error_of({"items": [{"name": "Bad"}]})
    assert format_validation_error(error, "firewall") == (
        "firewall.items[0].name: name 'Bad' must be lower case"
    )


def test_an_assertion_reads_without_pydantics_prefix_and_shows_the_value() -> None:
    error = error_of({"items": [{"name": "ok", "size": -3}]})
    assert format_validation_error(error) == "items[0].size: must be positive (got -3)"


def test_a_type_error_shows_the_bad_value() -> None:
    error = error_of({"labels": {"replicas": "three"}})
    assert format_validation_error(error, "x") == (
        "x.labels.replicas: Input should be a valid integer, unable to parse string as an "
        "integer (got 'three')"
    )


def test_a_missing_field_does_not_show_the_whole_parent() -> None:
    error = error_of({"items": [{"size": 2}]})
    assert format_validation_error(error) == "items[0].name: Field required"


def test_a_long_bad_value_is_shortened_to_80_characters() -> None:
    error = error_of({"labels": {"k": "v" * 200}})
    line = format_validation_error(error)
    got = line[line.index("(got ") + len("(got ") : -1]
    assert len(got) == 80
    assert got == "'" + "v" * 76 + "..."


def test_one_more_error_is_counted_in_the_singular() -> None:
    error = error_of({"items": [{"name": "A"}, {"name": "B"}]})
    assert format_validation_error(error) == (
        "items[0].name: name 'A' must be lower case (and 1 more error)"
    )


def test_several_more_errors_are_counted_in_the_plural() -> None:
    error = error_of({"items": [{"name": "A"}, {"name": "B"}, {"name": "C"}]})
    assert format_validation_error(error).endswith("(and 2 more errors)")


def test_validator_steps_are_left_out_of_the_location() -> None:
    error = synthetic(
        {"type": "string_type", "loc": ("either", "function-after[strip(), str]"), "input": []}
    )
    assert format_validation_error(error) == "either: Input should be a valid string (got [])"


def test_union_branches_are_left_out_of_the_location() -> None:
    # pydantic reports one error per branch of ``int | str``, at ("either", "int") and
    # ("either", "function-after[...]"); "either.int" would name a field that does not exist
    # (as Port.parse({"port": 1.5}) says "port.int: ...").
    error = error_of({"either": []})
    assert format_validation_error(error) == (
        "either: Input should be a valid integer (got []) (and 1 more error)"
    )


def test_tagged_union_steps_are_left_out_of_the_location() -> None:
    error = synthetic(
        {"type": "missing", "loc": ("peers", 0, "tagged-union[Pod,Block]", "cidr"), "input": {}}
    )
    assert format_validation_error(error, "spec") == "spec.peers[0].cidr: Field required"


def test_an_error_of_the_whole_object_is_at_the_top_level_or_at_the_root() -> None:
    error = synthetic(
        {
            "type": "value_error",
            "loc": (),
            "input": {},
            "ctx": {"error": ValueError("denies nothing")},
        }
    )
    assert format_validation_error(error) == "(top level): denies nothing"
    assert format_validation_error(error, "firewall") == "firewall: denies nothing"


def test_a_location_starting_with_an_index_reads_as_an_index() -> None:
    error = synthetic({"type": "missing", "loc": (2, "to"), "input": {}})
    assert format_validation_error(error) == "[2].to: Field required"
    assert format_validation_error(error, "flows") == "flows[2].to: Field required"


def test_an_unknown_key_is_reported_first_without_its_value() -> None:
    error = synthetic(
        {"type": "missing", "loc": ("tiers", "ui", "podLabels"), "input": {}},
        {
            "type": PydanticCustomError(UNKNOWN_KEY, "unknown key; did you mean podLabels?"),
            "loc": ("tiers", "ui", "podLabel"),
            "input": {"app": "ui"},
        },
    )
    assert format_validation_error(error, "firewall") == (
        "firewall.tiers.ui.podLabel: unknown key; did you mean podLabels? (and 1 more error)"
    )
