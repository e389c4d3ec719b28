"""NamespaceAllowSpec: exactly one way to name the source namespaces, and where the policy goes."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import LabelSelector, NamespaceAllowSpec, Port

ONE_SOURCE_MESSAGE = (
    "say which namespaces to admit with exactly one of fromNamespaceSelector and fromNamespaceNames"
)


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        NamespaceAllowSpec.parse(value, root)
    return str(caught.value)


def allow(**changes: Any) -> dict[str, Any]:
    return {"name": "allow-monitoring-namespace", "namespaces": ["guestbook"], **changes}


def test_the_blogs_monitoring_allowance_parses_with_every_default() -> None:
    spec = NamespaceAllowSpec.parse(
        allow(fromNamespaceSelector={"matchLabels": {"team": "monitoring"}})
    )
    assert spec.pod_selector.is_empty
    assert spec.from_pod_selector is None
    assert spec.from_namespace_names is None
    assert spec.ports == ()
    assert spec.source_namespaces == LabelSelector.of(team="monitoring")


def test_both_sources_are_rejected() -> None:
    value = allow(fromNamespaceSelector={}, fromNamespaceNames=["monitoring"])
    assert parse_error(value, "namespaceAllows[0]") == f"namespaceAllows[0]: {ONE_SOURCE_MESSAGE}"


def test_neither_source_is_rejected() -> None:
    assert parse_error(allow()) == f"(top level): {ONE_SOURCE_MESSAGE}"


def test_an_empty_namespace_selector_is_a_deliberate_all_namespaces() -> None:
    spec = NamespaceAllowSpec.parse(allow(fromNamespaceSelector={}))
    assert spec.source_namespaces.is_empty


def test_source_names_select_through_the_metadata_name_label() -> None:
    one = NamespaceAllowSpec.parse(allow(fromNamespaceNames=["monitoring"]))
    assert one.source_namespaces == LabelSelector.namespace_names("monitoring")
    several = NamespaceAllowSpec.parse(allow(fromNamespaceNames=["monitoring", "logging"]))
    assert several.source_namespaces.describe() == (
        "kubernetes.io/metadata.name in (logging,monitoring)"
    )


def test_an_empty_list_of_source_names_is_rejected() -> None:
    assert parse_error(allow(fromNamespaceNames=[])) == (
        "fromNamespaceNames: fromNamespaceNames is empty: name at least one namespace"
    )


def test_an_invalid_source_name_is_rejected_with_a_suggestion() -> None:
    assert parse_error(allow(fromNamespaceNames=["Monitoring"])) == (
        "fromNamespaceNames: namespace 'Monitoring' is not a valid name: "
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character; "
        'did you mean "monitoring"?'
    )


def test_no_namespace_to_create_the_policy_in_is_rejected() -> None:
    assert parse_error(allow(namespaces=[], fromNamespaceNames=["monitoring"])) == (
        "namespaces: name at least one namespace to create the policy in"
    )


def test_a_namespace_listed_twice_is_rejected() -> None:
    assert parse_error(allow(namespaces=["a", "b", "a"], fromNamespaceNames=["m"])) == (
        "namespaces: namespaces ['a', 'b', 'a'] lists a namespace twice"
    )


def test_a_policy_needs_a_valid_name() -> None:
    value = allow(fromNamespaceNames=["monitoring"])
    del value["name"]
    assert parse_error(value) == "name: Field required"
    assert parse_error(allow(name="Allow Monitoring", fromNamespaceNames=["m"])).startswith(
        "name: policy name 'Allow Monitoring' is not a valid Kubernetes name"
    )


def test_a_misspelt_key_is_rejected() -> None:
    assert parse_error(allow(fromNamespaceNames=["m"], podSelecter={}), "x") == (
        "x.podSelecter: unknown key; did you mean podSelector?"
    )


def test_pods_and_ports_narrow_the_allowance() -> None:
    spec = NamespaceAllowSpec.parse(
        allow(
            fromNamespaceNames=["monitoring"],
            fromPodSelector={"matchLabels": {"app": "prometheus"}},
            podSelector={"matchLabels": {"tier": "backend"}},
            ports=["metrics", 9090],
        )
    )
    assert spec.from_pod_selector == LabelSelector.of(app="prometheus")
    assert spec.pod_selector == LabelSelector.of(tier="backend")
    assert spec.ports == (Port.named("metrics"), Port.tcp(9090))
