"""The one place a Matrix becomes text: table, json, csv or markdown."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TextIO

from podfence.reachability.matrix import Group, Matrix
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.verdict import RuleRef

__all__ = ["FORMATS", "render", "render_csv", "render_json", "render_markdown", "render_table"]

_GREEN, _RED, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[0m"


def _labels(groups: Sequence[Group]) -> dict[tuple[str, ...], str]:
    """A short, unique label per group: its first member and how many others, ``ns/web-0 (+2)``.

    Two different groups with the same first member and size get ``#2``, ``#3`` appended.
    """
    labels: dict[tuple[str, ...], str] = {}
    used: set[str] = set()
    for group in groups:
        for names in (group.sources, group.destinations):
            if names in labels:
                continue
            label = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"
            if label in used:
                number = 2
                while f"{label} #{number}" in used:
                    number += 1
                label = f"{label} #{number}"
            used.add(label)
            labels[names] = label
    return labels


def _legend(labels: dict[tuple[str, ...], str]) -> list[str]:
    return [f"{label}: {', '.join(names)}" for names, label in labels.items() if len(names) > 1]


def render_table(matrix: Matrix, out: TextIO, color: bool = False) -> None:
    """Aligned columns FROM, TO, PORT, VERDICT; pods that behave alike share a row.

    A group of several pods is shown by its first pod and a count, ``shop/web-0 (+2)``; a legend
    below lists every group's pods.

    Args:
        matrix: the flows.
        out: where to write.
        color: colour the verdicts green/red (only for a terminal); off by default.
    """
    groups = matrix.groups()
    labels = _labels(groups)
    rows = [
        (labels[g.sources], labels[g.destinations], f"{g.port}/{g.protocol}", g.allowed)
        for g in groups
    ]
    header = ("FROM", "TO", "PORT", "VERDICT")
    widths = [max([len(header[i]), *(len(str(row[i])) for row in rows)]) for i in range(3)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header[:3], widths, strict=True)) + "  " + header[3]
    ]
    for source, destination, port, allowed in rows:
        verdict = "allowed" if allowed else "denied"
        if color:
            verdict = f"{_GREEN if allowed else _RED}{verdict}{_RESET}"
        cells = (source.ljust(widths[0]), destination.ljust(widths[1]), port.ljust(widths[2]))
        lines.append("  ".join(cells) + "  " + verdict)
    if not rows:
        lines.append("(no flows)")
    legend = _legend(labels)
    if legend:
        lines += ["", "Groups (members behave alike):"]
        lines += [f"  {line}" for line in legend]
    out.write("\n".join(lines) + "\n")


def render_markdown(matrix: Matrix, out: TextIO) -> None:
    """A Markdown table (From, To, Port, Verdict), grouped like :func:`render_table`."""
    groups = matrix.groups()
    labels = _labels(groups)
    lines = ["| From | To | Port | Verdict |", "| --- | --- | --- | --- |"]
    for g in groups:
        verdict = "allowed" if g.allowed else "denied"
        port = f"{g.port}/{g.protocol}"
        lines.append(f"| {labels[g.sources]} | {labels[g.destinations]} | {port} | {verdict} |")
    legend = _legend(labels)
    if legend:
        lines += ["", "Groups (members behave alike):", ""]
        lines += [f"- {line}" for line in legend]
    out.write("\n".join(lines) + "\n")


def render_csv(matrix: Matrix, out: TextIO) -> None:
    """``from,to,port,protocol,allowed``, one flow a line (names never need quoting)."""
    out.write("from,to,port,protocol,allowed\n")
    targets = _target_texts(matrix, lambda d, p, proto: f"{d},{p},{proto},")
    for row in matrix.rows():
        if not len(row.targets):
            continue
        prefix = f"{row.source},"
        lines = [
            f"{prefix}{targets[t]}{'true' if a else 'false'}"
            for t, a in zip(row.targets, row.allowed, strict=True)
        ]
        out.write("\n".join(lines) + "\n")


def _target_texts(matrix: Matrix, form: Callable[[str, int, str], str]) -> list[str]:
    names = matrix.destinations
    ports = matrix.grid.entry_port
    protocols = matrix.grid.entry_protocol
    return [
        form(names[pod], ports[entry], PROTOCOLS[protocols[entry]])
        for pod, entry in zip(matrix.target_pod, matrix.target_entry, strict=True)
    ]


class _Tails:
    """The ``ingress``/``egress`` keys of a flow, as JSON text, built once per distinct value."""

    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix
        self.sides: dict[tuple[bool, tuple[RuleRef, ...]], str] = {}

    def side(self, side: tuple[bool, tuple[RuleRef, ...]]) -> str:
        text = self.sides.get(side)
        if text is None:
            isolated, rules = side
            refs = ", ".join(
                f'{{"policy": {json.dumps(f"{r.namespace}/{r.policy}")}, "rule": {r.index}}}'
                for r in rules
            )
            text = self.sides[side] = (
                f'{{"isolated": {"true" if isolated else "false"}, "allowed_by": [{refs}]}}'
            )
        return text

    def tail(self, source_class: int, entry: int) -> str:
        detail = self.matrix.detail(source_class, entry)
        egress = "null" if detail.egress is None else self.side(detail.egress)
        return f', "ingress": {self.side(detail.ingress)}, "egress": {egress}}}'


def render_json(matrix: Matrix, out: TextIO) -> None:
    """``{"flows": [...]}``, one flow a line, in matrix order.

    Each flow has ``from``, ``to``, ``port``, ``protocol``, ``allowed`` (the contract), then
    ``ingress`` and ``egress``: ``{"isolated": bool, "allowed_by": [{"policy": "ns/name",
    "rule": index}, ...]}``, with ``egress`` null for a source outside the cluster. Written by
    string building, the rule details computed once per pair of classes.
    """
    targets = _target_texts(
        matrix,
        lambda d, p, proto: (
            f'"to": {json.dumps(d)}, "port": {p}, "protocol": "{proto}", "allowed": '
        ),
    )
    entries = matrix.target_entry
    out.write('{"flows": [')
    first = True
    cache: dict[int, dict[int, str]] = {}
    tails = _Tails(matrix)
    for row in matrix.rows():
        if not len(row.targets):
            continue
        details = cache.setdefault(row.source_class, {})
        prefix = f'{{"from": {json.dumps(row.source)}, '
        parts = []
        for target, allowed in zip(row.targets, row.allowed, strict=True):
            entry = entries[target]
            tail = details.get(entry)
            if tail is None:
                tail = details[entry] = tails.tail(row.source_class, entry)
            parts.append(f"{prefix}{targets[target]}{'true' if allowed else 'false'}{tail}")
        out.write(("\n" if first else ",\n") + ",\n".join(parts))
        first = False
    out.write("\n]}\n" if not first else "]}\n")


#: The output formats, by the name ``--output`` takes.
FORMATS: dict[str, Callable[[Matrix, TextIO], None]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}


def render(matrix: Matrix, output: str, out: TextIO, color: bool | None = None) -> None:
    """Write ``matrix`` to ``out`` in format ``output`` (table, json, csv, markdown).

    Args:
        matrix: the flows.
        output: the format name.
        out: where to write.
        color: for the table, colour the verdicts; None (the default) colours only when ``out``
            is a terminal.

    Raises:
        ValueError: an unknown format.
    """
    if output == "table":
        use = color if color is not None else bool(getattr(out, "isatty", lambda: False)())
        render_table(matrix, out, color=use)
        return
    if output not in FORMATS:
        raise ValueError(f"unknown output format {output!r} (expected {', '.join(FORMATS)})")
    FORMATS[output](matrix, out)
