"""Label selectors: keys, values, operators, the factories and describe()."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import (
    NAMESPACE_NAME_LABEL,
    LabelSelector,
    LabelSelectorRequirement,
    Operator,
)


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        LabelSelector.parse(value, root)
    return str(caught.value)


def test_a_selector_reads_camel_case_and_python_names_alike() -> None:
    by_alias = LabelSelector.parse({"matchLabels": {"app": "api"}})
    by_name = LabelSelector.parse({"match_labels": {"app": "api"}})
    assert by_alias == by_name
    assert by_alias.match_labels == {"app": "api"}


def test_the_empty_selector_selects_everything() -> None:
    empty = LabelSelector.parse({})
    assert empty.is_empty
    assert empty.describe() == "(everything)"
    assert not LabelSelector.of(app="api").is_empty


def test_a_misspelt_key_is_rejected_not_ignored() -> None:
    assert parse_error({"matchLabel": {"app": "api"}}, "podSelector") == (
        "podSelector.matchLabel: unknown key; did you mean matchLabels?"
    )


def test_a_selector_is_frozen() -> None:
    selector = LabelSelector.of(app="api")
    with pytest.raises(ValueError, match="frozen"):
        selector.match_expressions = ()  # type: ignore[misc]


def test_a_prefixed_label_key_is_accepted() -> None:
    selector = LabelSelector.parse({"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}})
    assert selector.match_labels == {"kubernetes.io/metadata.name": "kube-system"}


def test_a_label_key_starting_with_a_dash_is_rejected() -> None:
    assert parse_error({"matchLabels": {"-app": "api"}}) == (
        "matchLabels: label key '-app' is invalid: name part must consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    )


def test_a_label_key_with_an_upper_case_prefix_is_rejected() -> None:
    assert parse_error({"matchLabels": {"Example.com/app": "api"}}) == (
        "matchLabels: label key 'Example.com/app' is invalid: prefix part a lowercase RFC 1123 "
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        "start and end with an alphanumeric character"
    )


def test_a_label_key_with_an_empty_name_is_rejected() -> None:
    assert "label key 'example.com/' is invalid: name part must be non-empty" in parse_error(
        {"matchLabels": {"example.com/": "x"}}
    )


def test_a_label_key_name_of_64_characters_is_rejected() -> None:
    assert parse_error({"matchLabels": {"a" * 64: "x"}}).endswith(
        "is invalid: name part must be no more than 63 characters"
    )
    assert LabelSelector.of({"a" * 63: "x"}).match_labels == {"a" * 63: "x"}


def test_a_label_value_with_a_space_is_rejected() -> None:
    assert parse_error({"matchLabels": {"app": "my api"}}) == (
        "matchLabels: label value 'my api' of key 'app' is invalid: must be empty or consist of "
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        "character"
    )


def test_a_label_value_of_64_characters_is_rejected() -> None:
    assert parse_error({"matchLabels": {"app": "v" * 64}}) == (
        f"matchLabels: label value {'v' * 64!r} of key 'app' is invalid: must be no more than 63 "
        "characters"
    )


def test_an_empty_label_value_is_accepted() -> None:
    assert LabelSelector.of(app="").match_labels == {"app": ""}


def test_a_label_value_that_is_not_a_string_names_its_key_and_says_to_quote_it() -> None:
    assert parse_error({"matchLabels": {"replicas": 3}}, "podSelector") == (
        "podSelector.matchLabels: label value 3 of key 'replicas' is not a string; quote it in YAML"
    )
    assert parse_error({"matchLabels": {"canary": True}}) == (
        "matchLabels: label value True of key 'canary' is not a string; quote it in YAML"
    )


def test_in_without_values_is_rejected() -> None:
    error = parse_error({"matchExpressions": [{"key": "tier", "operator": "In"}]}, "podSelector")
    assert error == "podSelector.matchExpressions[0]: operator In on key 'tier' needs values"


def test_not_in_without_values_is_rejected() -> None:
    error = parse_error({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": []}]})
    assert error == "matchExpressions[0]: operator NotIn on key 'tier' needs values"


def test_exists_with_values_is_rejected() -> None:
    error = parse_error(
        {"matchExpressions": [{"key": "tier", "operator": "Exists", "values": ["db"]}]}
    )
    assert (
        error == "matchExpressions[0]: operator Exists on key 'tier' takes no values (got ['db'])"
    )


def test_does_not_exist_with_values_is_rejected() -> None:
    error = parse_error(
        {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist", "values": ["db"]}]}
    )
    assert "operator DoesNotExist on key 'tier' takes no values" in error


def test_an_unknown_operator_is_rejected() -> None:
    error = parse_error({"matchExpressions": [{"key": "tier", "operator": "in", "values": ["a"]}]})
    assert error.startswith("matchExpressions[0].operator: ")
    assert "(got 'in')" in error


def test_an_invalid_expression_key_is_rejected() -> None:
    error = parse_error({"matchExpressions": [{"key": "bad key", "operator": "Exists"}]})
    assert error.startswith("matchExpressions[0].key: label key 'bad key' is invalid")


def test_an_invalid_expression_value_is_rejected() -> None:
    error = parse_error(
        {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["ok", "not ok"]}]}
    )
    assert error.startswith(
        "matchExpressions[0].values: label value 'not ok' of key 'tier' is invalid: must be empty"
    )


def test_of_merges_a_dict_and_keyword_labels() -> None:
    selector = LabelSelector.of({"app.kubernetes.io/name": "guestbook"}, tier="frontend")
    assert selector.match_labels == {"app.kubernetes.io/name": "guestbook", "tier": "frontend"}
    assert selector.match_expressions == ()


def test_of_validates_its_labels_in_one_line_naming_the_class_and_field() -> None:
    with pytest.raises(SpecError) as caught:
        LabelSelector.of(app="a b")
    assert str(caught.value) == (
        "LabelSelector.match_labels: label value 'a b' of key 'app' is invalid: must be empty or "
        "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character"
    )


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("/app", "prefix part must be non-empty"),
        (
            "-app",
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
            "and end with an alphanumeric character",
        ),
        (
            "a/b/c",
            "must be a name part with an optional DNS subdomain prefix and one '/' (e.g. "
            "'example.com/MyName')",
        ),
    ],
)
def test_a_label_key_breaking_the_kubernetes_rules_is_rejected_by_of(
    key: str, problem: str
) -> None:
    with pytest.raises(SpecError) as caught:
        LabelSelector.of({key: "x"})
    assert (
        str(caught.value) == f"LabelSelector.match_labels: label key {key!r} is invalid: {problem}"
    )


def test_namespace_names_with_one_name_uses_match_labels() -> None:
    assert LabelSelector.namespace_names("monitoring") == LabelSelector(
        match_labels={"kubernetes.io/metadata.name": "monitoring"}
    )


def test_namespace_names_with_several_names_uses_one_sorted_deduplicated_in_expression() -> None:
    selector = LabelSelector.namespace_names("monitoring", "logging", "monitoring")
    assert selector.match_labels == {}
    assert selector.match_expressions == (
        LabelSelectorRequirement(
            key=NAMESPACE_NAME_LABEL, operator=Operator.IN, values=("logging", "monitoring")
        ),
    )


def test_namespace_names_without_a_name_is_refused() -> None:
    with pytest.raises(
        SpecError, match=r"^LabelSelector\.namespace_names: name at least one namespace$"
    ):
        LabelSelector.namespace_names()


def test_describe_speaks_kubectl() -> None:
    selector = LabelSelector.parse(
        {
            "matchLabels": {"tier": "backend", "app": "api"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["dev", "prod"]},
                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                {"key": "canary", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"},
            ],
        }
    )
    assert selector.describe() == (
        "app=api,tier=backend,env in (dev,prod),zone notin (b),canary,!legacy"
    )


def test_of_given_a_string_suggests_the_dict() -> None:
    with pytest.raises(SpecError) as caught:
        LabelSelector.of("app=ui")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "LabelSelector.of: labels 'app=ui' must be a dict of label keys to values; did you mean "
        "LabelSelector.of({'app': 'ui'})?"
    )


def test_namespace_names_refuses_a_name_that_is_no_namespace() -> None:
    with pytest.raises(SpecError) as caught:
        LabelSelector.namespace_names("monitoring", "Bad_NS")
    assert str(caught.value).startswith(
        "LabelSelector.namespace_names: namespace 'Bad_NS' is not a valid name: "
    )
    assert str(caught.value).endswith('did you mean "bad-ns"?')
