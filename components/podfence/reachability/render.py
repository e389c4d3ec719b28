"""The one place a Matrix becomes text: table, markdown, json, jsonl or csv, streamed.

Every format is written as it is computed, one source at a time: peak memory follows the size
of the inventory, never the size of the output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from podfence.reachability.grid import Side
from podfence.reachability.matrix import Group, Matrix
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.report import side_json
from podfence.reachability.traffic import Endpoint

__all__ = [
    "FORMATS",
    "group_labels",
    "render",
    "render_csv",
    "render_json",
    "render_jsonl",
    "render_markdown",
    "render_table",
]

_GREEN, _RED, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[0m"
_PART_CACHE = 4  # source classes whose rendered flows are kept for the next pods of the class


# -- grouped views -----------------------------------------------------------------------------


def _shared(members: Sequence[Endpoint]) -> str:
    """What a group's members share: ``shop/app=web (3 pods)``, ``3 pods in shop`` ..."""
    if members[0].namespace is None:
        return f"{len(members)} addresses"
    namespaces = {m.namespace for m in members}
    common = set(members[0].labels.items())
    for member in members[1:]:
        common &= set(member.labels.items())
    labels = ",".join(f"{k}={v}" for k, v in sorted(common))
    if len(namespaces) == 1:
        where = next(iter(namespaces))
        return (
            f"{where}/{labels} ({len(members)} pods)"
            if labels
            else f"{len(members)} pods in {where}"
        )
    spread = f"{len(members)} pods in {len(namespaces)} namespaces"
    return f"{labels} ({spread})" if labels else spread


def group_labels(groups: Sequence[Group]) -> dict[tuple[Endpoint, ...], str]:
    """A unique label per group of endpoints.

    One endpoint is named by its key. A group is named by what its members share (namespace,
    labels), which names none of them, so no row reads as a pod talking to itself; two groups
    that share the same things are told apart by their first members
    (``3 pods in shop: web-0, …``), never by a number.
    """
    wanted: dict[tuple[Endpoint, ...], str] = {}
    for group in groups:
        for members in (group.sources, group.destinations):
            if members not in wanted:
                wanted[members] = members[0].key if len(members) == 1 else _shared(members)
    counts: dict[str, int] = {}
    for label in wanted.values():
        counts[label] = counts.get(label, 0) + 1
    labels: dict[tuple[Endpoint, ...], str] = {}
    used = {label for label in wanted.values() if counts[label] == 1}
    for members, label in wanted.items():
        if counts[label] > 1:
            for shown in range(1, len(members) + 1):
                names = ", ".join(m.key for m in members[:shown])
                candidate = f"{label}: {names}{', …' if shown < len(members) else ''}"
                if candidate not in used:
                    label = candidate
                    break
            used.add(label)
        labels[members] = label
    return labels


def _legend(labels: dict[tuple[Endpoint, ...], str]) -> list[str]:
    return [
        f"{label}: {', '.join(m.key for m in members)}"
        for members, label in labels.items()
        if len(members) > 1
    ]


def render_table(matrix: Matrix, out: TextIO, color: bool = False) -> None:
    """Aligned columns FROM, TO, PORT, VERDICT; endpoints that behave alike share a row.

    A group is named by what its members share (see :func:`group_labels`); a legend below lists
    every group's members.

    Args:
        matrix: the flows.
        out: where to write.
        color: colour the verdicts green/red (only for a terminal); off by default.
    """
    groups = matrix.groups()
    labels = group_labels(groups)
    header = ("FROM", "TO", "PORT")
    widths = [len(h) for h in header]
    for g in groups:
        widths[0] = max(widths[0], len(labels[g.sources]))
        widths[1] = max(widths[1], len(labels[g.destinations]))
        widths[2] = max(widths[2], len(f"{g.port}/{g.protocol}"))
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  VERDICT\n")
    for g in groups:
        verdict = "allowed" if g.allowed else "denied"
        if color:
            verdict = f"{_GREEN if g.allowed else _RED}{verdict}{_RESET}"
        cells = (
            labels[g.sources].ljust(widths[0]),
            labels[g.destinations].ljust(widths[1]),
            f"{g.port}/{g.protocol}".ljust(widths[2]),
        )
        out.write("  ".join(cells) + "  " + verdict + "\n")
    if not groups:
        out.write("(no flows)\n")
    legend = _legend(labels)
    if legend:
        out.write("\nGroups (members behave alike):\n")
        out.writelines(f"  {line}\n" for line in legend)


