"""The network-policy-api conformance suite's tests, probe by probe, against podfence's engine.

Source: kubernetes-sigs/network-policy-api, conformance/tests/*.go (ShortNames such as
``AdminNetworkPolicyEgressTCP``) with the manifests they apply (conformance/base/...), at the
commits each fixture names in ``source`` and ``manifests`` (e.g.
admin-network-policy-core-egress-tcp-rules.go @ 8c46a567512e2ede4511f6e6a266c8e3290bc66e with
core-egress-tcp-rules.yaml @ 107f154e1aef56bb061665d1bc5b4f1cb427bd1c), and the cluster of
conformance/base/manifests.yaml @ 4d5b6932bf8ccda677b9aa171070fe426ab52c40. The policies, each
subtest's changes to them and every probe with its expected result were TRANSCRIBED from those
files into podfence's own structured form (fixtures/conformance/*.yaml; no upstream code): the
stored manifests' pre-v0.1.5 v1alpha1 peer shape, and the v1alpha1-style ``ports`` and ``Allow``
of early v1alpha2 ClusterNetworkPolicy manifests, are written in the shapes the API serves now,
as each fixture's header says; v1beta1 manifests are read as upstream wrote them.

Each case is one upstream subtest (``t.Run``), named ``<ShortName>/<subtest>``. As upstream, a
test's objects start from its manifests and each subtest's changes stay for the subtests after
it (within that test only). Every probe (upstream: PokeServer from a client pod to a server
pod's IP on a port and protocol, expecting success or not) is asked of ``evaluate`` and read
from the matrix's JSON (see ``truth.matrix_flows``); both must give upstream's answer. The
engine warns of nothing, except what a test's ``warnings`` list says (same-priority policies,
whose order the API leaves undefined: upstream's probes there never depend on it).
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from podfence.reachability.explain import explain
from reachability.engine import Engine
from truth import Json, matrix_flows

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "conformance"
CLUSTER = FIXTURES / "cluster.yaml"


def _cluster_objects() -> list[Json]:
    """The Namespace and Pod objects of the suite's cluster, pods with podfence's IPs."""
    base = yaml.safe_load(CLUSTER.read_text())
    position = {entry["name"]: index + 1 for index, entry in enumerate(base["namespaces"])}
    out: list[Json] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": entry} for entry in base["namespaces"]
    ]
    seen: dict[str, int] = {}
    for entry in base["statefulsets"]:
        namespace, name = entry["namespace"], entry["statefulset"]
        order = seen[namespace] = seen.get(namespace, -1) + 1
        house = next(n for n in base["namespaces"] if n["name"] == namespace)
        for replica in (0, 1):
            pod = f"{name}-{replica}"
            containers = [
                {
                    "name": f"{name}-{port['port']}-{port['protocol'].lower()}",
                    "image": "registry.k8s.io/e2e-test-images/agnhost:2.43",
                    "ports": [
                        {
                            "containerPort": port["port"],
                            "protocol": port["protocol"],
                            **({"name": port["name"]} if "name" in port else {}),
                        }
                    ],
                }
                for port in entry["ports"]
            ]
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": pod,
                        "namespace": namespace,
                        "labels": {
                            "conformance-house": house["labels"]["conformance-house"],
                            "statefulset.kubernetes.io/pod-name": pod,
                        },
                    },
                    "spec": {"containers": containers},
                    "status": {
                        "phase": "Running",
                        "podIP": f"10.244.{position[namespace]}.{10 * order + replica + 10}",
                    },
                }
            )
    return out


@dataclass(frozen=True)
class Case:
    """One upstream subtest: the objects as they stand when it runs, and its probes."""

    short_name: str
    subtest: str
    source: str
    objects: tuple[Json, ...]
    probes: tuple[Json, ...]
    warnings: tuple[str, ...] = ()


def _path(text: str) -> list[str | int]:
    """``spec.ingress[0].action`` as ``["spec", "ingress", 0, "action"]``."""
    return [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", text)]


def _mutate(objects: list[Json], mutation: Json) -> None:
    """Apply one subtest's change to one object (delete it, swap two list items, set a field)."""
    metadata = {"name": mutation["name"], "namespace": mutation.get("namespace")}
    index = next(
        i
        for i, obj in enumerate(objects)
        if obj["kind"] == mutation["kind"]
        and {k: obj["metadata"].get(k) for k in metadata} == metadata
    )
    if mutation.get("delete"):
        del objects[index]
        return
    for change in mutation["changes"]:
        path = _path(change.get("swap") or change["set"])
        parent: Any = objects[index]
        for part in path[:-1]:
            parent = parent[part]
        if "swap" in change:
            items, (first, second) = parent[path[-1]], change["indices"]
            items[first], items[second] = items[second], items[first]
        else:
            parent[path[-1]] = copy.deepcopy(change["to"])


def _cases() -> Iterator[Case]:
    for fixture in sorted(FIXTURES.glob("*.yaml")):
        if fixture == CLUSTER:
            continue
        document = yaml.safe_load(fixture.read_text())
        source = f"{document['source']['file']} @ {document['source']['commit'][:8]}"
        for test in document["tests"]:
            objects = copy.deepcopy(test["objects"])
            for case in test["cases"]:
                for mutation in case["mutations"]:
                    _mutate(objects, mutation)
                yield Case(
                    test["short_name"],
                    case["subtest"],
                    source,
                    tuple(copy.deepcopy(objects)),
                    tuple(case["probes"]),
                    tuple(test.get("warnings", ())),
                )


CASES = list(_cases())
_CLUSTER_OBJECTS = _cluster_objects()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.short_name}/{c.subtest}" for c in CASES])
def test_every_upstream_probe_gets_upstreams_answer_from_evaluate_and_the_matrix(
    case: Case,
) -> None:
    engine = Engine([*_CLUSTER_OBJECTS, *copy.deepcopy(list(case.objects))])
    assert engine.warnings == case.warnings
    wrong = []
    for probe in case.probes:
        source, destination = probe["from"], probe["to"]
        port, protocol, expected = probe["port"], probe["protocol"], probe["allowed"]
        verdict = engine.evaluate(source, destination, port, protocol)
        in_matrix = matrix_flows(engine, port, protocol).get((source, destination))
        if bool(verdict.allowed) != expected or in_matrix != expected:
            wrong.append(
                f"  {source} -> {destination} on {port}/{protocol}: upstream expects "
                f"{'allowed' if expected else 'denied'}; evaluate says "
                f"{'allowed' if verdict.allowed else 'denied'}, the matrix says "
                f"{'nothing' if in_matrix is None else 'allowed' if in_matrix else 'denied'}"
                + "\n    "
                + explain(verdict).replace("\n", "\n    ")
            )
    assert not wrong, f"{case.short_name} ({case.source}) / {case.subtest}:\n" + "\n".join(wrong)


def test_the_fixtures_hold_every_transcribed_test_subtest_and_probe() -> None:
    """43 ConformanceTests, 181 subtests, 555 probes (the transcription's totals)."""
    assert len({case.short_name for case in CASES}) == 43
    assert len(CASES) == 181
    assert sum(len(case.probes) for case in CASES) == 555
