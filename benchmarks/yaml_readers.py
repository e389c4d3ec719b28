"""Time YAML readers on generated inventories, and check that each returns what PyYAML returns.

    python benchmarks/yaml_readers.py                       # 1,000 and 5,000 pods, best of 5
    python benchmarks/yaml_readers.py --pods 1000 --repeat 3
    python benchmarks/yaml_readers.py --candidates /tmp/yaml-candidates/ryaml ...

For each size, benchmarks/generate.py writes namespaces.yaml, pods.yaml and policies.yaml into
--workdir, and this script writes the same objects as JSON beside them (namespaces.json, ...), as
``kubectl get -o json`` prints a ``kind: List``: the same map, indented by 4 spaces. Each reader
then reads the three files of one size from their bytes (decoding to ``str`` where a reader only
takes text counts as part of its time); the figure is the sum over the three files of the best of
--repeat runs, with the garbage collector paused during each run as ``timeit`` does.

The readers:

* ``PyYAML CSafeLoader``: ``list(yaml.load_all(data, Loader=yaml.CSafeLoader))``, the reference;
* ``podfence fastyaml``: ``podfence.reachability.fastyaml.load_all``;
* ``json.loads (JSON input)``: the standard library on the JSON form;
* candidates from PyPI, each used only if importable: rapidyaml (``ryml``; it returns a C++ tree,
  so it is timed twice: parsing alone, and parsing plus a Python walk that builds dicts and lists
  and resolves plain scalars with PyYAML's resolver, as fastyaml does), yaml-rs (``yaml_rs``),
  ryaml, fastyaml-rs (``fast_yaml``) and oryaml. Install them outside the project's environment
  (``pip install --target DIR NAME``) and pass the directories with --candidates.

A reader qualifies as a replacement only if its output equals the reference on the generated files
and on the YAML 1.1 probes below (``on``, ``0755``, timestamps, merge keys, ...), compared by type
as well as value (``True`` is not ``1``; NaN equals NaN).

Exit status: 0 (the figures are the result; nothing is judged here).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO_ROOT / "components"))

import generate  # noqa: E402
from podfence.reachability import fastyaml  # noqa: E402

FILES = ("namespaces", "pods", "policies")
REFERENCE = "PyYAML CSafeLoader"
Loader = Callable[[bytes], list[Any]]

# YAML 1.1 scalars and constructs where PyYAML's SafeLoader differs from YAML 1.2 readers.
PROBES: tuple[str, ...] = (
    "a: on\nb: off\nc: yes\nd: No\ne: y\nf: n\n",
    "mode: 0755\noctal12: 0o755\nhex: 0x1F\nsexagesimal: 1:20\nunderscores: 1_000\nplus: +12\n",
    "exp: 1e3\nfloat: 1.0e3\ninf: .inf\nnan: .nan\ndot: .5\n",
    "a: ~\nb: null\nc: Null\nd:\ne: ''\n",
    "date: 2001-12-14\nstamp: 2001-12-14t21:59:43.10-05:00\nspaced: 2001-12-14 21:59:43.10 -5\n",
    "str: !!str 0755\nint: !!int '12'\nbinary: !!binary aGk=\nquoted: '0755'\n",
    "base: &b {x: 1, y: 2}\nmerged: {<<: *b, y: 3}\n",
    "list: &l [1, two]\nagain: *l\n",
    "a: 1\na: 2\n",
    "1: int key\n2.5: float key\n~: null key\n'1': str key\n",
    "text: |\n  line one\n  line two\nfolded: >-\n  one\n  two\n",
    "a: 1\n---\nb: 2\n...\n---\n",
)


@dataclass
class Reader:
    """One way to read a file: its name, whether it reads the JSON form, and the function."""

    name: str
    reads_json: bool
    load: Loader | None
    note: str = ""
    builds_objects: bool = True


def _pyyaml(data: bytes) -> list[Any]:
    return list(yaml.load_all(data, Loader=yaml.CSafeLoader))


def _json(data: bytes) -> list[Any]:
    return [json.loads(data)]


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        return error


class _RymlBuilder:
    """Python values from a rapidyaml tree: plain scalars resolved as PyYAML resolves them."""

    def __init__(self, ryml: Any) -> None:
        self.ryml = ryml
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def scalar(self, text: Any, plain: bool, tag: Any, memo: dict[bytes, Any]) -> Any:
        if text is None:
            return None
        raw = bytes(text)
        if tag is not None:
            name = bytes(tag).decode()
            if name.startswith("!!"):
                name = "tag:yaml.org,2002:" + name[2:]
            return self.constructor.construct_object(yaml.nodes.ScalarNode(name, raw.decode()))
        if not plain:
            return raw.decode()
        value = memo.get(raw, memo)
        if value is memo:
            decoded = raw.decode()
            resolved = self.resolver.resolve(yaml.nodes.ScalarNode, decoded, (True, False))
            node = yaml.nodes.ScalarNode(resolved, decoded)
            value = memo[raw] = self.constructor.construct_object(node)
        return value

    def children(self, tree: Any, node: int) -> list[int]:
        found = []
        child = tree.first_child(node)
        while child != self.ryml.NONE:
            found.append(child)
            child = tree.next_sibling(child)
        return found

    def build(self, tree: Any, node: int, memo: dict[bytes, Any]) -> Any:
        if tree.is_map(node):
            mapping: dict[Any, Any] = {}
            for child in self.children(tree, node):
                tag = tree.key_tag(child) if tree.has_key_tag(child) else None
                key = self.scalar(tree.key(child), tree.is_key_plain(child), tag, memo)
                mapping[key] = self.build(tree, child, memo)
            return mapping
        if tree.is_seq(node):
            return [self.build(tree, child, memo) for child in self.children(tree, node)]
        tag = tree.val_tag(node) if tree.has_val_tag(node) else None
        return self.scalar(tree.val(node), tree.is_val_plain(node), tag, memo)

    def load_all(self, data: bytes) -> list[Any]:
        tree = self.ryml.parse_in_arena(data)
        tree.resolve()  # aliases and merge keys
        memo: dict[bytes, Any] = {}
        root = tree.root_id()
        if not tree.is_stream(root):
            return [self.build(tree, root, memo)]
        return [self.build(tree, document, memo) for document in self.children(tree, root)]


def _ryml_readers() -> list[Reader]:
    ryml = _import("ryml")
    if isinstance(ryml, ImportError):
        note = f"not importable ({ryml})"
        return [Reader("rapidyaml (parse only)", False, None, note)]

    def parse_only(data: bytes) -> list[Any]:
        ryml.parse_in_arena(data)
        return []

    version = f"rapidyaml {ryml.version}"
    return [
        Reader("rapidyaml (parse only)", False, parse_only, version, builds_objects=False),
        Reader("rapidyaml + Python walk", False, _RymlBuilder(ryml).load_all, version),
    ]


def _candidates() -> list[Reader]:
    readers = _ryml_readers()

    yaml_rs = _import("yaml_rs")
    if isinstance(yaml_rs, ImportError):
        readers.append(Reader("yaml-rs", False, None, f"not importable ({yaml_rs})"))
    else:

        def load_yaml_rs(data: bytes) -> list[Any]:
            result = yaml_rs.loads(data.decode())
            # yaml_rs returns one document as itself and several as a list of them.
            return result if data.count(b"\n---") and isinstance(result, list) else [result]

        readers.append(Reader("yaml-rs", False, load_yaml_rs, f"yaml-rs {yaml_rs.__version__}"))

    ryaml = _import("ryaml")
    if isinstance(ryaml, ImportError):
        readers.append(Reader("ryaml", False, None, f"not importable ({ryaml})"))
    else:
        readers.append(Reader("ryaml", False, lambda data: ryaml.loads_all(data.decode()), ""))

    fast_yaml = _import("fast_yaml")
    if isinstance(fast_yaml, ImportError):
        readers.append(Reader("fastyaml-rs", False, None, f"not importable ({fast_yaml})"))
    else:
        load = fast_yaml.safe_load_all
        readers.append(Reader("fastyaml-rs", False, lambda data: list(load(data.decode())), ""))

    oryaml = _import("oryaml")
    if isinstance(oryaml, ImportError):
        readers.append(Reader("oryaml", False, None, f"not importable ({oryaml})"))
    else:
        # oryaml reads exactly one document.
        readers.append(Reader("oryaml", False, lambda data: [oryaml.loads(data)], "one document"))
    return readers


def readers() -> list[Reader]:
    """The reference, podfence's reader, JSON, then the PyPI candidates that import."""
    return [
        Reader(REFERENCE, False, _pyyaml, f"PyYAML {yaml.__version__}"),
        Reader("podfence fastyaml", False, fastyaml.load_all),
        Reader("json.loads (JSON input)", True, _json, "the same objects as JSON"),
        *_candidates(),
    ]


