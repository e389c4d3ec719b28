"""Truth tables for the reachability engine, in the style of the upstream e2e network policy tests.

The model is the one of kubernetes test/e2e/network/netpol: namespaces x, y, z (labelled ``ns=x``
and ``kubernetes.io/metadata.name=x``), pods a, b, c in each (labelled ``pod=a``), every pod serving
ports 80 and 81 on TCP, UDP and SCTP through ports named ``serve-80-tcp`` and so on. Pod IPs are
fixed: ``10.0.<namespace>.<pod>`` with x=1, y=2, z=3 and a=10, b=20, c=30 (x/a is 10.0.1.10).

A :class:`Reachability` starts from one expectation for every (source, destination) pair, is
adjusted cell by cell, row by row (a source's egress) or column by column (a destination's
ingress), and is then compared with what the engine says for one port and protocol. On a mismatch
the assertion shows the expected and the engine's tables side by side with the differing cells
marked, and lists each differing pair with the engine's verdict.
"""

from __future__ import annotations

import io
import json
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podfence.reachability import Verdict
from podfence.reachability.render import render
from reachability.engine import Engine

__all__ = [
    "EXTERNALS",
    "EXTERNAL_IN_CIDR",
    "EXTERNAL_IN_EXCEPT",
    "EXTERNAL_OUTSIDE",
    "EXTERNAL_V6",
    "MODEL",
    "PORT_PROTOCOLS",
    "STATS",
    "Json",
    "Model",
    "Reachability",
    "analyzer",
    "check_tables",
    "egress_rule",
    "expr",
    "ingress_rule",
    "ip_block",
    "matrix_flows",
    "namespaces",
    "netpol",
    "ns_name",
    "pods",
    "pods_in",
    "port",
    "sel",
]

Json = dict[str, Any]

NAME_LABEL = "kubernetes.io/metadata.name"

#: Every (port, protocol) each pod of the model serves.
PORT_PROTOCOLS: tuple[tuple[int, str], ...] = tuple(
    (number, protocol) for protocol in ("TCP", "UDP", "SCTP") for number in (80, 81)
)

#: Addresses outside the cluster, used as sources; chosen around x's pod range 10.0.1.0/24.
EXTERNAL_IN_CIDR = "10.0.1.100"  # inside 10.0.1.0/24, outside 10.0.1.8/29
EXTERNAL_IN_EXCEPT = "10.0.1.12"  # inside 10.0.1.8/29, next to x/a (10.0.1.10)
EXTERNAL_OUTSIDE = "192.0.2.7"  # TEST-NET-1, inside nothing the tests allow
EXTERNAL_V6 = "2001:db8::7"
EXTERNALS: tuple[str, ...] = (EXTERNAL_IN_CIDR, EXTERNAL_IN_EXCEPT, EXTERNAL_OUTSIDE, EXTERNAL_V6)

_MAX_DETAILS = 12

#: Cells compared against the engine so far in this process (for reports).
STATS: dict[str, int] = {"tables": 0, "evaluate_cells": 0, "matrix_cells": 0}


