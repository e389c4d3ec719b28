"""The allowed flows as a graph: edges only where the engine allows a flow, drawn as Mermaid/DOT."""

from __future__ import annotations

from podfence.reachability.graph import ADDED, REMOVED, Edge, FlowGraph, dot, mermaid
from reachability.engine import Engine
from reachability.helpers import namespace, pod, policy


def _cluster() -> Engine:
    return Engine(
        [
            namespace("shop"),
            pod("shop/web", "10.0.0.1", [{"containerPort": 80}], app="web"),
            pod("shop/api", "10.0.0.2", [{"containerPort": 8080}], app="api"),
            pod("shop/db", "10.0.0.3", [{"containerPort": 5432}], app="db"),
            policy("shop/deny", {"podSelector": {}, "policyTypes": ["Ingress"]}),
            policy(
                "shop/web-to-api",
                {
                    "podSelector": {"matchLabels": {"app": "api"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}],
                },
            ),
            policy(
                "shop/office",
                {
                    "podSelector": {"matchLabels": {"app": "web"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"ipBlock": {"cidr": "192.0.2.0/24"}}]}],
                },
            ),
        ],
        externals=["192.0.2.9", "198.51.100.1"],
    )


NODES = {
    "shop/web": "web",
    "shop/api": "api",
    "shop/db": "db",
    "192.0.2.9": "office 192.0.2.0/24",
    "198.51.100.1": "internet",
}


def test_an_edge_is_drawn_only_where_the_engine_allows_a_flow() -> None:
    graph = FlowGraph.from_matrix(_cluster().matrix(), NODES)
    assert graph.edges == (
        Edge("office 192.0.2.0/24", "web", ("80/TCP",)),
        Edge("web", "api", ("8080/TCP",)),
    ), "db is denied to everyone; the internet reaches nothing"
    assert graph.nodes == ("office 192.0.2.0/24", "web", "api"), "senders first, then the rest"


def test_endpoints_without_a_node_and_edges_outside_the_focus_are_left_out() -> None:
    nodes = {key: value for key, value in NODES.items() if key != "192.0.2.9"}
    graph = FlowGraph.from_matrix(_cluster().matrix(), nodes, focus={"api"})
    assert graph.edges == (Edge("web", "api", ("8080/TCP",)),)


def test_mermaid_marks_edges_a_change_adds_and_removes() -> None:
    graph = FlowGraph.from_matrix(_cluster().matrix(), NODES)
    added, removed = graph.edges
    text = mermaid(graph, {added: ADDED, removed: REMOVED})
    assert text == (
        "flowchart LR\n"
        '  n0["office 192.0.2.0/24"]\n'
        '  n1["web"]\n'
        '  n2["api"]\n'
        '  n0 ==>|"+ 80/TCP"| n1\n'
        '  n1 -.->|"- 8080/TCP"| n2\n'
        "  linkStyle 0 stroke:#1a7f37,stroke-width:3px\n"
        "  linkStyle 1 stroke:#cf222e,stroke-width:2px\n"
    )


def test_quotes_in_labels_cannot_break_either_format() -> None:
    graph = FlowGraph(('a "b"', "c"), (Edge('a "b"', "c", ("80/TCP",)),))
    assert '["a #quot;b#quot;"]' in mermaid(graph)
    assert '"a \\"b\\"" -> "c" [label="80/TCP"];' in dot(graph)
