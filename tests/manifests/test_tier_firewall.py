"""tier_firewall_policies: an ingress policy per flow, ONE peer across namespaces, egress twins."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from k8s_schema import assert_valid_manifest
from podfence.manifests import tier_firewall_policies
from podfence.spec import TierFirewallSpec

MANAGED = {"app.kubernetes.io/managed-by": "podfence"}
UI = {"matchLabels": {"app": "guestbook-ui", "tier": "frontend"}}
API = {"matchLabels": {"app": "guestbook-api", "tier": "backend"}}
DB = {"matchLabels": {"app": "guestbook-db", "tier": "db"}}

GUESTBOOK_TIERS: dict[str, Any] = {
    "ui": {"podLabels": {"tier": "frontend", "app": "guestbook-ui"}, "ports": [80]},
    "api": {"podLabels": {"app": "guestbook-api", "tier": "backend"}, "ports": [8080]},
    "db": {"podLabels": {"app": "guestbook-db", "tier": "db"}, "ports": [6379]},
}
GUESTBOOK_FLOWS = [{"from": "ui", "to": "api"}, {"from": "api", "to": "db"}]


def policies(**spec: Any) -> list[dict[str, Any]]:
    manifests = tier_firewall_policies(TierFirewallSpec.parse(spec))
    for manifest in manifests:
        assert_valid_manifest(manifest)
    return manifests


def names(manifests: list[dict[str, Any]]) -> list[str]:
    return [f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in manifests]


def netpol(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": MANAGED},
        "spec": spec,
    }


def test_the_blogs_flows_become_allow_ui_to_api_and_allow_api_to_db() -> None:
    assert policies(namespace="guestbook", tiers=GUESTBOOK_TIERS, flows=GUESTBOOK_FLOWS) == [
        netpol(
            "allow-ui-to-api",
            "guestbook",
            {
                "podSelector": API,
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"podSelector": UI}], "ports": [{"protocol": "TCP", "port": 8080}]}
                ],
            },
        ),
        netpol(
            "allow-api-to-db",
            "guestbook",
            {
                "podSelector": DB,
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"podSelector": API}], "ports": [{"protocol": "TCP", "port": 6379}]}
                ],
            },
        ),
    ]


def test_no_flows_make_no_policies() -> None:
    assert policies(namespace="guestbook", tiers=GUESTBOOK_TIERS) == []


def test_a_flow_across_namespaces_admits_one_peer_with_both_selectors() -> None:
    tiers = {**GUESTBOOK_TIERS, "ui": {**GUESTBOOK_TIERS["ui"], "namespace": "web"}}
    (ingress,) = policies(namespace="guestbook", tiers=tiers, flows=[{"from": "ui", "to": "api"}])
    assert ingress == netpol(
        "allow-ui-to-api",
        "guestbook",
        {
            "podSelector": API,
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "web"}
                            },
                            "podSelector": UI,
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": 8080}],
                }
            ],
        },
    )


def test_the_ingress_policy_lives_in_the_destination_tiers_namespace() -> None:
    tiers = {**GUESTBOOK_TIERS, "db": {**GUESTBOOK_TIERS["db"], "namespace": "data"}}
    manifests = policies(namespace="guestbook", tiers=tiers, flows=GUESTBOOK_FLOWS)
    assert names(manifests) == ["guestbook/allow-ui-to-api", "data/allow-api-to-db"]
    assert manifests[1]["spec"]["ingress"][0]["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "guestbook"}},
            "podSelector": API,
        }
    ]


def test_an_egress_isolated_source_gets_an_egress_twin_after_each_ingress_policy() -> None:
    manifests = policies(
        namespace="guestbook", tiers=GUESTBOOK_TIERS, flows=GUESTBOOK_FLOWS, egress=True
    )
    assert names(manifests) == [
        "guestbook/allow-ui-to-api",
        "guestbook/allow-ui-to-api-egress",
        "guestbook/allow-api-to-db",
        "guestbook/allow-api-to-db-egress",
    ]
    assert manifests[1] == netpol(
        "allow-ui-to-api-egress",
        "guestbook",
        {
            "podSelector": UI,
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": API}], "ports": [{"protocol": "TCP", "port": 8080}]}
            ],
        },
    )


def test_an_egress_twin_across_namespaces_lives_with_the_source_and_names_the_destination() -> None:
    tiers = {**GUESTBOOK_TIERS, "db": {**GUESTBOOK_TIERS["db"], "namespace": "data"}}
    manifests = policies(
        namespace="guestbook", tiers=tiers, flows=[{"from": "api", "to": "db"}], egress=True
    )
    assert names(manifests) == ["data/allow-api-to-db", "guestbook/allow-api-to-db-egress"]
    assert manifests[1]["spec"] == {
        "podSelector": API,
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "data"}
                        },
                        "podSelector": DB,
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 6379}],
            }
        ],
    }


def test_only_egress_isolated_sources_get_a_twin() -> None:
    tiers = {**GUESTBOOK_TIERS, "ui": {**GUESTBOOK_TIERS["ui"], "egressIsolated": True}}
    manifests = policies(namespace="guestbook", tiers=tiers, flows=GUESTBOOK_FLOWS)
    assert names(manifests) == [
        "guestbook/allow-ui-to-api",
        "guestbook/allow-ui-to-api-egress",
        "guestbook/allow-api-to-db",
    ]


def test_a_tier_can_opt_out_of_egress_isolation() -> None:
    tiers = {**GUESTBOOK_TIERS, "api": {**GUESTBOOK_TIERS["api"], "egressIsolated": False}}
    manifests = policies(namespace="guestbook", tiers=tiers, flows=GUESTBOOK_FLOWS, egress=True)
    assert names(manifests) == [
        "guestbook/allow-ui-to-api",
        "guestbook/allow-ui-to-api-egress",
        "guestbook/allow-api-to-db",
    ]


def test_a_flows_own_ports_and_name_win() -> None:
    flows = [{"from": "ui", "to": "api", "ports": ["8443/TCP", "9000-9100/TCP"], "name": "web"}]
    manifests = policies(namespace="guestbook", tiers=GUESTBOOK_TIERS, flows=flows, egress=True)
    assert names(manifests) == ["guestbook/web", "guestbook/web-egress"]
    expected_ports = [
        {"protocol": "TCP", "port": 8443},
        {"protocol": "TCP", "port": 9000, "endPort": 9100},
    ]
    assert manifests[0]["spec"]["ingress"][0]["ports"] == expected_ports
    assert manifests[1]["spec"]["egress"][0]["ports"] == expected_ports


def test_a_flow_into_a_tier_without_ports_admits_every_port() -> None:
    tiers = {"a": {"podLabels": {"app": "a"}}, "b": {"podLabels": {"app": "b"}}}
    (ingress,) = policies(namespace="shop", tiers=tiers, flows=[{"from": "a", "to": "b"}])
    assert ingress["spec"]["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}
    ]


def test_a_tier_may_flow_to_itself() -> None:
    tiers = {"peers": {"podLabels": {"app": "gossip"}, "ports": ["7946/UDP"]}}
    (ingress,) = policies(namespace="shop", tiers=tiers, flows=[{"from": "peers", "to": "peers"}])
    assert ingress["spec"]["podSelector"] == {"matchLabels": {"app": "gossip"}}
    assert ingress["spec"]["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app": "gossip"}}}
    ]


# --- property: any valid spec makes explicit, schema-valid policies with no allow-all rule ---

TIER_NAMES = ["ui", "api", "db", "cache", "auth"]
NAMESPACES = ["guestbook", "data", "web"]
LABEL_KEYS = ["app", "tier", "role", "app.kubernetes.io/name", "example.com/team"]
LABEL_VALUES = st.from_regex(r"\A[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?\Z", fullmatch=True)
PORTS = st.one_of(
    st.integers(1, 65535),
    st.sampled_from(["http", "metrics", "dns/UDP", "all/UDP", "all/SCTP", "53/UDP", "9899/SCTP"]),
    st.tuples(st.integers(1, 60000), st.integers(0, 5000)).map(
        lambda r: f"{r[0]}-{r[0] + r[1]}/TCP"
    ),
)


@st.composite
def tier_firewall_specs(draw: st.DrawFn) -> TierFirewallSpec:
    tier_names = draw(st.lists(st.sampled_from(TIER_NAMES), min_size=1, max_size=4, unique=True))
    tiers: dict[str, Any] = {}
    for name in tier_names:
        tier: dict[str, Any] = {
            "podLabels": draw(
                st.dictionaries(st.sampled_from(LABEL_KEYS), LABEL_VALUES, min_size=1, max_size=3)
            ),
            "ports": draw(st.lists(PORTS, max_size=3)),
        }
        namespace = draw(st.none() | st.sampled_from(NAMESPACES))
        if namespace is not None:
            tier["namespace"] = namespace
        isolated = draw(st.none() | st.booleans())
        if isolated is not None:
            tier["egressIsolated"] = isolated
        tiers[name] = tier
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(tier_names), st.sampled_from(tier_names)),
            max_size=5,
            unique=True,
        )
    )
    flows: list[dict[str, Any]] = []
    for source, destination in pairs:
        flow: dict[str, Any] = {"from": source, "to": destination}
        ports = draw(st.none() | st.lists(PORTS, max_size=2))
        if ports is not None:
            flow["ports"] = ports
        flows.append(flow)
    return TierFirewallSpec.parse(
        {
            "namespace": draw(st.sampled_from(NAMESPACES)),
            "tiers": tiers,
            "flows": flows,
            "egress": draw(st.booleans()),
        }
    )


@settings(derandomize=True, database=None, max_examples=40, deadline=None)
@given(tier_firewall_specs())
def test_every_policy_of_a_valid_spec_is_explicit_schema_valid_and_never_allows_all(
    spec: TierFirewallSpec,
) -> None:
    manifests = tier_firewall_policies(spec)
    twins = sum(spec.egress_isolated(flow.from_) for flow in spec.flows)
    assert len(manifests) == len(spec.flows) + twins
    for manifest in manifests:
        assert_valid_manifest(manifest)
        assert manifest["metadata"]["namespace"] in {spec.namespace, *NAMESPACES}
        types = manifest["spec"]["policyTypes"]
        assert types in (["Ingress"], ["Egress"]), manifest
        assert manifest["spec"]["podSelector"]["matchLabels"], "a tier is never every pod"
        for ingress_rule in manifest["spec"].get("ingress", []):
            assert "Ingress" in types
            assert ingress_rule["from"], manifest
        for egress_rule in manifest["spec"].get("egress", []):
            assert "Egress" in types
            assert egress_rule["to"], manifest
        assert (
            len(manifest["spec"].get("ingress", [])) + len(manifest["spec"].get("egress", [])) == 1
        )