@dataclass(frozen=True)
class Model:
    """The e2e cluster: namespaces x, y, z, pods a, b, c, ports 80 and 81 on three protocols.

    Attributes:
        namespace_labels: extra labels per namespace name, e.g. ``{"y": {"env": "prod"}}``.
        pod_labels: extra labels per pod, e.g. ``{"x/b": {"tier": "web"}}``.
        port_names: container port names that differ from ``serve-<port>-<proto>``, keyed by
            ``(pod, port, protocol)``, e.g. ``{("x/a", 80, "TCP"): "web"}``.
        addresses: pod IPs that differ from the fixed one, e.g. ``{"y/c": ("10.0.2.30",
            "fd00::30")}`` for a dual-stack pod or ``{"z/a": ()}`` for a pod without an IP yet.
        namespace_objects: whether Namespace objects are part of the inventory at all (without
            them the engine must invent each namespace with only its name label).
        name_label_on_objects: whether the Namespace objects carry ``kubernetes.io/metadata.name``
            themselves (the engine must add it when they do not).
    """

    namespace_names: tuple[str, ...] = ("x", "y", "z")
    pod_names: tuple[str, ...] = ("a", "b", "c")
    namespace_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pod_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    port_names: Mapping[tuple[str, int, str], str] = field(default_factory=dict)
    addresses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    namespace_objects: bool = True
    name_label_on_objects: bool = True

    @property
    def pods(self) -> list[str]:
        """Every pod as ``namespace/pod``, namespace by namespace."""
        return [f"{ns}/{pod}" for ns in self.namespace_names for pod in self.pod_names]

    def ip(self, pod: str) -> str:
        """The fixed IPv4 address of a pod (``x/a`` is 10.0.1.10, ``z/c`` 10.0.3.30)."""
        ns, name = pod.split("/")
        return f"10.0.{self.namespace_names.index(ns) + 1}.{(self.pod_names.index(name) + 1) * 10}"

    def port_name(self, pod: str, number: int, protocol: str) -> str:
        """The name the pod gives to one of its container ports."""
        default = f"serve-{number}-{protocol.lower()}"
        return self.port_names.get((pod, number, protocol), default)

    def objects(self) -> list[Json]:
        """The Namespace and Pod objects, as ``kubectl get -o yaml`` would print them."""
        out: list[Json] = []
        if self.namespace_objects:
            out.extend(self._namespace(ns) for ns in self.namespace_names)
        out.extend(self._pod(pod) for pod in self.pods)
        return out

    def _namespace(self, ns: str) -> Json:
        labels = {"ns": ns, **self.namespace_labels.get(ns, {})}
        if self.name_label_on_objects:
            labels[NAME_LABEL] = ns
        return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}}

    def _pod(self, pod: str) -> Json:
        ns, name = pod.split("/")
        containers = [
            {
                "name": f"cont-{number}-{protocol.lower()}",
                "image": "registry.k8s.io/e2e-test-images/agnhost:2.47",
                "ports": [
                    {
                        "containerPort": number,
                        "name": self.port_name(pod, number, protocol),
                        "protocol": protocol,
                    }
                ],
            }
            for number, protocol in PORT_PROTOCOLS
        ]
        ips = self.addresses.get(pod, (self.ip(pod),))
        status: Json = {"phase": "Running" if ips else "Pending"}
        if ips:
            status["podIP"] = ips[0]
            status["podIPs"] = [{"ip": ip} for ip in ips]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": {"pod": name, **self.pod_labels.get(pod, {})},
            },
            "spec": {"containers": containers},
            "status": status,
        }


MODEL = Model()


def analyzer(*policies: Json, model: Model = MODEL) -> Engine:
    """The engine over the model's objects, the given policies and :data:`EXTERNALS`."""
    return Engine([*model.objects(), *policies], externals=EXTERNALS)


# --- writing policies compactly ------------------------------------------------------------


def sel(labels: Mapping[str, str] | None = None, *expressions: Json) -> Json:
    """A label selector: ``sel()`` is the empty selector (everything), ``sel({"pod": "a"})``."""
    out: Json = {}
    if labels:
        out["matchLabels"] = dict(labels)
    if expressions:
        out["matchExpressions"] = list(expressions)
    return out


def expr(key: str, operator: str, *values: str) -> Json:
    """One matchExpressions requirement: ``expr("env", "NotIn", "prod")``."""
    out: Json = {"key": key, "operator": operator}
    if values:
        out["values"] = list(values)
    return out


def ns_name(name: str) -> Json:
    """A namespace selector by name, through the label every namespace has."""
    return sel({NAME_LABEL: name})


def pods(selector: Json) -> Json:
    """A peer with only a podSelector: matching pods in the policy's own namespace."""
    return {"podSelector": selector}


def namespaces(selector: Json) -> Json:
    """A peer with only a namespaceSelector: every pod in the matching namespaces."""
    return {"namespaceSelector": selector}


