"""The components as the provider constructs them: what the Python components register from
the same inputs, whatever Pulumi's wire did to them; and every mistake refused, not widened."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest
from guestbook import GUESTBOOK
from podfence import components
from podfence.errors import SpecError
from podfence.offline.recorder import RecordedResource, record
from podfence.provider import analyze
from provider_wire import construct
from pulumi.provider.server import ComponentInitError
from pulumi_schema import input_problems

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
CNP = "kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy"
FIREWALL: dict[str, Any] = {
    **GUESTBOOK,
    "defaultDeny": {"egress": True, "dns": {"ports": [{"port": 53, "protocol": "UDP"}]}},
    "ingressController": {"tier": "ui"},
    "namespaceAllows": [
        {
            "name": "allow-monitoring",
            "fromNamespaceSelector": {"matchLabels": {"team": "monitoring"}},
        }
    ],
    "ipBlockAllows": [
        {
            "name": "allow-office",
            "ipBlocks": [{"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}],
            "ports": [{"port": 8000, "endPort": 8100}],
        }
    ],
}
CASES: list[tuple[str, dict[str, Any]]] = [
    ("Firewall", FIREWALL),
    ("DefaultDeny", {"namespaces": ["a", "b"], "egress": True, "policyName": "deny-everything"}),
    ("TierFirewall", {**GUESTBOOK, "egress": True, "flows": [{"from": "ui", "to": "api", "ports": [{"port": "http"}]}]}),
    (
        "NamespaceAllow",
        {"name": "allow-scrapers", "namespaces": ["guestbook"], "fromNamespaceNames": ["monitoring"],
         "fromPodSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["prometheus"]}]},
         "ports": [{"port": 9090, "protocol": "TCP"}]},
    ),
    (
        "IpBlockAllow",
        {"name": "allow-dns-out", "namespaces": ["guestbook"], "direction": "Egress",
         "ipBlocks": [{"cidr": "10.0.0.0/8"}], "ports": [{"port": 53, "protocol": "UDP"}]},
    ),
    (
        "ClusterBaseline",
        {"api": "v1alpha2", "name": "platform-baseline", "priority": 900, "egress": True,
         "namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]},
         "excludeNamespaces": ["kube-system", "ingress-nginx"],
         "dns": {"ports": [{"port": 53, "protocol": "UDP"}], "policyName": "dns"}},
    ),
]  # fmt: skip
#: What each component registers besides itself.
CHILDREN = {component: NETWORK_POLICY for component, _ in CASES} | {"ClusterBaseline": CNP}


def _python(component: str, inputs: dict[str, Any]) -> list[RecordedResource]:
    return record(lambda: getattr(components, component)("fw", inputs), "p", "test")


def _settled(resources: list[RecordedResource]) -> list[RecordedResource]:
    """``resources`` with their dependencies sorted: the SDK gathers them as a set."""
    return [dataclasses.replace(r, dependencies=tuple(sorted(r.dependencies))) for r in resources]


@pytest.mark.parametrize(("component", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_the_provider_registers_exactly_what_the_python_component_registers(
    component: str, inputs: dict[str, Any]
) -> None:
    made = construct(component, inputs)
    assert _settled(made) == _settled(_python(component, inputs))
    assert [r.type for r in made if r.type.startswith("podfence:")] == [
        f"podfence:index:{component}"
    ]
    assert any(r.type == CHILDREN[component] for r in made)


def test_ports_written_as_in_a_stack_file_work_through_the_provider_too() -> None:
    # The schema types ports as objects; the spec also reads 80, "53/UDP" or "8000-8100/TCP".
    inputs = {
        **GUESTBOOK,
        "tiers": {
            **GUESTBOOK["tiers"],
            "api": {"podLabels": {"app": "api"}, "ports": [8080, "9000-9100/TCP", "53/UDP"]},
        },
    }
    assert _settled(construct("TierFirewall", inputs)) == _settled(_python("TierFirewall", inputs))


def test_construct_answers_with_the_urn_and_the_policy_names_output() -> None:
    provider = analyze()
    seen: list[Any] = []

    def program() -> None:
        result = provider.construct("fw", "podfence:index:DefaultDeny", {"namespaces": ["a"]}, None)
        assert set(result.state) == {"policyNames"}
        result.state["policyNames"].apply(seen.append)

    record(program, "p", "test")
    assert seen == [["a/deny-all"]]


def test_the_baseline_answers_with_the_policy_name_output() -> None:
    provider = analyze()
    seen: list[Any] = []

    def program() -> None:
        result = provider.construct("platform", "podfence:index:ClusterBaseline", {}, None)
        assert set(result.state) == {"policyName"}
        result.state["policyName"].apply(seen.append)

    record(program, "p", "test")
    assert seen == ["default"]


def test_the_baselines_label_values_may_be_other_resources_outputs() -> None:
    inputs: dict[str, Any] = {"egress": True, "dns": {"namespace": "kube-system"}}
    literal = construct("ClusterBaseline", inputs)
    made = construct(
        "ClusterBaseline",
        {"egress": True},
        more=lambda: {"dns": {"namespace": pulumi.Output.from_input("kube-system")}},
    )
    assert [r.inputs for r in made if r.custom] == [r.inputs for r in literal if r.custom]


def test_names_may_be_other_resources_outputs_as_the_engine_sends_them() -> None:
    literal = construct("NamespaceAllow", CASES[3][1])
    inputs = {**CASES[3][1]}
    del inputs["namespaces"]
    made = construct(
        "NamespaceAllow",
        inputs,
        more=lambda: {"namespaces": [pulumi.Output.from_input("guestbook")]},
    )
    assert [r.inputs for r in made if r.custom] == [r.inputs for r in literal if r.custom]


BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "a misspelt key",
        {"fromNamespaceSelector": {"matchLabel": {"team": "monitoring"}}},
        "fw.fromNamespaceSelector.matchLabel: unknown key; did you mean matchLabels?",
    ),
    (
        "a selector written as a string",
        {"fromNamespaceSelector": "team=monitoring"},
        "fw.fromNamespaceSelector",
    ),
    ("a port that is no port", {"ports": [{"port": 80.5}]}, "fw.ports[0].port"),
    (
        "a protocol in lower case",
        {"ports": [{"port": 53, "protocol": "udp"}]},
        'did you mean "UDP"?',
    ),
]


@pytest.mark.parametrize(("what", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_mistake_is_refused_with_the_specs_message_and_nothing_registered(
    what: str, change: dict[str, Any], message: str
) -> None:
    # Pulumi's own input mapping drops unknown keys and reads a non-object as {}: an empty
    # namespaceSelector, which admits every namespace. The provider hands the spec the inputs.
    inputs = {"name": "allow-monitoring", "namespaces": ["guestbook"], **change}
    registered: list[str] = []
    with pytest.raises(ComponentInitError) as raised:
        construct("NamespaceAllow", inputs, registered=registered)
    assert isinstance(raised.value.inner, SpecError), what
    assert message in str(raised.value), str(raised.value)
    assert registered == [], f"{what}: registered {registered}"


def test_a_baseline_mistake_is_refused_the_same_way() -> None:
    registered: list[str] = []
    with pytest.raises(ComponentInitError) as raised:
        construct("ClusterBaseline", {"api": "v1beta2"}, registered=registered)
    assert isinstance(raised.value.inner, SpecError)
    assert "fw.api: Input should be 'v1alpha1', 'v1alpha2' or 'v1beta1' (got 'v1beta2')" in str(
        raised.value
    )
    assert registered == []


TO_PUBLIC_INTERNET: list[tuple[str, dict[str, Any]]] = [
    (
        "IpBlockAllow",
        {"name": "allow-apis", "namespaces": ["guestbook"], "to": "public-internet",
         "ports": [{"port": 443}]},
    ),
    (
        "Firewall",
        {**GUESTBOOK, "ipBlockAllows": [{"name": "allow-apis", "to": "public-internet",
                                         "podSelector": {"matchLabels": {"app": "api"}}}]},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("component", "inputs"), TO_PUBLIC_INTERNET, ids=[c[0] for c in TO_PUBLIC_INTERNET]
)
def test_to_public_internet_is_in_the_schema_and_registers_what_the_python_component_does(
    component: str, inputs: dict[str, Any]
) -> None:
    schema = json.loads(analyze().schema)
    # The guestbook's tiers write ports as a stack file does (80), which only the spec reads.
    typed = component == "IpBlockAllow"
    assert input_problems(inputs, f"podfence:index:{component}", schema, types=typed) == []
    made = construct(component, inputs)
    assert _settled(made) == _settled(_python(component, inputs))
    policies = [r.inputs for r in made if r.type == NETWORK_POLICY]
    egress = [p["spec"] for p in policies if p["metadata"]["name"] == "allow-apis"]
    assert [spec["policyTypes"] for spec in egress] == [["Egress"]]
    assert [len(spec["egress"][0]["to"]) for spec in egress] == [2]


def test_the_schema_refuses_a_destination_it_does_not_name() -> None:
    schema = json.loads(analyze().schema)
    inputs = {"name": "allow-apis", "namespaces": ["guestbook"], "to": "internet"}
    assert input_problems(inputs, "podfence:index:IpBlockAllow", schema) == [
        "to: 'internet' is not one of ['public-internet']"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {},
            "fw.ipBlocks: Field required: list the ranges under ipBlocks, or write to: "
            "public-internet for egress to the public internet",
        ),
        (
            {"to": "public-internet", "ipBlocks": [{"cidr": "10.0.0.0/8"}]},
            "fw.to: public-internet and ipBlocks both say where traffic goes; keep one",
        ),
    ],
    ids=["neither", "both"],
)
def test_exactly_one_of_ip_blocks_and_to_or_nothing_is_registered(
    change: dict[str, Any], message: str
) -> None:
    registered: list[str] = []
    inputs = {"name": "allow-apis", "namespaces": ["guestbook"], **change}
    with pytest.raises(ComponentInitError) as raised:
        construct("IpBlockAllow", inputs, registered=registered)
    assert isinstance(raised.value.inner, SpecError)
    assert message in str(raised.value), str(raised.value)
    assert registered == []