def render_markdown(matrix: Matrix, out: TextIO) -> None:
    """A Markdown table (From, To, Port, Verdict), grouped like :func:`render_table`."""
    groups = matrix.groups()
    labels = group_labels(groups)
    out.write("| From | To | Port | Verdict |\n| --- | --- | --- | --- |\n")
    for g in groups:
        verdict = "allowed" if g.allowed else "denied"
        port = f"{g.port}/{g.protocol}"
        out.write(f"| {labels[g.sources]} | {labels[g.destinations]} | {port} | {verdict} |\n")
    legend = _legend(labels)
    if legend:
        out.write("\nGroups (members behave alike):\n\n")
        out.writelines(f"- {line}\n" for line in legend)


# -- every flow --------------------------------------------------------------------------------


def _target_texts(
    matrix: Matrix, form: Callable[[str, int, str], str], name: Callable[[str], str] = str
) -> list[str]:
    """Each target's part of a line: ``form(name(destination), port, protocol)``, each
    destination's ``name`` worked out once."""
    names = [name(endpoint.key) for endpoint in matrix.destinations]
    ports = matrix.grid.entry_port
    protocols = matrix.grid.entry_protocol
    return [
        form(names[endpoint], ports[entry], PROTOCOLS[protocols[entry]])
        for endpoint, entry in zip(matrix.target_endpoint, matrix.target_entry, strict=True)
    ]


class _Tails:
    """The end of each flow's JSON line (``"ingress": ..., "egress": ...}``), per entry.

    A row starts from the tails of its egress base (three kinds: none, not isolated, isolated
    with no rule), copied whole, and only the entries a rule touches are looked up.
    """

    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix
        self.sides: dict[int, str] = {}  # by the side's identity: the grid shares equal sides
        self.shown: dict[object, str] = {}  # by what the JSON shows of a side
        self.pairs: dict[tuple[int, int], str] = {}  # by the two sides' identities
        self.texts: dict[tuple[str, str], str] = {}  # by what the JSON shows, far fewer
        self.bases: dict[str, list[str]] = {}

    def side(self, verdict: Side) -> str:
        text = self.sides.get(id(verdict))
        if text is None:
            # Sides with other isolating policies often show the same: dump each shown once.
            shown = (
                None
                if verdict is None
                else (
                    verdict.isolated,
                    *map(id, verdict.allowed_by),
                    verdict.decided_by,
                    verdict.passed_by,
                )
            )
            text = self.shown.get(shown)
            if text is None:
                text = self.shown[shown] = json.dumps(side_json(verdict))
            self.sides[id(verdict)] = text
        return text

    def tail(self, ingress: Side, egress: Side) -> str:
        key = (id(ingress), id(egress))
        text = self.pairs.get(key)
        if text is None:
            texts = (self.side(ingress), self.side(egress))
            text = self.texts.get(texts)
            if text is None:
                text = self.texts[texts] = f', "ingress": {texts[0]}, "egress": {texts[1]}}}'
            self.pairs[key] = text
        return text

    def row(self, number: int, targets: Sequence[int]) -> Callable[[int], str]:
        """The tail of each flow of source class ``number`` to ``targets``, by entry.

        For a few targets (an allowed-only row) each distinct entry is looked up alone; for
        many, the row starts from its egress base's tails, copied whole, and only the entries a
        rule touches are looked up.
        """
        why = self.matrix.why(number)
        if len(targets) * 8 < len(why.ingress_base):
            entry_of = self.matrix.target_entry
            wanted = {entry_of[target] for target in targets}
            return {entry: self.tail(*why.at(entry)) for entry in wanted}.__getitem__
        egress_text = self.side(why.egress_base)
        base = self.bases.get(egress_text)
        if base is None:
            base = self.bases[egress_text] = [
                self.tail(ingress, why.egress_base) for ingress in why.ingress_base
            ]
        tails = list(base)
        for entry in why.ingress.keys() | why.egress.keys():
            tails[entry] = self.tail(*why.at(entry))
        return tails.__getitem__