def pods_in(namespace_selector: Json, pod_selector: Json) -> Json:
    """A peer with both selectors in ONE element: matching pods in matching namespaces (AND)."""
    return {"namespaceSelector": namespace_selector, "podSelector": pod_selector}


def ip_block(cidr: str, *excepted: str) -> Json:
    """An ipBlock peer: ``cidr`` minus every ``except`` range."""
    block: Json = {"cidr": cidr}
    if excepted:
        block["except"] = list(excepted)
    return {"ipBlock": block}


def port(
    number: int | str | None = None, protocol: str | None = None, end_port: int | None = None
) -> Json:
    """A NetworkPolicyPort; fields left as None are omitted (protocol then defaults to TCP)."""
    out: Json = {}
    if protocol is not None:
        out["protocol"] = protocol
    if number is not None:
        out["port"] = number
    if end_port is not None:
        out["endPort"] = end_port
    return out


def ingress_rule(*peers: Json, ports: Sequence[Json] | None = None) -> Json:
    """An ingress rule; no peers omits ``from`` (all sources), no ports omits ``ports``."""
    rule: Json = {}
    if peers:
        rule["from"] = list(peers)
    if ports is not None:
        rule["ports"] = list(ports)
    return rule


def egress_rule(*peers: Json, ports: Sequence[Json] | None = None) -> Json:
    """An egress rule; no peers omits ``to`` (all destinations), no ports omits ``ports``."""
    rule: Json = {}
    if peers:
        rule["to"] = list(peers)
    if ports is not None:
        rule["ports"] = list(ports)
    return rule


def netpol(
    name: str,
    namespace: str,
    pod_selector: Json | None = None,
    *,
    ingress: Sequence[Json] | None = None,
    egress: Sequence[Json] | None = None,
    types: Sequence[str] | None = None,
) -> Json:
    """A networking.k8s.io/v1 NetworkPolicy; None leaves a field out, ``[]`` writes it empty."""
    spec: Json = {"podSelector": {} if pod_selector is None else pod_selector}
    if types is not None:
        spec["policyTypes"] = list(types)
    if ingress is not None:
        spec["ingress"] = list(ingress)
    if egress is not None:
        spec["egress"] = list(egress)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


# --- the truth table -----------------------------------------------------------------------


def _in(pod: str, namespace: str | None, name: str | None) -> bool:
    if "/" not in pod:  # an external address belongs to no namespace
        return namespace is None and name is None
    ns, pod_name = pod.split("/")
    return (namespace is None or ns == namespace) and (name is None or pod_name == name)