def same(a: Any, b: Any) -> bool:
    """``a == b``, but with equal types throughout (``True`` is not ``1``) and NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, datetime.datetime):
        return a == b and a.tzinfo == b.tzinfo
    return bool(a == b)


def _attempt(load: Loader, data: bytes) -> tuple[bool, Any]:
    try:
        return True, load(data)
    except Exception as error:  # a candidate may raise anything on input it rejects
        return False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def probe(load: Loader) -> list[str]:
    """The probes on which ``load`` differs from the reference, each with what it returned."""
    differing = []
    for text in PROBES:
        ok, value = _attempt(load, text.encode())
        if not ok or not same(value, _pyyaml(text.encode())):
            shown = value if not ok else json.dumps(value, default=repr)
            differing.append(f"{text!r} -> {shown}")
    return differing


def best_of(load: Loader, data: bytes, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``load(data)``, in seconds, the collector paused.

    As in ``timeit``: otherwise every full collection during a run would also walk the objects
    this script keeps (the reference documents of every size), which the tools do not have.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            load(data)
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def prepare(size: int, workdir: Path) -> dict[str, tuple[bytes, bytes]]:
    """Generate one size's inventory; the (YAML, JSON) bytes of each of the three files."""
    directory = workdir / str(size)
    paths = generate.write(generate.build(size), directory)
    files = {}
    for name in FILES:
        yaml_bytes = paths[name].read_bytes()
        (document,) = _pyyaml(yaml_bytes)
        json_path = directory / f"{name}.json"
        json_path.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")
        files[name] = (yaml_bytes, json_path.read_bytes())
    return files


