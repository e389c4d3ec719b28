"""`podfence explain`: one flow in words or as JSON, and its errors and warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import GUESTBOOK_FIXTURE as GUESTBOOK
from podfence.cli.app import main
from podfence.reachability import evaluate, load_cluster, read_objects, traffic, verdict_json

INPUTS = [
    "--policies",
    str(GUESTBOOK / "policies.yaml"),
    "--inventory",
    str(GUESTBOOK / "inventory.yaml"),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["explain", *INPUTS, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_explain_prints_the_verdict_and_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/api-0", "--port", "api"
    )
    assert (status, err) == (0, "")
    assert out.startswith("guestbook/ui-0 -> guestbook/api-0 on 8080/TCP: allowed\n")
    assert "    - guestbook/allow-ui-to-api ingress rule 0: from pods app=ui,tier=frontend" in out


def test_a_denied_flow_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--from",
        "guestbook/db-0",
        "--to",
        "kube-system/coredns-0",
        "--port",
        "53",
        "--protocol",
        "udp",
    )
    assert status == 0
    assert out.startswith("guestbook/db-0 -> kube-system/coredns-0 on 53/UDP: denied\n")


def test_an_external_source_is_an_address(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--from", "198.51.100.1", "--to", "guestbook/ui-1", "--port", "80")
    assert status == 0
    assert out.startswith("198.51.100.1 -> guestbook/ui-1 on 80/TCP: allowed\n")


def test_an_unknown_pod_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/apu-0", "--port", "80"
    )
    assert status == 2
    assert out == ""
    assert err == (
        "podfence: error: --to no pod 'guestbook/apu-0' in the inventory; did you mean "
        "guestbook/api-0, guestbook/ui-0, guestbook/ui-1?\n"
    )


def test_an_unknown_port_name_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/db-0", "--port", "pg"
    )
    assert status == 2
    assert err == (
        "podfence: error: --port: pod guestbook/db-0 has no port named 'pg' (it names no ports)\n"
    )


def test_a_port_name_brings_its_own_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/api-0", "--to", "kube-system/coredns-0", "--port", "dns"
    )
    assert (status, err) == (0, "")
    assert out.startswith("guestbook/api-0 -> kube-system/coredns-0 on 53/UDP: allowed\n"), (
        "--port dns names 53/UDP only: no --protocol needed"
    )
    status, _, err = run(
        capsys,
        "--from",
        "guestbook/api-0",
        "--to",
        "kube-system/coredns-0",
        "--port",
        "dns",
        "--protocol",
        "tcp",
    )
    assert status == 2
    assert err == (
        "podfence: error: --port 'dns' of kube-system/coredns-0 is 53/UDP (dns), not TCP\n"
    )


def test_a_port_name_toward_an_address_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--from", "guestbook/ui-0", "--to", "8.8.8.8", "--port", "dns")
    assert (status, out) == (2, "")
    assert err == (
        "podfence: error: --port 'dns' is a port name, but 8.8.8.8 is an address outside the "
        "cluster, which declares no ports; give a number\n"
    )


def test_a_cidr_is_one_line_naming_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--from", "10.0.0.0/8", "--to", "guestbook/ui-0", "--port", "80")
    assert status == 2
    assert (
        err == "podfence: error: --from '10.0.0.0/8' is a CIDR; give one address, e.g. 10.0.0.0\n"
    )


def test_egress_to_an_address_outside_the_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "93.184.216.34", "--port", "443"
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        "guestbook/ui-0 -> 93.184.216.34 on 443/TCP: denied",
        "  ingress at 93.184.216.34: not applicable: 93.184.216.34 is outside the cluster, so no "
        "ingress policy applies to it",
    ]
    assert lines[2].startswith("  egress at guestbook/ui-0: denied: ")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typed_address_is_never_taken_for_a_pod_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inventory = write(
        tmp_path,
        "pods.yaml",
        "kind: Pod\nmetadata: {name: web, namespace: default}\nstatus: {podIP: 10.0.0.1}\n",
    )
    policies = write(tmp_path, "none.yaml", "kind: List\nitems: []\n")
    inputs = [
        "--policies",
        str(policies),
        "--inventory",
        str(inventory),
        "--namespaces-from-pods",
    ]
    status = main(["explain", *inputs, "--from", "default/web", "--to", "8.8.8.8", "--port", "80"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (
        0,
        f"podfence: warning: no NetworkPolicy in --policies {policies}: every flow is allowed\n",
    ), "8.8.8.8 is an address, not a pod to look up"
    assert captured.out.startswith("default/web -> 8.8.8.8 on 80/TCP: allowed\n")
    status = main(
        ["explain", *inputs, "--from", "default/web", "--to", "8.8.8.300", "--port", "80"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.splitlines()[-1] == "podfence: error: --to '8.8.8.300' is not a valid IP address", (
        "no 'did you mean default/web' for a mistyped address"
    )
    status = main(["explain", *inputs, "--from", "10.0.0.1", "--to", "8.8.8.8", "--port", "80"])
    assert status == 0
    assert capsys.readouterr().out.startswith("default/web -> 8.8.8.8 on 80/TCP: allowed\n"), (
        "the pod's IP is the pod"
    )


def test_json_output_is_the_verdict_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    # What verdict_json holds is pinned in tests/reachability/test_report.py; here: explain -o
    # json prints exactly that, indented, for the flow it was asked about.
    status, out, err = run(
        capsys,
        "--from",
        "guestbook/ui-0",
        "--to",
        "guestbook/db-0",
        "--port",
        "5432",
        "--output",
        "json",
    )
    assert (status, err) == (0, "")
    cluster = load_cluster(read_objects([GUESTBOOK]))
    flow = traffic(cluster.inventory, "guestbook/ui-0", "guestbook/db-0", 5432)
    verdict = evaluate(cluster.policies, cluster.inventory, flow)
    assert out == json.dumps(verdict_json(verdict), indent=2) + "\n"
    assert json.loads(out)["assumptions"] == [], "the guestbook inventory defines its namespaces"


def test_json_output_has_null_for_the_side_of_an_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "--from", "guestbook/ui-0", "--to", "8.8.8.8", "--port", "53", "-o", "json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["ingress"] is None and data["egress"]["allowed"] is False
    status, out, _ = run(
        capsys, "--from", "8.8.8.8", "--to", "guestbook/ui-0", "--port", "http", "-o", "json"
    )
    data = json.loads(out)
    assert (data["port"], data["egress"], data["allowed"]) == (80, None, True)


def test_network_policies_that_are_not_evaluated_are_warned_about_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    others = write(
        tmp_path,
        "others.yaml",
        "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\n"
        "metadata: {name: old, namespace: guestbook}\nspec: {podSelector: {}}\n---\n"
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
        "metadata: {name: l7, namespace: guestbook}\n",
    )
    status = main(
        [
            "explain",
            "--policies",
            str(GUESTBOOK / "policies.yaml"),
            str(others),
            "--inventory",
            str(GUESTBOOK / "inventory.yaml"),
            "--from",
            "guestbook/ui-0",
            "--to",
            "guestbook/api-0",
            "--port",
            "8080",
        ]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.startswith("guestbook/ui-0 -> guestbook/api-0 on 8080/TCP: allowed\n")
    assert captured.err.splitlines() == [
        f"podfence: warning: {others}: extensions/v1beta1 NetworkPolicy guestbook/old is not "
        "evaluated: that API was removed in Kubernetes 1.16; write it as networking.k8s.io/v1",
        f"podfence: warning: {others}: cilium.io/v2 CiliumNetworkPolicy guestbook/l7 is not "
        "evaluated: podfence evaluates networking.k8s.io/v1 NetworkPolicies only, not this "
        "API's semantics",
    ]


PRODUCTION_ONLY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-production, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {purpose: production}}
    ports: [{port: 80}]
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: payments}}
    ports: [{port: 9090}]
"""
PODS_ONLY = """\
apiVersion: v1
kind: List
items:
- {kind: Pod, metadata: {name: api, namespace: payments}, status: {podIP: 10.0.0.1}}
- {kind: Pod, metadata: {name: web, namespace: shop}, status: {podIP: 10.0.0.2}}
"""
ASSUMED = (
    "namespace {0} is not in the inventory: its labels are taken to be only "
    "kubernetes.io/metadata.name={0}; add its Namespace object (kubectl get namespaces -o yaml), "
    "or pass --namespaces-from-pods to say so on purpose"
)


