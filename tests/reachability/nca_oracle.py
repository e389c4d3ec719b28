"""Run network-config-analyzer (nca) as an independent oracle and read its answer as flows.

nca 2.1.0's `--connectivity ... --output_format txt_no_fw_rules --output_endpoints pods` prints one
line per (source, destination, connection set):

    x/b => x/a : {protocols:TCP,dst_ports:80,1000-2000},{protocols:UDP}
    x/a => y/a : All connections
    x/a => y/b : All but {protocols:SCTP,dst_ports:70-90}

The same pair may appear on several lines (one per distinct connection set); their union is what
nca allows. Endpoints are pods (`namespace/name`) or IP ranges (`0.0.0.0-255.255.255.255`, CIDRs).
Both podfence and this oracle compare the same thing: allowed (source pod, destination pod, port,
protocol) restricted to the destination pod's declared containerPorts.

NcaForkServer runs many small queries cheaply (nca is imported once; every query runs in a
fresh fork of that process). Used by tests/reachability/test_differential_nca.py and by
benchmarks/run.py; stdlib only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "ALL_CONNECTIONS",
    "REPO_ROOT",
    "ConnectionSet",
    "Flow",
    "NcaForkServer",
    "NcaOutputError",
    "declared_ports",
    "find_nca",
    "nca_command",
    "parse_connection_set",
    "parse_nca_flows",
    "podfence_json_flows",
]

REPO_ROOT = Path(__file__).resolve().parents[2]

Flow = tuple[str, str, int, str]
"""(source "ns/pod", destination "ns/pod", destination port, protocol)."""

PortInterval = tuple[int, int]

_CUBE_KEYS = (
    "protocols",
    "dst_ports",
    "src_ports",
    "icmp_type",
    "icmp_code",
    "methods",
    "paths",
    "hosts",
)
_KEY_RE = re.compile(r"(?:^|,)(" + "|".join(_CUBE_KEYS) + r"):")
_CUBE_RE = re.compile(r"\{([^{}]*)\}")
_LINE_RE = re.compile(r"^(?P<src>\S+) => (?P<dst>\S+) : (?P<conns>.+)$")
_IP_RANGE_RE = re.compile(r"^[0-9a-fA-F:.]+(?:-[0-9a-fA-F:.]+|/\d+)?(?:,[0-9a-fA-F:./-]+)*$")


class NcaOutputError(ValueError):
    """nca printed something this parser does not understand (never guessed around)."""


@dataclass(frozen=True)
class _Cube:
    """One `{...}` of nca's output: a product of a protocol set and a port set (None = all)."""

    protocols: frozenset[str] | None
    protocols_negated: bool
    dst_ports: tuple[PortInterval, ...] | None

    def allows(self, port: int, protocol: str) -> bool:
        if self.protocols is not None and (protocol in self.protocols) == self.protocols_negated:
            return False
        return self.dst_ports is None or any(lo <= port <= hi for lo, hi in self.dst_ports)


@dataclass(frozen=True)
class ConnectionSet:
    """A parsed connection set: a union of cubes, possibly complemented ("All but ...")."""

    cubes: tuple[_Cube, ...]
    complement: bool = False

    def allows(self, port: int, protocol: str) -> bool:
        inside = any(cube.allows(port, protocol) for cube in self.cubes)
        return inside != self.complement


ALL_CONNECTIONS = ConnectionSet(cubes=(), complement=True)


def _parse_ports(text: str) -> tuple[PortInterval, ...]:
    intervals = []
    for part in text.split(","):
        lo, sep, hi = part.strip().partition("-")
        try:
            intervals.append((int(lo), int(hi) if sep else int(lo)))
        except ValueError as e:
            raise NcaOutputError(f"bad port list {text!r}") from e
    return tuple(intervals)