@dataclass
class Result:
    """One reader's figures: seconds per size (None: it failed), and how its output compares."""

    reader: Reader
    seconds: dict[int, float | None]
    same_objects: str  # "yes", "NO", "n/a" (it builds no objects) or "-" (not importable)
    differing: list[str]


Inventories = dict[int, dict[str, tuple[bytes, bytes]]]  # size -> file -> (YAML, JSON)
References = dict[int, dict[str, list[Any]]]  # size -> file -> the CSafeLoader's documents


def measure(
    reader: Reader, inventories: Inventories, references: References, repeat: int
) -> Result:
    """Time ``reader`` on every size, and compare its output with the reference's."""
    if reader.load is None:
        return Result(reader, {}, "-", [])
    seconds: dict[int, float | None] = {}
    equal = True
    for size, files in inventories.items():
        total = 0.0
        failed = False
        for name, (yaml_bytes, json_bytes) in files.items():
            data = json_bytes if reader.reads_json else yaml_bytes
            ok, value = _attempt(reader.load, data)
            if not ok:
                equal, failed = False, True
                reader.note = f"{reader.note} {size} pods, {name}: {value}".strip()
                break
            if reader.builds_objects:
                equal = equal and same(value, references[size][name])
            total += best_of(reader.load, data, repeat)
        seconds[size] = None if failed else total
    if not reader.builds_objects:
        return Result(reader, seconds, "n/a", [])
    differing = [] if reader.reads_json else probe(reader.load)
    return Result(reader, seconds, "yes" if equal else "NO", differing)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f}"


def _megabytes(files: dict[str, tuple[bytes, bytes]], form: int) -> str:
    return f"{sum(len(pair[form]) for pair in files.values()) / 1e6:.1f} MB"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return f"{numerator / denominator:.1f}x" if numerator and denominator else "-"


def report(results: list[Result], inventories: Inventories, repeat: int) -> None:
    """Print the table (Markdown) and, per reader, its notes and the probes it differs on."""
    sizes = list(inventories)
    largest = max(sizes)
    reference = results[0].seconds.get(largest)
    podfence = results[1].seconds.get(largest)
    python = sys.version.split()[0]
    print(f"best of {repeat} per file, the three files of a size summed; Python {python}")
    for size, files in inventories.items():
        print(f"{size:,} pods: YAML {_megabytes(files, 0)}, JSON {_megabytes(files, 1)}")
    columns = " | ".join(f"{size:,} pods ms" for size in sizes)
    print(
        f"| reader | {columns} | vs CSafeLoader ({largest:,}) | vs fastyaml ({largest:,}) "
        "| same objects | probes differing |"
    )
    print("|---|" + "---:|" * len(sizes) + "---:|---:|:---:|---:|")
    for result in results:
        reader = result.reader
        figures = " | ".join(_ms(result.seconds.get(size)) for size in sizes)
        own = result.seconds.get(largest)
        checked = reader.load is not None and reader.builds_objects and not reader.reads_json
        probes = f"{len(result.differing)} of {len(PROBES)}" if checked else "n/a"
        print(
            f"| {reader.name} | {figures} | {_ratio(reference, own)} | {_ratio(podfence, own)} "
            f"| {result.same_objects} | {probes} |"
        )
    print()
    for result in results:
        if result.reader.note or result.differing:
            print(f"{result.reader.name}: {result.reader.note}")
            for line in result.differing:
                print(f"    differs on {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", default="1000,5000", help="comma-separated sizes (>= 20)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per file; the best counts")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/podfence-yaml-readers"))
    parser.add_argument(
        "--candidates",
        type=Path,
        nargs="*",
        default=[],
        help="directories to import candidate packages from (pip install --target DIR)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.pods.split(",")]
    if min(sizes) < 20 or args.repeat < 1:
        parser.error("--pods must be at least 20 and --repeat at least 1")
    for directory in reversed(args.candidates):
        sys.path.insert(0, str(directory))
    inventories = {size: prepare(size, args.workdir) for size in sizes}
    references = {
        size: {name: _pyyaml(pair[0]) for name, pair in files.items()}
        for size, files in inventories.items()
    }
    results = [measure(reader, inventories, references, args.repeat) for reader in readers()]
    report(results, inventories, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
