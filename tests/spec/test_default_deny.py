"""DefaultDenySpec and DnsEgress: defaults, and the denials that would deny nothing or collide."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import DefaultDenySpec, DnsEgress, Port


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        DefaultDenySpec.parse(value, root)
    return str(caught.value)


def test_the_defaults_deny_ingress_only_as_the_blog_does() -> None:
    spec = DefaultDenySpec.parse({"namespaces": ["guestbook"]})
    assert spec.namespaces == ("guestbook",)
    assert spec.ingress is True
    assert spec.egress is False
    assert spec.allow_dns is True
    assert spec.policy_name == "deny-all"


def test_dns_defaults_to_kube_dns_in_kube_system_on_53_udp_and_tcp() -> None:
    dns = DnsEgress()
    assert dns.namespace == "kube-system"
    assert dns.pod_labels == {"k8s-app": "kube-dns"}
    assert dns.ports == (Port.udp(53), Port.tcp(53))
    assert dns.policy_name == "allow-dns-egress"


def test_dns_is_configurable_in_camel_case() -> None:
    spec = DefaultDenySpec.parse(
        {
            "namespaces": ["shop"],
            "egress": True,
            "dns": {
                "namespace": "dns",
                "podLabels": {"app": "coredns"},
                "ports": ["53/UDP"],
                "policyName": "allow-coredns",
            },
        }
    )
    assert spec.dns == DnsEgress(
        namespace="dns",
        pod_labels={"app": "coredns"},
        ports=(Port.udp(53),),
        policy_name="allow-coredns",
    )


def test_a_deny_that_denies_neither_direction_is_rejected() -> None:
    assert parse_error({"namespaces": ["guestbook"], "ingress": False, "egress": False}) == (
        "(top level): DefaultDeny with ingress: false and egress: false denies nothing"
    )


def test_egress_only_is_a_valid_denial() -> None:
    spec = DefaultDenySpec.parse({"namespaces": ["guestbook"], "ingress": False, "egress": True})
    assert (spec.ingress, spec.egress) == (False, True)


def test_no_namespace_is_rejected() -> None:
    assert parse_error({"namespaces": []}, "defaultDeny") == (
        "defaultDeny.namespaces: name at least one namespace to deny"
    )


def test_a_missing_namespaces_key_is_rejected() -> None:
    assert parse_error({}) == "namespaces: Field required"


def test_a_namespace_listed_twice_is_rejected() -> None:
    assert parse_error({"namespaces": ["guestbook", "shop", "guestbook"]}) == (
        "namespaces: namespaces ['guestbook', 'shop', 'guestbook'] lists a namespace twice"
    )


def test_an_invalid_namespace_is_rejected_with_a_suggestion() -> None:
    assert parse_error({"namespaces": ["Guest_Book"]}) == (
        "namespaces: namespace 'Guest_Book' is not a valid name: "
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character; "
        'did you mean "guest-book"?'
    )


def test_a_namespace_of_64_characters_is_rejected() -> None:
    assert "is not a valid name" in parse_error({"namespaces": ["n" * 64]})


def test_an_invalid_policy_name_is_rejected() -> None:
    assert parse_error({"namespaces": ["guestbook"], "policyName": "Deny All"}) == (
        "policyName: policy name 'Deny All' is not a valid Kubernetes name: "
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character"
    )


def test_a_dns_policy_named_like_the_deny_policy_is_rejected() -> None:
    error = parse_error(
        {"namespaces": ["guestbook"], "egress": True, "dns": {"policyName": "deny-all"}}
    )
    assert error == "(top level): dns.policyName 'deny-all' is the deny policy's name too"


def test_a_dns_policy_named_like_the_deny_policy_is_fine_when_dns_is_not_kept() -> None:
    spec = DefaultDenySpec.parse(
        {
            "namespaces": ["guestbook"],
            "egress": True,
            "allowDns": False,
            "dns": {"policyName": "deny-all"},
        }
    )
    assert spec.allow_dns is False


def test_dns_without_ports_is_rejected() -> None:
    error = parse_error({"namespaces": ["guestbook"], "egress": True, "dns": {"ports": []}})
    assert error == ("dns.ports: DNS needs at least one port; to allow no DNS set allowDns: false")


def test_dns_with_an_invalid_namespace_or_labels_is_rejected() -> None:
    assert parse_error({"namespaces": ["a"], "dns": {"namespace": "kube_system"}}).startswith(
        "dns.namespace: namespace 'kube_system' is not a valid name"
    )
    assert parse_error(
        {"namespaces": ["a"], "dns": {"podLabels": {"k8s-app": "kube dns"}}}
    ).startswith("dns.podLabels: label value 'kube dns' of key 'k8s-app' is invalid")


def test_a_misspelt_key_is_rejected() -> None:
    assert parse_error({"namespaces": ["guestbook"], "allowDNS": False}) == (
        "allowDNS: unknown key; did you mean allowDns?"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("false", "'false' is not a boolean: write true or false, without quotes"),
        ("no", "'no' is not a boolean: write true or false"),
        (0, "0 is not a boolean: write true or false"),
    ],
)
def test_a_boolean_is_refused_unless_it_is_one(value: object, message: str) -> None:
    assert parse_error({"namespaces": ["guestbook"], "egress": value}) == f"egress: {message}"
