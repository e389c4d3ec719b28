"""A consumer's program: every public constructor called the way a user writes it.

tests/test_typing.py type-checks this file with mypy and no plugin (as a project that installs
podfence checks its own code) and runs it, so the types the checker sees and the values the
runtime accepts are the same: list literals where a spec holds a sequence, ``from_=`` where the
config key is the keyword ``from``, the factories, and dicts where a component takes a mapping.
"""

from __future__ import annotations

from podfence.components import DefaultDeny, Firewall, IpBlockAllow, NamespaceAllow, TierFirewall
from podfence.config import DefaultDenyConfig, FirewallConfig, IngressController
from podfence.expectations import Expectation, ExpectationFile
from podfence.spec import (
    ClusterBaselineSpec,
    DefaultDenySpec,
    Direction,
    DnsEgress,
    Flow,
    IpBlock,
    IpBlockAllowSpec,
    LabelSelector,
    LabelSelectorRequirement,
    NamespaceAllowSpec,
    Operator,
    Port,
    Protocol,
    Tier,
    TierFirewallSpec,
)
from podfence.testing import (
    Captured,
    assert_allowed,
    assert_denied,
    assert_matrix,
    capture,
    policy_inventory,
)

__all__ = [
    "build_components",
    "check_flows",
    "expectations",
    "firewall_config",
    "specs",
]


def specs() -> dict[str, object]:
    """One of each spec, built with keywords, list literals and the factories."""
    ports = [
        Port.tcp(8080),
        Port.udp(53),
        Port.sctp(9000),
        Port.tcp_range(8000, 8100),
        Port.udp_range(6000, 6010),
        Port.named("metrics"),
        Port.named("dns", Protocol.UDP),
        Port.all(),
        Port(port=443, protocol=Protocol.TCP),
        Port(port=8000, end_port=8010),
    ]
    requirement = LabelSelectorRequirement(key="tier", operator=Operator.IN, values=["a", "b"])
    selector = LabelSelector(match_labels={"app": "web"}, match_expressions=[requirement])
    blocks = [
        IpBlock(cidr="10.72.0.0/16", except_=["10.72.10.0/24"]),
        IpBlock.ipv4("10.0.0.0/8", except_=["10.1.0.0/16"]),
        IpBlock.ipv6("fd00::/64"),
        *IpBlock.public_internet(),
    ]
    return {
        "ports": ports,
        "selector": selector,
        "by_names": LabelSelector.namespace_names("shop", "finance"),
        "by_labels": LabelSelector.of(app="web"),
        "blocks": blocks,
        "dns": DnsEgress(namespace="kube-system", ports=[Port.udp(53), Port.tcp(53)]),
        "deny": DefaultDenySpec(namespaces=["shop"], egress=True),
        "tiers": TierFirewallSpec(
            namespace="shop",
            tiers={
                "web": Tier(pod_labels={"app": "web"}, ports=[Port.tcp(8080)]),
                "api": Tier(pod_labels={"app": "api"}, ports=[Port.tcp(9000)], namespace="shop"),
            },
            flows=[Flow(from_="web", to="api"), Flow(from_="web", to="api", ports=[], name="x")],
        ),
        "namespaces": NamespaceAllowSpec(
            name="allow-monitoring",
            namespaces=["shop"],
            from_namespace_names=["monitoring"],
            from_pod_selector=LabelSelector.of(app="prometheus"),
            ports=[Port.named("metrics")],
        ),
        "by_selector": NamespaceAllowSpec(
            name="allow-team",
            namespaces=["shop"],
            pod_selector=selector,
            from_namespace_selector=LabelSelector.of(team="ops"),
        ),
        "blocks_allow": IpBlockAllowSpec(
            name="allow-provider",
            namespaces=["shop"],
            ip_blocks=[IpBlock.ipv4("203.0.113.0/24")],
            direction=Direction.EGRESS,
            pod_selector=LabelSelector.of(app="api"),
            ports=[Port.tcp(443)],
        ),
        "baseline": ClusterBaselineSpec(
            api="v1alpha2", egress=True, exclude_namespaces=["kube-system", "monitoring"]
        ),
        "internet": IpBlockAllowSpec(
            name="allow-internet",
            namespaces=["shop"],
            ip_blocks=IpBlock.public_internet(),
            direction=Direction.EGRESS,
        ),
    }


