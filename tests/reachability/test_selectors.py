"""Label selectors: matchLabels AND matchExpressions, and the errors of malformed ones."""

from __future__ import annotations

import pytest
from podfence.errors import InputError
from podfence.reachability.selectors import LabelSelector, Requirement, parse_selector
from reachability.helpers import CONTEXT


def sel(raw: object) -> LabelSelector:
    return parse_selector(raw, CONTEXT, "spec.podSelector")


def test_an_empty_or_absent_selector_matches_every_object() -> None:
    empty: list[object] = [None, {}]
    for raw in empty:
        selector = sel(raw)
        assert selector.is_empty
        assert selector.matches({})
        assert selector.matches({"app": "x"})


def test_match_labels_needs_every_pair() -> None:
    selector = sel({"matchLabels": {"app": "web", "tier": "frontend"}})
    assert selector.matches({"app": "web", "tier": "frontend", "extra": "1"})
    assert not selector.matches({"app": "web"})
    assert not selector.matches({"app": "web", "tier": "backend"})


def test_match_labels_and_match_expressions_are_anded() -> None:
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
        }
    )
    assert selector.matches({"app": "web", "tier": "b"})
    assert not selector.matches({"app": "web", "tier": "c"})
    assert not selector.matches({"app": "api", "tier": "a"})


@pytest.mark.parametrize(
    ("operator", "values", "labels", "expected"),
    [
        ("In", ["a", "b"], {"k": "a"}, True),
        ("In", ["a", "b"], {"k": "c"}, False),
        ("In", ["a"], {}, False),
        ("NotIn", ["a"], {"k": "b"}, True),
        ("NotIn", ["a"], {"k": "a"}, False),
        ("NotIn", ["a"], {}, True),  # NotIn matches objects that lack the key
        ("Exists", None, {"k": ""}, True),
        ("Exists", None, {"other": "x"}, False),
        ("DoesNotExist", None, {}, True),
        ("DoesNotExist", None, {"k": "x"}, False),
    ],
)
def test_each_operator_follows_the_label_selector_semantics(
    operator: str, values: list[str] | None, labels: dict[str, str], expected: bool
) -> None:
    raw: dict[str, object] = {"key": "k", "operator": operator}
    if values is not None:
        raw["values"] = values
    assert sel({"matchExpressions": [raw]}).matches(labels) is expected


def test_equal_selectors_compare_equal_whatever_the_order_of_match_labels() -> None:
    first = sel({"matchLabels": {"a": "1", "b": "2"}})
    second = sel({"matchLabels": {"b": "2", "a": "1"}})
    assert first == second
    assert hash(first) == hash(second)


