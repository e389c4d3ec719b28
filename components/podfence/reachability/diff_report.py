"""A FirewallDiff as text, as a pull-request comment (Markdown), or as JSON.

Flows are grouped by node (a tier, an admitted namespace, an IP range: what each endpoint stands
for) and port, each group with the rules that allow it now (opened) or allowed it before
(closed). The Markdown stays under GitHub's comment limit and says what it cut.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from podfence.reachability.diff import FirewallDiff, FlowChange
from podfence.reachability.graph import ADDED, REMOVED, Edge, FlowGraph, mermaid
from podfence.reachability.report import markdown_cell

__all__ = ["COMMENT_LIMIT", "render_json", "render_markdown", "render_text"]

#: GitHub refuses issue and pull-request comments longer than this many characters.
COMMENT_LIMIT = 65_536


@dataclass(frozen=True)
class _Row:
    """Flows between two nodes on one port, with the rules behind them."""

    source: str
    destination: str
    port: str
    flows: int
    rules: tuple[str, ...]
    other: str

    def rules_text(self) -> str:
        return ", ".join(self.rules) if self.rules else "no policy isolates either end"


def _rows(changes: Iterable[FlowChange], nodes: Mapping[str, str]) -> list[_Row]:
    grouped: dict[tuple[str, str, str], list[FlowChange]] = {}
    for change in changes:
        v = change.verdict
        key = (
            nodes.get(v.source, v.source),
            nodes.get(v.destination, v.destination),
            f"{v.port}/{v.protocol}",
        )
        grouped.setdefault(key, []).append(change)
    rows = []
    for (source, destination, port), members in grouped.items():
        rules = dict.fromkeys(
            str(rule) for change in members for rule in (*change.by, *change.tier_by)
        )
        others = dict.fromkeys(_why_not(change) for change in members)
        rows.append(_Row(source, destination, port, len(members), tuple(rules), "; ".join(others)))
    return rows


def _why_not(change: FlowChange) -> str:
    """Why the other side does not allow the flow, in short."""
    sides = []
    for direction in ("ingress", "egress"):
        side = change.other.side(direction)
        if side is not None and not side.allowed and side.decided_by is not None:
            sides.append(f"{direction} denied by {side.decided_by}")
        elif side is not None and not side.allowed:
            policies = ", ".join(str(p) for p in side.policy_refs)
            sides.append(f"{direction} isolated by {policies}")
    return "; ".join(sides) or "allowed"


def _flows(row: _Row) -> str:
    return f" ({row.flows} flows)" if row.flows > 1 else ""


def render_text(diff: FirewallDiff, nodes: Mapping[str, str], title: str) -> str:
    """For a terminal: the summary, the flows opened and closed, the policies, their diff."""
    lines = [title, diff.summary]
    for heading, changes, verb in (
        ("Connections opened", diff.opened, "now allowed by"),
        ("Connections closed", diff.closed, "no longer allowed; was allowed by"),
    ):
        rows = _rows(changes, nodes)
        if rows:
            lines += ["", f"{heading}:"]
            lines += [
                f"  {r.source} -> {r.destination} {r.port}{_flows(r)}: {verb} {r.rules_text()}"
                for r in rows
            ]
    policies = [f"  {what:<8} {name}" for what, names in diff.policy_changes for name in names]
    if policies:
        lines += ["", "Policies:", *policies]
    if diff.manifest_diff:
        lines += ["", diff.manifest_diff.rstrip("\n")]
    return "\n".join(lines) + "\n"


def render_json(diff: FirewallDiff) -> str:
    """The JSON contract (see :meth:`FirewallDiff.to_json`), indented."""
    return json.dumps(diff.to_json(), indent=2) + "\n"


def _table(rows: Sequence[_Row], opened: bool, room: int) -> tuple[list[str], int]:
    """A Markdown table of ``rows``, as many as fit in ``room`` characters; and how many were cut."""
    if opened:
        head = ["| | From | To | Port | Allowed by |", "| --- | --- | --- | --- | --- |"]
    else:
        head = ["| From | To | Port | Was allowed by | Now |", "| --- | --- | --- | --- | --- |"]
    lines, used = list(head), sum(len(line) + 1 for line in head)
    for index, r in enumerate(rows):
        cells = [r.source, r.destination, r.port + _flows(r), r.rules_text()]
        line = (
            "| :warning: | " + " | ".join(markdown_cell(c) for c in cells) + " |"
            if opened
            else "| " + " | ".join(markdown_cell(c) for c in [*cells, r.other]) + " |"
        )
        if used + len(line) + 1 > room:
            return lines, len(rows) - index
        lines.append(line)
        used += len(line) + 1
    return lines, 0


def _changes_graph(
    diff: FirewallDiff, nodes: Mapping[str, str], focus: Collection[str] | None
) -> str:
    """The tiers' graph with the edges the change adds and removes marked (Mermaid)."""
    before = FlowGraph.from_matrix(diff.before, nodes, focus)
    after = FlowGraph.from_matrix(diff.after, nodes, focus)
    old = {(e.source, e.destination): e.ports for e in before.edges}
    new = {(e.source, e.destination): e.ports for e in after.edges}
    edges: list[Edge] = []
    changes: dict[Edge, str] = {}
    for pair in dict.fromkeys([*new, *old]):
        kept = tuple(p for p in new.get(pair, ()) if p in old.get(pair, ()))
        gained = tuple(p for p in new.get(pair, ()) if p not in old.get(pair, ()))
        lost = tuple(p for p in old.get(pair, ()) if p not in new.get(pair, ()))
        if focus is None and not gained and not lost:
            continue  # without tiers to focus on, draw only what changed
        for ports, change in ((kept, None), (gained, ADDED), (lost, REMOVED)):
            if ports:
                edge = Edge(*pair, ports)
                edges.append(edge)
                if change:
                    changes[edge] = change
    order = list(dict.fromkeys([*after.nodes, *before.nodes]))
    used = {e.source for e in edges} | {e.destination for e in edges}
    rank = {label: index for index, label in enumerate(order)}
    edges.sort(key=lambda e: (rank[e.source], rank[e.destination]))
    graph = FlowGraph(tuple(n for n in order if n in used), tuple(edges))
    return mermaid(graph, changes)