@pytest.fixture
def pods_only(tmp_path: Path) -> list[str]:
    """--policies PRODUCTION_ONLY --inventory PODS_ONLY, written to ``tmp_path``."""
    policies = write(tmp_path, "policies.yaml", PRODUCTION_ONLY)
    pods = write(tmp_path, "pods.yaml", PODS_ONLY)
    return ["--policies", str(policies), "--inventory", str(pods)]


def test_a_verdict_that_reads_labels_of_a_namespace_missing_from_the_inventory_says_so(
    capsys: pytest.CaptureFixture[str], pods_only: list[str]
) -> None:
    flow = ["--from", "payments/api", "--to", "shop/web", "--port", "80"]
    status = main(["explain", *pods_only, *flow])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.err == "".join(
        f"podfence: warning: {ASSUMED.format(name)}\n" for name in ("payments", "shop")
    )
    assert captured.out == (
        "payments/api -> shop/web on 80/TCP: denied\n"
        "  ingress at shop/web: denied: shop/web is isolated for ingress by shop/from-production; "
        "none of its ingress rules admits payments/api:\n"
        "    - shop/from-production ingress rule 0: from all pods in namespaces purpose=production "
        "on 80/TCP: payments/api does not match all pods in namespaces purpose=production\n"
        "    - shop/from-production ingress rule 1: from all pods in namespace payments on "
        "9090/TCP: 80/TCP does not match 9090/TCP\n"
        "  egress at payments/api: allowed: no policy selects payments/api for egress, so it is "
        "not isolated for egress\n"
        "  assumption: namespace payments is not in the inventory; its labels were taken to be "
        "only kubernetes.io/metadata.name=payments\n"
    )


def test_namespaces_from_pods_silences_the_warning_and_json_lists_the_assumption(
    capsys: pytest.CaptureFixture[str], pods_only: list[str]
) -> None:
    inputs = [*pods_only, "--namespaces-from-pods"]
    flow = ["--from", "payments/api", "--to", "shop/web", "--port", "80"]
    status = main(["explain", *inputs, *flow, "--output", "json"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    assert json.loads(captured.out)["assumptions"] == [
        {
            "namespace": "payments",
            "labels": {"kubernetes.io/metadata.name": "payments"},
            "rules": [{"policy": "shop/from-production", "rule": 0, "direction": "ingress"}],
            "description": "namespace payments is not in the inventory; its labels were taken to "
            "be only kubernetes.io/metadata.name=payments",
        }
    ]
    by_name = ["--from", "payments/api", "--to", "shop/web", "--port", "9090"]
    main(["explain", *inputs, *by_name, "--output", "json"])
    assert json.loads(capsys.readouterr().out)["assumptions"] == [], (
        "a selector on the name label alone assumes nothing: the API server always sets it"
    )