def _lines(
    matrix: Matrix,
    head: Callable[[str], str],
    target: Callable[[str, int, str], str],
    why: bool,
    name: Callable[[str], str] = str,
) -> Iterator[tuple[bytes, list[bytes]]]:
    """Per source with flows: its line head, and each flow's rest of the line, as UTF-8.

    A flow's line is ``head + part``. The parts of a class of sources are built once and kept
    for the next sources of that class (a few classes at a time); each source then leaves out
    what :meth:`Matrix.cut` says is not its flows.
    """
    targets = _target_texts(matrix, target, name)
    entries = matrix.target_entry
    verdicts = ("false", "true")
    tails = _Tails(matrix) if why else None
    kept: dict[int, list[bytes]] = {}
    for index, number in enumerate(matrix.source_class):
        row, allowed = matrix.class_row(number)
        low, high, end = matrix.cut(index, row)
        if not low and high >= end:
            continue
        parts = kept.get(number)
        if parts is None:
            if tails is not None:
                tail_of = tails.row(number, row)
                texts = [
                    f"{targets[t]}{verdicts[a]}{tail_of(entries[t])}"
                    for t, a in zip(row, allowed, strict=True)
                ]
            else:
                texts = [f"{targets[t]}{verdicts[a]}" for t, a in zip(row, allowed, strict=True)]
            # One encode per class, then split: far faster than encoding each part.
            parts = "\0".join(texts).encode().split(b"\0")
            if len(kept) >= _PART_CACHE:
                kept.clear()
            kept[number] = parts
        if high > low or end < len(parts):
            parts = [*parts[:low], *parts[high:end]]
        yield head(matrix.sources[index].key).encode(), parts


def _writer(out: TextIO) -> Callable[[bytes], object]:
    """Write UTF-8 bytes to ``out``: straight to its binary buffer when it has one."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        return buffer.write
    return lambda data: out.write(data.decode())


def _emit(write: Callable[[bytes], object], *chunks: bytes) -> None:
    """Write ``chunks``: joined first when small (one call), one by one when large (no copy)."""
    if sum(map(len, chunks)) < 1 << 16:
        write(b"".join(chunks))
    else:
        for chunk in chunks:
            write(chunk)


def _json_parts(matrix: Matrix) -> Iterator[tuple[bytes, list[bytes]]]:
    return _lines(
        matrix,
        lambda source: f'{{"from": {json.dumps(source)}, ',
        lambda d, p, proto: f'"to": {d}, "port": {p}, "protocol": "{proto}", "allowed": ',
        why=True,
        name=json.dumps,
    )


def render_json(matrix: Matrix, out: TextIO) -> None:
    """``{"flows": [...]}``, one flow a line, in matrix order.

    Each flow has ``from``, ``to``, ``port``, ``protocol``, ``allowed`` (the contract), then
    ``ingress`` and ``egress``: ``{"isolated": bool, "allowed_by": [{"policy": "ns/name",
    "rule": index}, ...]}``, null for a side outside the cluster (an address's); a side a
    cluster-wide policy decided or passed on also has ``decided_by`` / ``passed_by`` (see
    :func:`~podfence.reachability.report.side_json`).
    """
    write = _writer(out)
    write(b'{"flows": [')
    separator = b"\n"
    for head, parts in _json_parts(matrix):
        _emit(write, separator, head, (b",\n" + head).join(parts))
        separator = b",\n"
    write(b"\n]}\n" if separator != b"\n" else b"]}\n")
    out.flush()


def render_jsonl(matrix: Matrix, out: TextIO) -> None:
    """One JSON object per line, per flow: the entries of :func:`render_json`'s ``flows``."""
    write = _writer(out)
    for head, parts in _json_parts(matrix):
        _emit(write, head, (b"\n" + head).join(parts), b"\n")
    out.flush()


def render_csv(matrix: Matrix, out: TextIO) -> None:
    """``from,to,port,protocol,allowed``, one flow a line (names never need quoting)."""
    write = _writer(out)
    write(b"from,to,port,protocol,allowed\n")
    lines = _lines(
        matrix, lambda source: f"{source},", lambda d, p, proto: f"{d},{p},{proto},", False
    )
    for head, parts in lines:
        _emit(write, head, (b"\n" + head).join(parts), b"\n")
    out.flush()


#: The output formats, by the name ``--output`` takes.
FORMATS: dict[str, Callable[[Matrix, TextIO], None]] = {
    "table": render_table,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "markdown": render_markdown,
}


def render(matrix: Matrix, output: str, out: TextIO, color: bool | None = None) -> None:
    """Write ``matrix`` to ``out`` in format ``output`` (see :data:`FORMATS`).

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