def test_describe_uses_kubectl_notation() -> None:
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["db", "cache"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "team", "operator": "Exists"},
            ],
        }
    )
    assert selector.describe() == "app=web,tier notin (cache,db),!canary,team"
    assert Requirement("t", "In", frozenset({"x"})).describe() == "t in (x)"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"matchExpressions": [{"key": "k", "operator": "Equals", "values": ["a"]}]},
            "spec.podSelector.matchExpressions[0].operator: unknown operator 'Equals'",
        ),
        (
            {"matchExpressions": [{"key": "k", "operator": "In"}]},
            "spec.podSelector.matchExpressions[0].values: operator In needs a non-empty list",
        ),
        (
            {"matchExpressions": [{"key": "k", "operator": "NotIn", "values": []}]},
            "matchExpressions[0].values: operator NotIn needs a non-empty list, got []",
        ),
        (
            {"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["a"]}]},
            "matchExpressions[0].values: operator Exists takes no values, got ['a']",
        ),
        (
            {"matchExpressions": [{"operator": "Exists"}]},
            "matchExpressions[0].key: expected a label key, got None",
        ),
        ({"matchLabels": {"replicas": 3}}, "matchLabels.replicas: label value 3 is not a string"),
        ({"matchLabels": {"on": True}}, "label value True is not a string (quote it)"),
        ({"matchlabels": {"app": "x"}}, "spec.podSelector.matchlabels: unknown field"),
        ("app=web", "spec.podSelector: expected a label selector map, got 'app=web'"),
    ],
)
def test_a_malformed_selector_is_one_line_naming_the_policy_field_and_value(
    raw: object, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        sel(raw)
    text = str(caught.value)
    assert text.startswith("policies.yaml: NetworkPolicy shop/test: spec.podSelector")
    assert message in text
    assert "\n" not in text


LABEL_CHARS = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"matchLabels": []}, "matchLabels: expected a map of labels, got []"),
        ({"matchLabels": ""}, "matchLabels: expected a map of labels, got ''"),
        ({"matchExpressions": {}}, "matchExpressions: expected a list of requirements, got {}"),
        ({"matchExpressions": ""}, "matchExpressions: expected a list of requirements, got ''"),
        (
            {"matchLabels": {"-app": "web"}},
            f"matchLabels: label key '-app': name part {LABEL_CHARS}",
        ),
        (
            {"matchLabels": {"/app": "web"}},
            "matchLabels: label key '/app': prefix part must be non-empty",
        ),
        (
            {"matchLabels": {"a/b/c": "web"}},
            "matchLabels: label key 'a/b/c': must be a name part with an optional DNS subdomain "
            "prefix and one '/' (e.g. 'example.com/MyName')",
        ),
        (
            {"matchLabels": {"app": "guestbook db"}},
            "matchLabels.app: label value 'guestbook db': must be empty or consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
        (
            {"matchLabels": {"app": "x" * 64}},
            f"matchLabels.app: label value '{'x' * 56}...: must be no more than 63 characters",
        ),
        (
            {"matchExpressions": [{"key": "tier db", "operator": "Exists"}]},
            f"matchExpressions[0].key: 'tier db': name part {LABEL_CHARS}",
        ),
        (
            {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a b"]}]},
            "matchExpressions[0].values[0]: 'a b': must be empty or consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
        (
            {"matchExpressions": [{"key": "tier", "operator": "In", "values": "db"}]},
            "matchExpressions[0].values: expected a list of label values, got 'db'",
        ),
        (
            {"matchExpressions": [{"key": "tier", "operator": "Exists", "value": ["x"]}]},
            "matchExpressions[0].value: unknown field (expected key, operator, values)",
        ),
    ],
)
def test_what_the_api_server_refuses_in_a_selector_is_one_line_with_field_and_value(
    raw: object, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        sel(raw)
    assert (
        str(caught.value) == f"policies.yaml: NetworkPolicy shop/test: spec.podSelector.{message}"
    )


def test_null_selector_parts_are_absent_and_prefixed_keys_and_empty_values_are_valid() -> None:
    selector = sel({"matchLabels": None, "matchExpressions": None})
    assert selector.is_empty
    named = sel({"matchLabels": {"kubernetes.io/metadata.name": "kube-system", "empty": ""}})
    assert named.matches({"kubernetes.io/metadata.name": "kube-system", "empty": ""})


def test_a_huge_label_value_is_never_echoed_whole() -> None:
    huge = [["lol"] * 9] * 9
    for _ in range(7):
        huge = [huge] * 9  # 9**9 strings by reference, as YAML aliases build them
    with pytest.raises(InputError) as caught:
        sel({"matchLabels": {"app": huge}})
    assert str(caught.value) == (
        "policies.yaml: NetworkPolicy shop/test: spec.podSelector.matchLabels.app: label value "
        "[[[[[[[[['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol',... is not a string (quote it)"
    )


def test_a_null_label_value_is_the_empty_value_as_the_api_server_decodes_it() -> None:
    selector = sel({"matchLabels": {"canary": None}})
    assert selector.match_labels == (("canary", ""),)
    assert selector.matches({"canary": ""})
    assert not selector.matches({})
