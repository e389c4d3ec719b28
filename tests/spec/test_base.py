"""The Spec base: unknown keys first with the nearest known key, one-line constructors, flags."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import Flow, IpBlock, LabelSelector, Port, Tier, TierFirewallSpec
from podfence.spec.base import check_flag, unknown_key_message
from pydantic import ValidationError

TIERS: dict[str, Any] = {
    "namespace": "guestbook",
    "tiers": {"ui": {"podLabels": {"app": "ui"}}, "api": {"podLabels": {"app": "api"}}},
    "flows": [{"from": "ui", "to": "api"}],
}


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        TierFirewallSpec.parse(value, root)
    return str(caught.value)


def test_an_unknown_key_names_the_nearest_field_in_its_own_spelling() -> None:
    known = [("podLabels", "pod_labels"), ("egressIsolated", "egress_isolated")]
    assert unknown_key_message("podLabel", known) == "unknown key; did you mean podLabels?"
    assert unknown_key_message("pod_label", known) == "unknown key; did you mean pod_labels?"
    assert unknown_key_message("PODLABELS", known) == "unknown key; did you mean podLabels?"
    assert unknown_key_message("colour", known) == (
        "unknown key (known keys: podLabels, egressIsolated)"
    )


def test_an_unknown_key_is_reported_before_the_required_field_it_leaves_unset() -> None:
    value = {**TIERS, "tiers": {"ui": {"podLabel": {"app": "ui"}}}}
    assert parse_error(value, "firewall") == (
        "firewall.tiers.ui.podLabel: unknown key; did you mean podLabels?"
    )


def test_an_unknown_key_deep_down_is_reported_before_an_earlier_error() -> None:
    value = {**TIERS, "namespace": "Guestbook", "flows": [{"from": "ui", "to": "api", "nme": "x"}]}
    assert parse_error(value) == "flows[0].nme: unknown key; did you mean name? (and 1 more error)"


def test_several_unknown_keys_are_all_counted() -> None:
    value = {**TIERS, "flow": [], "tier": {}}
    assert parse_error(value) == "flow: unknown key; did you mean flows? (and 1 more error)"


def test_aliases_and_python_names_are_both_known() -> None:
    assert Flow.parse({"from": "a", "to": "b"}) == Flow.parse({"from_": "a", "to": "b"})
    assert IpBlock.parse({"cidr": "10.0.0.0/8", "except_": ["10.1.0.0/16"]}).except_ == (
        "10.1.0.0/16",
    )


def test_one_field_in_both_spellings_is_refused() -> None:
    assert parse_error({**TIERS, "flows": [{"from": "ui", "from_": "api", "to": "api"}]}) == (
        "flows[0].from_: from and from_ are the same key; keep one"
    )


def test_a_key_that_is_not_a_string_is_unknown() -> None:
    with pytest.raises(SpecError) as caught:
        Port.parse({"port": 80, 1: "x"})
    assert str(caught.value) == "1: unknown key (known keys: port, protocol, endPort)"


def test_a_constructor_raises_one_spec_error_line_prefixed_with_the_class() -> None:
    with pytest.raises(SpecError) as caught:
        Tier(pod_labels={})
    assert str(caught.value) == (
        "Tier.pod_labels: a tier needs at least one pod label: an empty selector is every pod of "
        "the namespace"
    )
    assert isinstance(caught.value.__cause__, ValidationError), "pydantic's error is kept"


def test_a_nested_error_keeps_its_place_in_the_whole() -> None:
    with pytest.raises(SpecError) as caught:
        TierFirewallSpec(namespace="guestbook", tiers={"ui": {"pod_labels": {"app": "a b"}}})
    assert str(caught.value).startswith(
        "TierFirewallSpec.tiers.ui.pod_labels: label value 'a b' of key 'app' is invalid"
    )


def test_model_validate_still_raises_pydantics_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Port.model_validate({"port": 0})
    assert caught.value.errors()[0]["loc"] == ("port",)


def test_a_valid_constructor_call_builds_the_spec() -> None:
    assert Port(port=80) == Port.tcp(80)
    assert LabelSelector(match_labels={"app": "ui"}) == LabelSelector.of(app="ui")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("true", "'true' is not a boolean: write true or false, without quotes"),
        ("yes", "'yes' is not a boolean: write true or false"),
        (1, "1 is not a boolean: write true or false"),
        (None, "None is not a boolean: write true or false"),
    ],
)
def test_a_flag_takes_a_boolean_and_nothing_else(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_flag(value)
    assert check_flag(True) is True