def render_markdown(
    diff: FirewallDiff,
    nodes: Mapping[str, str],
    title: str,
    focus: Collection[str] | None = None,
    limit: int = COMMENT_LIMIT,
) -> str:
    """A pull-request comment: the summary first, opened (flagged) and closed connections,
    the tiers' graph with the change marked, and the manifest diff folded away.

    It stays under ``limit`` characters (GitHub's comment limit by default): what does not fit
    is cut, and the comment says what and how to see all of it.
    """
    marker = ":warning: " if diff.opened else ""
    top = [f"### {title}", "", f"**{marker}{diff.summary}**", ""]
    graph = _changes_graph(diff, nodes, focus) if diff.has_changes else ""
    picture = []
    if graph.count("\n") > 1:
        heading = "#### Tiers" if focus is not None else "#### What changed"
        picture += [heading, "", "```mermaid", graph.rstrip("\n"), "```", ""]
    room = limit - 600 - sum(len(line) + 1 for line in top + picture)  # 600: headings, notes
    body: list[str] = []
    policies: list[str] = []
    cut_notes: list[str] = []
    for heading, changes, opened in (
        ("Connections opened", diff.opened, True),
        ("Connections closed", diff.closed, False),
    ):
        rows = _rows(changes, nodes)
        if not rows:
            continue
        lines, cut = _table(rows, opened, room // 2)
        room -= sum(len(line) + 1 for line in lines)
        body += [f"#### {heading}", "", *lines, ""]
        if cut:
            body += [f"_{cut} more rows cut to fit the comment limit._", ""]
            cut_notes.append(f"{cut} rows of {heading.lower()}")
    if diff.added or diff.removed or diff.changed:
        listed = [f"- {what} `{name}`" for what, names in diff.policy_changes for name in names]
        text = diff.manifest_diff
        if len(text) > max(room - sum(len(x) + 1 for x in listed) - 200, 0):
            keep = max(room - sum(len(x) + 1 for x in listed) - 200, 0)
            text = text[:keep].rsplit("\n", 1)[0] + "\n" if keep else ""
            cut_notes.append("the end of the manifest diff")
        policies += ["<details><summary>Policies</summary>", "", *listed, ""]
        if text:
            policies += ["```diff", text.rstrip("\n"), "```", ""]
        policies += ["</details>", ""]
    if cut_notes:
        policies += [
            f"_Cut to stay under {limit:,} characters: {'; '.join(cut_notes)}. "
            "Run `podfence diff --output json` for every flow._",
            "",
        ]
    return "\n".join(top + body + picture + policies).rstrip("\n") + "\n"