def _parse_cube(body: str) -> _Cube:
    matches = list(_KEY_RE.finditer(body))
    if not matches or matches[0].start() != 0:
        raise NcaOutputError(f"unexpected connection cube {{{body}}}")
    protocols: frozenset[str] | None = None
    negated = False
    dst_ports: tuple[PortInterval, ...] | None = None
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        key, value = match.group(1), body[match.end() : end].strip()
        if key == "protocols":
            if value.startswith("all but "):
                negated, value = True, value[len("all but ") :]
            protocols = frozenset(name.strip() for name in value.split(","))
        elif key == "dst_ports":
            dst_ports = _parse_ports(value)
        else:
            # NetworkPolicies never restrict source ports, ICMP, HTTP methods, paths or hosts.
            raise NcaOutputError(f"unexpected dimension {key!r} in {{{body}}}")
    return _Cube(protocols, negated, dst_ports)


def parse_connection_set(text: str) -> ConnectionSet:
    """Parse the right-hand side of an nca txt_no_fw_rules line."""
    text = text.strip()
    if text == "All connections":
        return ALL_CONNECTIONS
    if text == "No connections":
        return ConnectionSet(cubes=())
    complement = text.startswith("All but ")
    if complement:
        text = text[len("All but ") :]
    cubes = [_parse_cube(m.group(1)) for m in _CUBE_RE.finditer(text)]
    if _CUBE_RE.sub("", text).replace(",", "").strip():
        raise NcaOutputError(f"unexpected connection set {text!r}")
    if not cubes:
        raise NcaOutputError(f"empty connection set {text!r}")
    return ConnectionSet(tuple(cubes), complement)


def _is_ip_endpoint(name: str) -> bool:
    return bool(_IP_RANGE_RE.match(name))


def parse_nca_flows(output: str, ports: Mapping[str, Sequence[tuple[int, str]]]) -> set[Flow]:
    """Allowed pod-to-pod flows in nca's output, restricted to each destination's declared ports.

    Args:
        output: nca's stdout for a txt_no_fw_rules connectivity query with pod endpoints.
        ports: every pod ("ns/name") to its declared (containerPort, protocol) pairs.

    Raises:
        NcaOutputError: a connection line names an endpoint that is neither a known pod nor an IP
            range, or a connection set that cannot be parsed.
    """
    flows: set[Flow] = set()
    for line in output.splitlines():
        if " => " not in line:
            continue  # headers: "global: cluster has ...", "Total run time", blank lines
        match = _LINE_RE.match(line.strip())
        if match is None:
            raise NcaOutputError(f"unexpected nca line {line!r}")
        src, dst = match.group("src"), match.group("dst")
        for endpoint in (src, dst):
            if endpoint not in ports and not _is_ip_endpoint(endpoint):
                raise NcaOutputError(f"unknown endpoint {endpoint!r} in nca line {line!r}")
        if src not in ports or dst not in ports or src == dst:
            continue
        conns = parse_connection_set(match.group("conns"))
        flows.update(
            (src, dst, port, proto) for port, proto in ports[dst] if conns.allows(port, proto)
        )
    return flows


def declared_ports(objects: Iterable[Mapping[str, object]]) -> dict[str, list[tuple[int, str]]]:
    """Every Pod ("ns/name") to its declared (containerPort, protocol) pairs, deduplicated."""
    result: dict[str, list[tuple[int, str]]] = {}
    for obj in objects:
        if obj.get("kind") != "Pod":
            continue
        meta = obj["metadata"]
        spec = obj.get("spec") or {}
        assert isinstance(meta, Mapping) and isinstance(spec, Mapping)
        key = f"{meta.get('namespace', 'default')}/{meta['name']}"
        pairs: list[tuple[int, str]] = []
        for container in spec.get("containers") or []:
            for port in container.get("ports") or []:
                pair = (int(port["containerPort"]), str(port.get("protocol", "TCP")))
                if pair not in pairs:
                    pairs.append(pair)
        result[key] = pairs
    return result


