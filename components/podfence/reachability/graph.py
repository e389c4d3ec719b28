"""The allowed flows as a graph of nodes (tiers, namespaces, address ranges), drawn as Mermaid or DOT.

The graph is read from the engine's verdicts, never from configuration: an edge is drawn
because the matrix allows at least one flow between two of its endpoints on that port.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from podfence.reachability.matrix import Matrix

__all__ = ["Edge", "FlowGraph", "dot", "mermaid"]

#: How :func:`mermaid` marks an edge that a change adds or removes.
ADDED, REMOVED = "added", "removed"


@dataclass(frozen=True, order=True)
class Edge:
    """Traffic allowed from one node to another, on these ports (``80/TCP``, ...)."""

    source: str
    destination: str
    ports: tuple[str, ...]


@dataclass(frozen=True)
class FlowGraph:
    """Nodes (by label, in a stable order) and the allowed edges between them.

    Attributes:
        nodes: every node with an edge, in the order of the ``nodes`` mapping given.
        edges: sorted by source, destination; each edge's ports in matrix order.
    """

    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]

    @classmethod
    def from_matrix(
        cls, matrix: Matrix, nodes: Mapping[str, str], focus: Collection[str] | None = None
    ) -> FlowGraph:
        """Collapse the allowed flows of ``matrix`` onto nodes.

        Args:
            matrix: the flows (allowed-only or not; only allowed flows make edges).
            nodes: endpoint key (``ns/pod`` or an address) -> node label; endpoints it does
                not name are left out. Several endpoints may share a label.
            focus: keep only edges with one end among these labels (e.g. the firewall's own
                tiers, so that traffic between unrelated pods is not drawn); None keeps all.
        """
        ports: dict[tuple[str, str], dict[str, None]] = {}
        for row in matrix.rows():
            source = nodes.get(matrix.sources[row.source].key)
            if source is None:
                continue
            for target, allowed in zip(row.targets, row.allowed, strict=True):
                if not allowed:
                    continue
                name, port, protocol = matrix.target(target)
                destination = nodes.get(name)
                if destination is None or destination == source:
                    continue
                if focus is not None and source not in focus and destination not in focus:
                    continue
                ports.setdefault((source, destination), {})[f"{port}/{protocol}"] = None
        sources = {source for source, _ in ports}
        destinations = {destination for _, destination in ports}
        middle = set(focus) if focus is not None else sources & destinations
        # Reading order: what only sends (ingress, namespaces, ranges), then the focus (the
        # tiers; without one, what both sends and receives), then what receives (DNS, ...).
        labels = [n for n in dict.fromkeys(nodes.values()) if n in sources | destinations]
        order = [
            *(n for n in labels if n not in middle and n not in destinations),
            *(n for n in labels if n in middle),
            *(n for n in labels if n not in middle and n in destinations),
        ]
        rank = {label: index for index, label in enumerate(order)}
        edges = sorted(
            (Edge(s, d, tuple(p)) for (s, d), p in ports.items()),
            key=lambda e: (rank[e.source], rank[e.destination]),
        )
        return cls(tuple(order), tuple(edges))


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(graph: FlowGraph, changes: Mapping[Edge, str] | None = None) -> str:
    """A Mermaid flowchart (left to right), one edge per node pair labelled with its ports.

    Args:
        graph: the nodes and edges.
        changes: edges a change adds or removes (``"added"``/``"removed"``); an added edge is
            drawn thick and green with ``+`` before its ports, a removed one dotted and red
            with ``-``. None draws every edge plainly.

    Returns:
        The chart's text, ending with a newline.
    """
    changes = changes or {}
    ids = {label: f"n{index}" for index, label in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[label]}["{_quote(label)}"]' for label in graph.nodes]
    styles = []
    for index, edge in enumerate(graph.edges):
        change = changes.get(edge)
        ports = ", ".join(edge.ports)
        if change == ADDED:
            arrow, ports = "==>", f"+ {ports}"
            styles.append(f"  linkStyle {index} stroke:#1a7f37,stroke-width:3px")
        elif change == REMOVED:
            arrow, ports = "-.->", f"- {ports}"
            styles.append(f"  linkStyle {index} stroke:#cf222e,stroke-width:2px")
        else:
            arrow = "-->"
        lines.append(f'  {ids[edge.source]} {arrow}|"{_quote(ports)}"| {ids[edge.destination]}')
    return "\n".join(lines + styles) + "\n"


def dot(graph: FlowGraph) -> str:
    """A Graphviz digraph (left to right), one edge per node pair labelled with its ports."""

    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph firewall {", "  rankdir=LR;", "  node [shape=box];"]
    lines += [f"  {text(label)};" for label in graph.nodes]
    lines += [
        f"  {text(edge.source)} -> {text(edge.destination)} [label={text(', '.join(edge.ports))}];"
        for edge in graph.edges
    ]
    return "\n".join([*lines, "}"]) + "\n"
