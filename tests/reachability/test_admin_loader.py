"""parse_cluster_policy(): AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy
objects compiled, and every value their schema refuses refused in one line."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability.admin_loader import parse_cluster_policy
from podfence.reachability.admin_peers import DomainNamesPeer, NamedPort, NodePeer
from podfence.reachability.loader import Document
from podfence.reachability.peers import IpBlockPeer, PodPeer
from podfence.reachability.ports import PortRule
from podfence.reachability.selectors import LabelSelector
from reachability.helpers import cluster_policy

EVERY_NAMESPACE = {"namespaces": {}}
TO_ALL = [{"namespaces": {}}]


def anp(spec: dict[str, Any], name: str = "a") -> dict[str, Any]:
    return cluster_policy(
        "AdminNetworkPolicy", name, {"priority": 1, "subject": EVERY_NAMESPACE, **spec}
    )


def cnp(spec: dict[str, Any]) -> dict[str, Any]:
    return cluster_policy(
        "ClusterNetworkPolicy",
        "c",
        {"tier": "Admin", "priority": 1, "subject": EVERY_NAMESPACE, **spec},
    )


def banp(spec: dict[str, Any], name: str = "default") -> dict[str, Any]:
    return cluster_policy("BaselineAdminNetworkPolicy", name, {"subject": EVERY_NAMESPACE, **spec})


def egress_port(port: dict[str, Any]) -> Any:
    policy = parse_cluster_policy(
        anp({"egress": [{"action": "Deny", "to": TO_ALL, "ports": [port]}]})
    )
    (parsed,) = policy.egress[0].ports or ()
    return parsed


def test_an_admin_network_policy_settles_tier_priority_subject_and_rules_in_order() -> None:
    policy = parse_cluster_policy(
        anp(
            {
                "priority": 10,
                "subject": {
                    "pods": {
                        "namespaceSelector": {"matchLabels": {"team": "a"}},
                        "podSelector": {"matchLabels": {"app": "db"}},
                    }
                },
                "ingress": [
                    {
                        "name": "deny-b",
                        "action": "Deny",
                        "from": [{"namespaces": {"matchLabels": {"team": "b"}}}],
                    },
                    {
                        "action": "Pass",
                        "from": [{"pods": {"namespaceSelector": {}, "podSelector": {}}}],
                    },
                ],
            },
            name="deny-db",
        )
    )
    assert (policy.kind, policy.name, policy.tier, policy.priority) == (
        "AdminNetworkPolicy",
        "deny-db",
        "Admin",
        10,
    )
    assert policy.subject == PodPeer(
        LabelSelector((("app", "db"),)), namespace_selector=LabelSelector((("team", "a"),))
    )
    assert [(r.index, r.name, r.action) for r in policy.ingress] == [
        (0, "deny-b", "Deny"),
        (1, "", "Pass"),
    ]
    assert policy.ingress[0].peers == (
        PodPeer(LabelSelector(), namespace_selector=LabelSelector((("team", "b"),))),
    ), "a namespaces peer is every pod of the namespaces it selects"
    assert policy.ingress[0].ports is None, "no ports: every port"
    assert policy.egress == ()
    assert str(policy.ingress[0].ref) == (
        'AdminNetworkPolicy deny-db (Admin tier, priority 10), ingress rule 0 "deny-b"'
    )


def test_the_baseline_admin_network_policy_has_no_priority_and_the_baseline_tier() -> None:
    policy = parse_cluster_policy(banp({"egress": [{"action": "Allow", "to": TO_ALL}]}))
    assert (policy.tier, policy.priority) == ("Baseline", None)
    assert (
        str(policy.egress[0].ref)
        == "BaselineAdminNetworkPolicy default (Baseline tier), egress rule 0"
    )


@pytest.mark.parametrize("tier", ["Admin", "Baseline"])
def test_a_cluster_network_policy_takes_its_tier_from_the_spec(tier: str) -> None:
    policy = parse_cluster_policy(
        cnp({"tier": tier, "ingress": [{"action": "Accept", "from": TO_ALL}]})
    )
    assert (policy.tier, policy.priority, policy.ingress[0].action) == (tier, 1, "Accept")


def test_egress_peers_compile_to_pods_networks_nodes_and_domain_names() -> None:
    policy = parse_cluster_policy(
        anp(
            {
                "egress": [
                    {
                        "action": "Deny",
                        "to": [
                            {"networks": ["10.0.0.0/8", "2001:db8::/32"]},
                            {"nodes": {"matchLabels": {"role": "worker"}}},
                            {"domainNames": ["example.com", "*.example.org"]},
                        ],
                    }
                ]
            }
        )
    )
    peers = policy.egress[0].peers
    assert [type(peer) for peer in peers] == [IpBlockPeer, IpBlockPeer, NodePeer, DomainNamesPeer]
    assert str(peers[0].cidr) == "10.0.0.0/8" and peers[0].excepts == ()  # type: ignore[union-attr]
    assert policy.notes == (
        "AdminNetworkPolicy a: spec.egress[0].to[2].domainNames: domain names are not resolved "
        "offline; podfence takes this peer to match no address",
    )


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("my_host.example.com", True),  # '_' inside a label, as the CRD's pattern allows
        ("api.example.c0m", True),  # a last label with digits
        ("kubernetes.io.", True),  # a trailing dot
        ("*.example.com", True),
        ("*.com", False),  # a wildcard needs two labels after it
        ("localhost", False),  # one label
        ("_host.example.com", False),  # '_' may not start a label
        ("a.*.example.com", False),  # '*' only as the first label
    ],
)
def test_domain_names_are_read_with_the_crds_pattern(name: str, valid: bool) -> None:
    rule = {"action": "Allow", "to": [{"domainNames": [name]}]}
    if valid:
        (peer,) = parse_cluster_policy(anp({"egress": [rule]})).egress[0].peers
        assert isinstance(peer, DomainNamesPeer) and peer.names == (name,)
    else:
        with pytest.raises(InputError, match="must be a DNS name"):
            parse_cluster_policy(anp({"egress": [rule]}))


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ({"portNumber": {"protocol": "UDP", "port": 53}}, PortRule("UDP", 53)),
        ({"portNumber": {"port": 80}}, PortRule("TCP", 80)),
        (
            {"portRange": {"protocol": "SCTP", "start": 9000, "end": 9005}},
            PortRule("SCTP", 9000, 9005),
        ),
        ({"portRange": {"start": 80, "end": 81}}, PortRule("TCP", 80, 81)),
        ({"namedPort": "http"}, NamedPort("http")),
    ],
)
def test_ports_are_numbers_ranges_or_names(port: dict[str, Any], expected: Any) -> None:
    assert egress_port(port) == expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"tcp": {"destinationPort": {"number": 443}}}, PortRule("TCP", 443)),
        (
            {"udp": {"destinationPort": {"range": {"start": 5000, "end": 6000}}}},
            PortRule("UDP", 5000, 6000),
        ),
        (
            {"sctp": {"destinationPort": {"range": {"start": 1, "end": 65535}}}},
            PortRule("SCTP", 1, 65535),
        ),
        ({"destinationNamedPort": "dns"}, NamedPort("dns")),
    ],
)
def test_a_cluster_network_policy_reads_v1alpha2_protocols(
    entry: dict[str, Any], expected: Any
) -> None:
    policy = parse_cluster_policy(
        cnp({"egress": [{"action": "Deny", "to": TO_ALL, "protocols": [entry]}]})
    )
    assert policy.egress[0].ports == (expected,)


def test_absent_ports_match_every_port() -> None:
    policy = parse_cluster_policy(anp({"ingress": [{"action": "Deny", "from": TO_ALL}]}))
    assert policy.ingress[0].ports is None


def test_a_v1alpha2_pods_peer_without_namespace_selector_selects_every_namespace() -> None:
    """v1alpha2 NamespacedPod: namespaceSelector is optional (empty: all namespaces)."""
    pods = {"pods": {"podSelector": {"matchLabels": {"app": "db"}}}}
    policy = parse_cluster_policy(cnp({"subject": pods, "ingress": [{**CNP_RULE, "from": [pods]}]}))
    assert (
        policy.subject.namespace_selector
        == parse_cluster_policy(cnp({"subject": {"namespaces": {}}})).subject.namespace_selector
    )
    assert policy.ingress[0].peers[0] == policy.subject


def _rules(count: int, peers: int = 1) -> list[dict[str, Any]]:
    return [{"action": "Deny", "from": TO_ALL * peers} for _ in range(count)]


def cnp_to(network: str, version: str) -> dict[str, Any]:
    obj = cnp({"egress": [{"action": "Deny", "to": [{"networks": [network]}]}]})
    return {**obj, "apiVersion": f"policy.networking.k8s.io/{version}"}


@pytest.mark.parametrize(
    ("network", "masked"),
    [
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("10.0.0.1/31", "10.0.0.0/31"),
    ],
)
def test_a_v1beta1_network_with_host_bits_is_refused_naming_the_masked_form(
    network: str, masked: str
) -> None:
    with pytest.raises(InputError) as raised:
        parse_cluster_policy(cnp_to(network, "v1beta1"))
    assert str(raised.value) == (
        f"ClusterNetworkPolicy c: spec.egress[0].to[0].networks[0]: {network!r}: has host bits "
        f"set, which ClusterNetworkPolicy v1beta1 refuses; write {masked}"
    )


@pytest.mark.parametrize("network", ["10.0.0.0/8", "10.0.0.7/32", "2001:db8::/32", "0.0.0.0/0"])
def test_a_v1beta1_network_without_host_bits_is_read(network: str) -> None:
    (peer,) = parse_cluster_policy(cnp_to(network, "v1beta1")).egress[0].peers
    assert str(peer.cidr) == network  # type: ignore[union-attr]


def test_v1alpha2_and_v1alpha1_read_a_network_with_host_bits_as_its_network() -> None:
    """Their CIDR type checks ``isCIDR(self)`` only (v1alpha2 clusternetworkpolicy_types.go)."""
    v1alpha2 = parse_cluster_policy(cnp_to("10.1.2.3/8", "v1alpha2"))
    v1alpha1 = parse_cluster_policy(
        anp({"egress": [{"action": "Deny", "to": [{"networks": ["10.1.2.3/8"]}]}]})
    )
    for policy in (v1alpha2, v1alpha1):
        (peer,) = policy.egress[0].peers
        assert str(peer.cidr) == "10.0.0.0/8"  # type: ignore[union-attr]


def test_a_v1beta1_cluster_network_policy_says_its_version_when_refusing_allow() -> None:
    obj = {
        **cnp({"ingress": [{"action": "Allow", "from": TO_ALL}]}),
        "apiVersion": "policy.networking.k8s.io/v1beta1",
    }
    with pytest.raises(InputError, match=r"a ClusterNetworkPolicy \(v1beta1\) says Accept"):
        parse_cluster_policy(obj)


def test_an_error_names_the_file_the_policy_came_from() -> None:
    document = Document(anp({"priority": 1001}), "cluster.yaml")
    with pytest.raises(
        InputError, match=r"^cluster.yaml: AdminNetworkPolicy a: spec.priority: 1001: "
    ):
        parse_cluster_policy(document)


RULE = {"action": "Deny", "from": TO_ALL}
CNP_RULE = {"action": "Deny", "from": TO_ALL}
A = "AdminNetworkPolicy a: "
C = "ClusterNetworkPolicy c: "


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (anp({"priority": None}), A + "spec.priority: required: a number from 0 (first) to 1000"),
        (
            anp({"priority": 1001}),
            A + "spec.priority: 1001: must be a whole number from 0 (first) to 1000",
        ),
        (
            anp({"priority": -1}),
            A + "spec.priority: -1: must be a whole number from 0 (first) to 1000",
        ),
        (
            anp({"priority": "5"}),
            A + "spec.priority: '5': must be a whole number from 0 (first) to 1000",
        ),
        (
            anp({"priority": True}),
            A + "spec.priority: True: must be a whole number from 0 (first) to 1000",
        ),
        (
            anp(
                {
                    "subject": {
                        "namespaces": {},
                        "pods": {"namespaceSelector": {}, "podSelector": {}},
                    }
                }
            ),
            A + "spec.subject: set exactly one of namespaces, pods (got namespaces and pods)",
        ),
        (
            anp({"subject": None}),
            A + "spec.subject: set exactly one of namespaces, pods (got none)",
        ),
        (
            anp({"subject": {"pods": {"podSelector": {}}}}),
            A + "spec.subject.pods.namespaceSelector: required (an empty selector {} selects all)",
        ),
        (
            anp({"subject": {"nodes": {}}}),
            A + "spec.subject.nodes: unknown field (expected namespaces, pods)",
        ),
        (
            anp({"egres": []}),
            A + "spec.egres: unknown field (expected priority, subject, ingress, egress)",
        ),
        (anp({"ingress": {}}), A + "spec.ingress: expected a list of rules, got {}"),
        (
            anp({"ingress": [RULE] * 101}),
            A + "spec.ingress: expected 0 to 100 rules, got 101",
        ),
        (
            anp({"ingress": [{"from": TO_ALL}]}),
            A + "spec.ingress[0].action: required: one of Allow, Deny, Pass",
        ),
        (
            anp({"ingress": [{"action": "allow", "from": TO_ALL}]}),
            A
            + "spec.ingress[0].action: unknown action 'allow' (expected one of Allow, Deny, Pass)",
        ),
        (
            anp({"ingress": [{"action": "Accept", "from": TO_ALL}]}),
            A
            + "spec.ingress[0].action: 'Accept' is ClusterNetworkPolicy's action; an AdminNetworkPolicy "
            "(v1alpha1) says Allow (expected Allow, Deny, Pass)",
        ),
        (
            banp({"ingress": [{"action": "Pass", "from": TO_ALL}]}),
            "BaselineAdminNetworkPolicy default: spec.ingress[0].action: 'Pass' is not an action "
            "of the BaselineAdminNetworkPolicy: it has no lower tier to pass to (expected Allow, "
            "Deny)",
        ),
        (
            cnp({"ingress": [{"action": "Allow", "from": TO_ALL}]}),
            "ClusterNetworkPolicy c: spec.ingress[0].action: 'Allow' is v1alpha1's action; a "
            "ClusterNetworkPolicy (v1alpha2) says Accept (expected Accept, Deny, Pass)",
        ),
        (
            anp({"ingress": [{"action": "Deny", "from": []}]}),
            A + "spec.ingress[0].from: expected 1 to 100 peers, got 0",
        ),
        (
            anp({"ingress": [{"action": "Deny"}]}),
            A + "spec.ingress[0].from: expected 1 to 100 peers, got 0",
        ),
        (
            anp({"ingress": [{"action": "Deny", "to": TO_ALL}]}),
            A + "spec.ingress[0].to: unknown field (expected name, action, from, ports)",
        ),
        (
            anp({"ingress": [{"action": "Deny", "from": [{"networks": ["10.0.0.0/8"]}]}]}),
            A + "spec.ingress[0].from[0].networks: unknown field (expected namespaces, pods)",
        ),
        (
            anp({"egress": [{"action": "Deny", "to": [{"namespaces": {}, "nodes": {}}]}]}),
            A + "spec.egress[0].to[0]: set exactly one of namespaces, pods, nodes, networks, "
            "domainNames (got namespaces and nodes)",
        ),
        (
            anp({"egress": [{"action": "Deny", "to": [None]}]}),
            A + "spec.egress[0].to[0]: set exactly one of namespaces, pods, nodes, networks, "
            "domainNames (got none)",
        ),
        (
            anp({"egress": [{"action": "Deny", "to": [{"networks": ["10.0.0.1"]}]}]}),
            A + "spec.egress[0].to[0].networks[0]: '10.0.0.1': must be a CIDR: the mask is missing "
            "(did you mean '10.0.0.1/32'?)",
        ),
        (
            anp({"egress": [{"action": "Deny", "to": [{"networks": []}]}]}),
            A + "spec.egress[0].to[0].networks: expected 1 to 25 CIDRs, got 0",
        ),
        (
            anp(
                {
                    "egress": [
                        {
                            "action": "Deny",
                            "to": [{"networks": [f"10.{n}.0.0/16" for n in range(26)]}],
                        }
                    ]
                }
            ),
            A + "spec.egress[0].to[0].networks: expected 1 to 25 CIDRs, got 26",
        ),
        (
            anp({"egress": [{"action": "Deny", "to": [{"domainNames": ["not a name"]}]}]}),
            A + "spec.egress[0].to[0].domainNames[0]: 'not a name': must be a DNS name such as "
            "example.com or *.example.com",
        ),
        (
            anp({"egress": [{"name": "x" * 101, "action": "Deny", "to": TO_ALL}]}),
            A
            + "spec.egress[0].name: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: "
            "must be a string of at most 100 characters",
        ),
        (
            anp({"egress": [{**RULE, "to": TO_ALL, "ports": [{"portNumber": {"port": 70000}}]}]}),
            A + "spec.egress[0].from: unknown field (expected name, action, to, ports)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"portNumber": {"port": 70000}}]}]}),
            A
            + "spec.ingress[0].ports[0].portNumber.port: 70000: must be between 1 and 65535, inclusive",
        ),
        (
            anp(
                {"ingress": [{**RULE, "ports": [{"portNumber": {"port": 80, "protocol": "ICMP"}}]}]}
            ),
            A
            + "spec.ingress[0].ports[0].portNumber.protocol: 'ICMP': must be one of TCP, UDP, SCTP",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"portRange": {"start": 90, "end": 80}}]}]}),
            A + "spec.ingress[0].ports[0].portRange: start 90 must be less than end 80 (a range "
            "spans at least two ports; for one port give the number)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"portRange": {"start": 80, "end": 80}}]}]}),
            A + "spec.ingress[0].ports[0].portRange: start 80 must be less than end 80 (a range "
            "spans at least two ports; for one port give the number)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": []}]}),
            A + "spec.ingress[0].ports: expected 1 to 100 ports, got 0",
        ),
        (anp({"ingress": _rules(101)}), A + "spec.ingress: expected 0 to 100 rules, got 101"),
        (
            anp({"ingress": _rules(1, peers=101)}),
            A + "spec.ingress[0].from: expected 1 to 100 peers, got 101",
        ),
        (
            anp(
                {
                    "egress": [
                        {
                            "action": "Deny",
                            "to": [{"namespaces": {}}, {"nodes": {}}],
                            "ports": [{"namedPort": "web"}],
                        }
                    ]
                }
            ),
            A + "spec.egress[0].to[1].nodes: a nodes peer cannot be used in a rule with a named "
            "port (there are no named ports for networks/nodes/domainNames); put it in a rule of "
            "its own",
        ),
        (
            anp({"subject": {"pods": {"podSelector": {}}}}),
            A + "spec.subject.pods.namespaceSelector: required (an empty selector {} selects all)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"namedPort": "Web_1"}]}]}),
            A + "spec.ingress[0].ports[0].namedPort: port name 'Web_1': must contain only "
            "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"port": 80}]}]}),
            A
            + "spec.ingress[0].ports[0].port: unknown field (expected portNumber, namedPort, portRange)",
        ),
        (
            anp({"ingress": [{**RULE, "ports": [{"namedPort": "a", "portNumber": {"port": 1}}]}]}),
            A + "spec.ingress[0].ports[0]: set exactly one of portNumber, namedPort, portRange "
            "(got portNumber and namedPort)",
        ),
        (
            anp({"ingress": [{**RULE, "protocols": []}]}),
            A + "spec.ingress[0].protocols: unknown field (expected name, action, from, ports)",
        ),
        (
            banp({}, name="other"),
            "BaselineAdminNetworkPolicy other: metadata.name: 'other': the "
            "BaselineAdminNetworkPolicy must be named default (a cluster has only one)",
        ),
        (
            banp({"priority": 3}),
            "BaselineAdminNetworkPolicy default: spec.priority: unknown field (expected subject, "
            "ingress, egress)",
        ),
        (
            cnp({"tier": None}),
            "ClusterNetworkPolicy c: spec.tier: expected Admin or Baseline, got nothing",
        ),
        (
            cnp({"tier": "admin"}),
            "ClusterNetworkPolicy c: spec.tier: expected Admin or Baseline, got 'admin'",
        ),
        (
            cnp({"egress": [{"action": "Deny", "to": TO_ALL, "ports": [{"namedPort": "web"}]}]}),
            C + "spec.egress[0].ports: unknown field (expected name, action, to, protocols)",
        ),
        (
            cnp({"ingress": [{**CNP_RULE, "protocols": []}]}),
            C + "spec.ingress[0].protocols: expected 1 to 25 protocols, got 0",
        ),
        (
            cnp({"ingress": [{**CNP_RULE, "protocols": [{"tcp": {}}]}]}),
            C + "spec.ingress[0].protocols[0].tcp.destinationPort: required: a map with number "
            "or range (1 to 65535)",
        ),
        (
            cnp(
                {
                    "ingress": [
                        {
                            **CNP_RULE,
                            "protocols": [
                                {"udp": {"destinationPort": {"range": {"start": 53, "end": 53}}}}
                            ],
                        }
                    ]
                }
            ),
            C + "spec.ingress[0].protocols[0].udp.destinationPort.range: start 53 must be less "
            "than end 53 (a range spans at least two ports; for one port give the number)",
        ),
        (cnp({"ingress": _rules(26)}), C + "spec.ingress: expected 0 to 25 rules, got 26"),
        (
            cnp({"ingress": _rules(1, peers=26)}),
            C + "spec.ingress[0].from: expected 1 to 25 peers, got 26",
        ),
        (
            cnp(
                {
                    "egress": [
                        {
                            "action": "Deny",
                            "to": [{"networks": ["10.0.0.0/8"]}],
                            "protocols": [{"destinationNamedPort": "dns"}],
                        }
                    ]
                }
            ),
            C + "spec.egress[0].to[0].networks: a networks peer cannot be used in a rule with a "
            "named port (there are no named ports for networks/nodes/domainNames); put it in a "
            "rule of its own",
        ),
        (
            cnp({"egress": [{"action": "Deny", "to": TO_ALL, "protocols": [{"icmp": {}}]}]}),
            "ClusterNetworkPolicy c: spec.egress[0].protocols[0].icmp: unknown field (expected "
            "tcp, udp, sctp, destinationNamedPort)",
        ),
        (
            cnp(
                {
                    "egress": [
                        {
                            "action": "Deny",
                            "to": TO_ALL,
                            "protocols": [{"tcp": {"destinationPort": {"number": 1, "range": {}}}}],
                        }
                    ]
                }
            ),
            "ClusterNetworkPolicy c: spec.egress[0].protocols[0].tcp.destinationPort: set exactly "
            "one of number, range (got number and range)",
        ),
        (
            anp({}, name="Bad_Name"),
            "AdminNetworkPolicy Bad_Name: metadata.name: 'Bad_Name': a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character",
        ),
    ],
)
def test_a_value_the_schema_refuses_is_one_line_naming_the_field(
    obj: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        parse_cluster_policy(obj)
    assert str(raised.value) == message
