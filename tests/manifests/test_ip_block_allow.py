"""ip_block_allow_policies: the blog's allow-using-ip, egress to ranges, one peer per block."""

from __future__ import annotations

from typing import Any

from k8s_schema import assert_valid_manifest
from podfence import internet
from podfence.manifests import ip_block_allow_policies
from podfence.spec import IpBlockAllowSpec

MANAGED = {"app.kubernetes.io/managed-by": "podfence"}


def policies(**spec: Any) -> list[dict[str, Any]]:
    manifests = ip_block_allow_policies(IpBlockAllowSpec.parse(spec))
    for manifest in manifests:
        assert_valid_manifest(manifest)
    return manifests


def test_the_blogs_allow_using_ip_admits_the_office_range_except_one_subnet() -> None:
    assert policies(
        name="allow-using-ip",
        namespaces=["guestbook"],
        ipBlocks=[{"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}],
    ) == [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "allow-using-ip", "namespace": "guestbook", "labels": MANAGED},
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"ipBlock": {"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}}]}
                ],
            },
        }
    ]


def test_egress_to_ranges_writes_an_egress_only_policy() -> None:
    (policy,) = policies(
        name="allow-payments-api",
        namespaces=["guestbook"],
        direction="Egress",
        podSelector={"matchLabels": {"tier": "backend"}},
        ipBlocks=[
            {"cidr": "203.0.113.0/24"},
            {"cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"]},
        ],
        ports=[443],
    )
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"tier": "backend"}},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {"ipBlock": {"cidr": "203.0.113.0/24"}},
                    {"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"]}},
                ],
                "ports": [{"protocol": "TCP", "port": 443}],
            }
        ],
    }


def test_one_copy_per_namespace() -> None:
    manifests = policies(
        name="allow-using-ip", namespaces=["guestbook", "data"], ipBlocks=[{"cidr": "10.0.0.0/8"}]
    )
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests] == [
        ("guestbook", "allow-using-ip"),
        ("data", "allow-using-ip"),
    ]
    assert manifests[0]["spec"] == manifests[1]["spec"]


def test_egress_to_the_public_internet_is_one_rule_with_both_families_and_valid() -> None:
    (manifest,) = policies(
        name="allow-apis",
        namespaces=["shop"],
        to="public-internet",
        podSelector={"matchLabels": {"app": "payments"}},
        ports=[443],
    )
    spec = manifest["spec"]
    assert spec["policyTypes"] == ["Egress"]
    assert "ingress" not in spec
    (rule,) = spec["egress"]
    assert rule["ports"] == [{"port": 443, "protocol": "TCP"}]
    assert rule["to"] == [
        {"ipBlock": {"cidr": str(internet.EVERYWHERE[v]), "except": [str(n) for n in excepts]}}
        for v, excepts in sorted(internet.EXCLUDED.items())
    ]
    assert "169.254.0.0/16" in rule["to"][0]["ipBlock"]["except"]