class Reachability:
    """Expected connectivity from every source (rows) to every destination pod (columns).

    Traffic from a pod to itself is not part of the table: a pod cannot block access to itself,
    and the engine's matrix leaves those pairs out.
    """

    def __init__(
        self,
        default: bool,
        *,
        model: Model = MODEL,
        sources: Sequence[str] | None = None,
        destinations: Sequence[str] | None = None,
    ) -> None:
        """Start with ``default`` everywhere; sources default to every pod then every external."""
        self.sources: list[str] = list(sources) if sources is not None else model.pods
        if sources is None:
            self.sources += EXTERNALS
        self.destinations: list[str] = (
            list(destinations) if destinations is not None else model.pods
        )
        self.cells: dict[tuple[str, str], bool] = {
            (src, dst): default for src in self.sources for dst in self.destinations if src != dst
        }

    def expect(self, source: str, destination: str, allowed: bool) -> Reachability:
        """Set one cell."""
        if (source, destination) not in self.cells:
            raise KeyError(f"{source} -> {destination} is not a cell of this table")
        self.cells[(source, destination)] = allowed
        return self

    def expect_all_ingress(self, destination: str, allowed: bool) -> Reachability:
        """Set a whole column: everything into ``destination``."""
        for src in self.sources:
            if src != destination:
                self.expect(src, destination, allowed)
        return self

    def expect_all_egress(self, source: str, allowed: bool) -> Reachability:
        """Set a whole row: everything out of ``source``."""
        for dst in self.destinations:
            if dst != source:
                self.expect(source, dst, allowed)
        return self

    def expect_peer(
        self,
        *,
        from_ns: str | None = None,
        from_pod: str | None = None,
        to_ns: str | None = None,
        to_pod: str | None = None,
        allowed: bool,
    ) -> Reachability:
        """Set every cell whose source and destination match (None matches anything).

        A source filter with a namespace or pod name never matches an external address.
        """
        for src, dst in self.cells:
            if _in(dst, to_ns, to_pod) and (
                (from_ns is None and from_pod is None) or _in(src, from_ns, from_pod)
            ):
                self.cells[(src, dst)] = allowed
        return self

    def expect_sources(self, sources: Iterable[str], destination: str, allowed: bool) -> None:
        """Set the cells from each of ``sources`` into ``destination``."""
        for src in sources:
            self.expect(src, destination, allowed)

    def check(self, engine: Engine, port_: int | str, protocol: str = "TCP") -> None:
        """Compare with the engine for one port and protocol; raise a readable AssertionError.

        Each cell is asked of ``evaluate``; for a numeric port the same cells are also read from
        the JSON rendering of ``matrix`` (the port added with ``extra_ports`` when the pods do
        not declare it), so the two ways the engine computes a verdict are both held to the table.
        """
        verdicts = {cell: engine.evaluate(*cell, port_, protocol) for cell in self.cells}
        evaluated = {cell: bool(verdict.allowed) for cell, verdict in verdicts.items()}
        flows = None if isinstance(port_, str) else matrix_flows(engine, port_, protocol)
        STATS["tables"] += 1
        STATS["evaluate_cells"] += len(self.cells)
        STATS["matrix_cells"] += 0 if flows is None else len(self.cells)
        problems: dict[tuple[str, str], str] = {}
        for cell, expected in self.cells.items():
            wrong_eval = evaluated[cell] != expected
            wrong_matrix = flows is not None and flows.get(cell) != expected
            if wrong_eval or wrong_matrix:
                problems[cell] = "B" if wrong_eval and wrong_matrix else "E" if wrong_eval else "M"
        if problems:
            what = f"{port_}/{protocol}"
            raise AssertionError(self._report(what, evaluated, flows, problems, verdicts))

    def check_all(self, engine: Engine, cases: Iterable[tuple[int | str, str]]) -> None:
        """:meth:`check` for several (port, protocol) pairs, reporting every failing one."""
        check_tables(engine, [(case, self) for case in cases])

    # rendering ---------------------------------------------------------------------------

    def _table(self, title: str, mark: Mapping[tuple[str, str], str]) -> list[str]:
        width = max(len(src) for src in self.sources)
        cols = [max(3, len(dst)) for dst in self.destinations]
        header = " ".join(f"{dst:>{w}}" for dst, w in zip(self.destinations, cols, strict=True))
        lines = [title, " " * width + " " + header]
        for src in self.sources:
            row = " ".join(
                f"{mark.get((src, dst), '-'):>{w}}"
                for dst, w in zip(self.destinations, cols, strict=True)
            )
            lines.append(f"{src:<{width}} {row}")
        return lines

    def _report(
        self,
        what: str,
        evaluated: Mapping[tuple[str, str], bool],
        flows: Mapping[tuple[str, str], bool] | None,
        problems: Mapping[tuple[str, str], str],
        verdicts: Mapping[tuple[str, str], Verdict],
    ) -> str:
        def marks(values: Mapping[tuple[str, str], bool]) -> dict[tuple[str, str], str]:
            return {cell: "." if ok else "X" for cell, ok in values.items()}

        blocks = [
            self._table("expected", marks(self.cells)),
            self._table("evaluate()", marks(evaluated)),
        ]
        if flows is not None:
            matrix_marks = {
                cell: "." if flows[cell] else "X" for cell in self.cells if cell in flows
            }
            matrix_marks.update({cell: "?" for cell in self.cells if cell not in flows})
            blocks.append(self._table("matrix() json", matrix_marks))
        blocks.append(
            self._table("differs", {cell: problems.get(cell, ".") for cell in self.cells})
        )
        widths = [max(len(line) for line in block) for block in blocks]
        side_by_side = [
            "   ".join(block[i].ljust(w) for block, w in zip(blocks, widths, strict=True)).rstrip()
            for i in range(len(blocks[0]))
        ]
        header = (
            f"{what}: {len(problems)} of {len(self.cells)} cells differ from the expectation "
            "(rows: sources, columns: destinations; '.' allowed, 'X' denied, '-' self, "
            "'?' missing; differs: E evaluate, M matrix, B both)"
        )
        details = []
        for cell, kind in problems.items():
            src, dst = cell
            line = (
                f"  {src} -> {dst} on {what}: expected {_word(self.cells[cell])}, "
                f"evaluate says {_word(evaluated[cell])} ({_why(verdicts[cell])})"
            )
            if flows is not None:
                line += f", matrix says {_word(flows[cell]) if cell in flows else 'nothing'}"
            details.append(f"{line} [{kind}]")
        if len(details) > _MAX_DETAILS:
            details[_MAX_DETAILS:] = [f"  ... and {len(details) - _MAX_DETAILS} more"]
        return "\n".join([header, *side_by_side, "differing cells:", *details])