def podfence_json_flows(document: Mapping[str, object]) -> set[Flow]:
    """Allowed pod-to-pod flows in `podfence matrix --output json` (external sources dropped)."""
    flows_obj = document["flows"]
    assert isinstance(flows_obj, list)
    return {
        (flow["from"], flow["to"], int(flow["port"]), flow["protocol"])
        for flow in flows_obj
        if flow["allowed"] and "/" in flow["from"]
    }


def find_nca(explicit: str | None = None) -> Path | None:
    """The nca executable: `explicit`, env PODFENCE_NCA, <repo>/.venv-nca/bin/nca, then PATH."""
    candidates = [
        explicit,
        os.environ.get("PODFENCE_NCA"),
        str(REPO_ROOT / ".venv-nca" / "bin" / "nca"),
        shutil.which("nca"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def nca_command(nca: Path, policies: Path, namespaces: Path, pods: Path) -> list[str]:
    """The nca connectivity query whose output parse_nca_flows reads."""
    return [
        str(nca),
        "--connectivity",
        str(policies),
        "--ns_list",
        str(namespaces),
        "--pod_list",
        str(pods),
        "--output_format",
        "txt_no_fw_rules",
        "--output_endpoints",
        "pods",
    ]


# Runs inside nca's own interpreter. nca spends ~0.25 s of its ~0.3 s per small case importing
# itself; this server imports it once and runs every query in a fresh fork, so each query still
# starts from nca's pristine just-imported state (its singletons included).
_FORK_SERVER = r"""
import json, os, sys, traceback
from nca.nca_cli import nca_main
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            os.dup2(os.open(job["stdout"], flags, 0o644), 1)
            os.dup2(os.open(job["stderr"], flags, 0o644), 2)
            code = int(nca_main(job["argv"]) or 0)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 2
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code & 0xFF)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"{os.waitstatus_to_exitcode(status)}\n")
    sys.stdout.flush()
"""


def _interpreter(nca: Path) -> str | None:
    """The Python interpreter of an nca console script (its shebang), if it has one."""
    try:
        with nca.open("rb") as script:
            first = script.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!"):
        interpreter = first[2:].strip().split()[0] if first[2:].strip() else ""
        if interpreter and Path(interpreter).is_file() and "python" in Path(interpreter).name:
            return interpreter
    return None


class NcaForkServer:
    """Runs nca queries in forks of one process that has imported nca already.

    Falls back to one `nca` process per query when the script's interpreter cannot be found.
    Not thread-safe: use one server per thread.
    """

    def __init__(self, nca: Path) -> None:
        self.nca = nca
        interpreter = _interpreter(nca) if sys.platform != "win32" else None
        self._proc = (
            None
            if interpreter is None
            else subprocess.Popen(
                [interpreter, "-c", _FORK_SERVER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )

    def run(self, policies: Path, namespaces: Path, pods: Path, stdout: Path, stderr: Path) -> int:
        """Run the connectivity query with its output in `stdout`/`stderr`; its exit status."""
        command = nca_command(self.nca, policies, namespaces, pods)
        if self._proc is None or self._proc.stdin is None or self._proc.stdout is None:
            with stdout.open("wb") as out, stderr.open("wb") as err:
                return subprocess.run(command, stdout=out, stderr=err, check=False).returncode
        job = {"argv": command[1:], "stdout": str(stdout), "stderr": str(stderr)}
        self._proc.stdin.write(json.dumps(job) + "\n")
        self._proc.stdin.flush()
        reply = self._proc.stdout.readline()
        if not reply:
            raise RuntimeError(f"the nca fork server died (exit {self._proc.wait()})")
        return int(reply)

    def close(self) -> None:
        if self._proc is not None:
            self._proc.communicate(timeout=30)  # closes stdin: the server's loop ends
            self._proc = None

    def __enter__(self) -> NcaForkServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