def expectations() -> ExpectationFile:
    """What the firewall of :func:`firewall_config` must allow and deny."""
    return ExpectationFile(
        allow=[Expectation(from_="shop/web", to="shop/api", port=9000)],
        deny=[Expectation(from_="shop/api", to="shop/web", port=8080, protocol=Protocol.TCP)],
    )


def firewall_config() -> FirewallConfig:
    """A whole firewall, as a typed object."""
    return FirewallConfig(
        namespace="shop",
        default_deny=DefaultDenyConfig(egress=True, namespaces=["shop"], dns=DnsEgress()),
        tiers={
            "web": Tier(pod_labels={"app": "web"}, ports=[Port.tcp(8080)]),
            "api": Tier(pod_labels={"app": "api"}, ports=[Port.tcp(9000)]),
        },
        flows=[Flow(from_="web", to="api")],
        ingress_controller=IngressController(tier="web", ports=[Port.tcp(8080)]),
        namespace_allows=[
            NamespaceAllowSpec(
                name="allow-monitoring", namespaces=["shop"], from_namespace_names=["monitoring"]
            )
        ],
        ip_block_allows=[
            IpBlockAllowSpec(
                name="allow-internet",
                namespaces=["shop"],
                ip_blocks=IpBlock.public_internet(),
                direction=Direction.EGRESS,
                pod_selector=LabelSelector.of(app="api"),
                ports=[Port.tcp(443)],
            )
        ],
        create_namespaces=True,
    )


def build_components() -> Captured:
    """Each component built from a spec object and from a dict, under podfence's mocks."""
    with capture() as captured:
        Firewall("shop", firewall_config())
        DefaultDeny("other-deny", DefaultDenySpec(namespaces=["other"], egress=True))
        TierFirewall(
            "other-tiers",
            TierFirewallSpec(
                namespace="other",
                tiers={"a": Tier(pod_labels={"app": "a"}), "b": Tier(pod_labels={"app": "b"})},
                flows=[Flow(from_="a", to="b", ports=[Port.tcp(80)])],
            ),
        )
        NamespaceAllow(
            "other-scrapers",
            NamespaceAllowSpec(
                name="allow-scrapers", namespaces=["other"], from_namespace_names=["monitoring"]
            ),
        )
        IpBlockAllow(
            "other-lab",
            {"name": "allow-lab", "namespaces": ["other"], "ipBlocks": [{"cidr": "10.9.0.0/16"}]},
        )
        IpBlockAllow(
            "other-office",
            IpBlockAllowSpec(
                name="allow-office",
                namespaces=["other"],
                ip_blocks=[IpBlock.ipv4("10.72.0.0/16", except_=["10.72.10.0/24"])],
            ),
        )
    return captured


def check_flows(captured: Captured) -> None:
    """The testing helpers, on what the components built."""
    inventory = policy_inventory(captured.policies)
    assert_allowed(captured.policies, "shop/web", "shop/api", 9000, inventory=inventory)
    assert_denied(captured.policies, "shop/api", "shop/web", 8080, protocol="TCP")
    assert_allowed(captured.policies, "shop/api", "8.8.8.8", 443)
    assert_denied(captured.policies, "shop/api", "169.254.169.254", 80)
    assert_matrix(
        captured.policies,
        {"allow": [{"from": "shop/web", "to": "shop/api", "port": 9000}]},
    )
    assert_matrix(captured.policies, expectations())