def check_tables(
    engine: Engine, tables: Iterable[tuple[tuple[int | str, str], Reachability]]
) -> None:
    """:meth:`Reachability.check` of each ((port, protocol), table), every failing one reported
    in one AssertionError."""
    failures: list[str] = []
    for (number, protocol), table in tables:
        try:
            table.check(engine, number, protocol)
        except AssertionError as error:
            failures.append(str(error))
    if failures:
        raise AssertionError("\n\n".join(failures))


_MATRICES: weakref.WeakKeyDictionary[Engine, dict[tuple[int, str], dict[tuple[str, str], bool]]]
_MATRICES = weakref.WeakKeyDictionary()


def matrix_flows(engine: Engine, port_: int, protocol: str) -> dict[tuple[str, str], bool]:
    """``allowed`` of every matrix flow on ``port_``/``protocol``, by (source, destination).

    Read from the JSON rendering (the ``{"flows": [...]}`` contract of ``podfence matrix``); the
    (port, protocol) is added with ``extra_ports``, so that pods that do not declare it and
    addresses outside the cluster (which declare nothing) are probed on it too (a pod that
    declares it is probed once).
    """
    cache = _MATRICES.setdefault(engine, {})
    key = (port_, protocol)
    if key not in cache:
        out = io.StringIO()
        render(engine.matrix(extra_ports=[key]), "json", out)
        flows: dict[tuple[str, str], bool] = {}
        for flow in json.loads(out.getvalue())["flows"]:
            if (flow["port"], flow["protocol"]) != key:
                continue
            cell = (_by_address(flow["from"]), _by_address(flow["to"]))
            if cell[0] == cell[1]:
                raise AssertionError(f"the matrix lists traffic from {cell[0]} to itself")
            if cell in flows:
                raise AssertionError(f"the matrix lists {cell[0]} -> {cell[1]} on {key} twice")
            flows[cell] = bool(flow["allowed"])
        cache[key] = flows
    return cache[key]


def _by_address(name: str) -> str:
    """An endpoint as the tables name it: a node's address (``node/worker (172.18.0.3)`` in
    the matrix) by the address alone."""
    named = re.fullmatch(r"node/[^ ]+ \((.+)\)", name)
    return named[1] if named else name


def _word(allowed: bool) -> str:
    return "allowed" if allowed else "denied"


def _why(verdict: Verdict) -> str:
    parts = []
    for label, side in (("egress", verdict.egress), ("ingress", verdict.ingress)):
        if side is None:
            parts.append(f"{label}: n/a")
            continue
        rules = ", ".join(ref.describe() for ref in side.allowed_by) or "no rule"
        parts.append(f"{label}: isolated={side.isolated} allowed={side.allowed} by {rules}")
    return "; ".join(parts)
