"""ClusterBaselineSpec: defaults that keep the system namespaces and DNS working, and the
combinations one API version cannot express."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import ClusterBaselineSpec, DnsEgress, LabelSelector


def parse_error(value: Any) -> str:
    with pytest.raises(SpecError) as caught:
        ClusterBaselineSpec.parse(value, "platform")
    return str(caught.value)


def test_the_defaults_deny_ingress_everywhere_but_the_system_namespaces_in_v1alpha1() -> None:
    spec = ClusterBaselineSpec.parse({})
    assert (spec.api, spec.ingress, spec.egress, spec.allow_dns) == ("v1alpha1", True, False, True)
    assert spec.exclude_namespaces == ("kube-system", "kube-public", "kube-node-lease")
    assert spec.namespace_selector == LabelSelector()
    assert spec.dns == DnsEgress()
    assert (spec.policy_name, spec.policy_priority) == ("default", None)


def test_v1alpha2_names_a_cluster_network_policy_last_in_the_baseline_tier() -> None:
    spec = ClusterBaselineSpec.parse({"api": "v1alpha2"})
    assert (spec.policy_name, spec.policy_priority) == ("podfence-baseline", 1000)
    named = ClusterBaselineSpec.parse({"api": "v1alpha2", "name": "team-baseline", "priority": 0})
    assert (named.policy_name, named.policy_priority) == ("team-baseline", 0)


def test_camel_case_keys_configure_namespaces_and_directions() -> None:
    spec = ClusterBaselineSpec.parse(
        {
            "namespaceSelector": {"matchLabels": {"tenant": "yes"}},
            "excludeNamespaces": [],
            "egress": True,
            "allowDns": False,
        }
    )
    assert spec.namespace_selector == LabelSelector.of(tenant="yes")
    assert spec.exclude_namespaces == () and spec.egress and not spec.allow_dns


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"ingress": False},
            "platform: ClusterBaseline with ingress: false and egress: false denies nothing",
        ),
        (
            {"name": "mine"},
            "platform: name 'mine': the BaselineAdminNetworkPolicy (api v1alpha1) is always named "
            "default; leave name out, or use api v1alpha2 or v1beta1",
        ),
        (
            {"priority": 5},
            "platform: priority: the BaselineAdminNetworkPolicy (api v1alpha1) has none; leave it "
            "out, or use api v1alpha2 or v1beta1",
        ),
        (
            {"api": "v1alpha2", "priority": 1001},
            "platform.priority: priority 1001 must be a whole number from 0 to 1000",
        ),
        (
            {"api": "v1"},
            "platform.api: Input should be 'v1alpha1', 'v1alpha2' or 'v1beta1' (got 'v1')",
        ),
        (
            {"excludeNamespaces": ["kube-system", "kube-system"]},
            "platform.excludeNamespaces: excludeNamespaces ['kube-system', 'kube-system'] lists a "
            "namespace twice",
        ),
        (
            {"excludeNamespaces": ["Kube_System"]},
            "platform.excludeNamespaces: namespace 'Kube_System' is not a valid name: a lowercase "
            "RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
            'start and end with an alphanumeric character; did you mean "kube-system"?',
        ),
        ({"egres": True}, "platform.egres: unknown key; did you mean egress?"),
    ],
)
def test_bad_args_are_one_line_naming_the_field(args: dict[str, Any], message: str) -> None:
    assert parse_error(args) == message
