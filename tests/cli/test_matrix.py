"""`podfence matrix`: golden outputs, options, warnings and one-line errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from golden import GOLDEN, assert_golden
from paths import GUESTBOOK_FIXTURE as GUESTBOOK
from podfence.cli.app import main
from podfence.cli.matrix import parse_port

INPUTS = [
    "--policies",
    str(GUESTBOOK / "policies.yaml"),
    "--inventory",
    str(GUESTBOOK / "inventory.yaml"),
    "--external",
    "203.0.113.7",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["matrix", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_on_the_guestbook(
    capsys: pytest.CaptureFixture[str], policies: Path, text: str
) -> tuple[int, str, str]:
    """``text`` written to ``policies``, run with the guestbook inventory."""
    policies.write_text(text)
    return run(
        capsys, "--policies", str(policies), "--inventory", str(GUESTBOOK / "inventory.yaml")
    )


@pytest.mark.parametrize(
    ("output", "suffix"), [("table", "txt"), ("json", "json"), ("csv", "csv"), ("markdown", "md")]
)
def test_matrix_prints_the_golden_output(
    capsys: pytest.CaptureFixture[str], output: str, suffix: str
) -> None:
    status, out, err = run(capsys, *INPUTS, "--output", output)
    assert status == 0
    assert err == ""
    assert_golden(f"matrix-guestbook.{suffix}", out)


def test_allowed_only_json_keeps_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, *INPUTS, "--output", "json", "--allowed-only")
    assert status == 0
    flows = json.loads(out)["flows"]
    assert flows and all(flow["allowed"] is True for flow in flows)
    assert {"from", "to", "port", "protocol", "allowed"} <= set(flows[0])
    external = [(f["from"], f["to"], f["port"]) for f in flows if f["from"] == "203.0.113.7"]
    assert ("203.0.113.7", "guestbook/ui-0", 80) in external
    assert all(f["egress"] is None for f in flows if f["from"] == "203.0.113.7")


def test_pods_without_ports_are_counted_on_stderr_and_port_adds_ports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inventory = tmp_path / "pods.yaml"
    inventory.write_text(
        "kind: Pod\nmetadata: {name: a, namespace: x}\nstatus: {podIP: 10.0.0.1}\n---\n"
        "kind: Pod\nmetadata: {name: b, namespace: x}\nstatus: {podIP: 10.0.0.2}\n"
    )
    policies = tmp_path / "none.yaml"
    policies.write_text("apiVersion: v1\nkind: List\nitems: []\n")
    args = ["--policies", str(policies), "--inventory", str(inventory), "--output", "csv"]
    args += ["--namespaces-from-pods"]
    none = f"podfence: warning: no NetworkPolicy in --policies {policies}: every flow is allowed\n"
    status, out, err = run(capsys, *args)
    assert status == 0
    assert out == "from,to,port,protocol,allowed\n"
    assert err == none + (
        "podfence: warning: 2 pods declare no containerPorts and receive no flows (e.g. x/a); "
        "evaluate ports on every pod with --port N[/PROTO]\n"
    )
    status, out, err = run(capsys, *args, "--port", "80", "--port", "53/udp")
    assert (status, err) == (0, none)
    assert out.splitlines()[1:] == [
        "x/a,x/b,80,TCP,true",
        "x/a,x/b,53,UDP,true",
        "x/b,x/a,80,TCP,true",
        "x/b,x/a,53,UDP,true",
    ]


def test_port_arguments_are_checked() -> None:
    assert parse_port("8080") == (8080, "TCP")
    assert parse_port("53/udp") == (53, "UDP")
    for bad in ("0", "http", "80/icmp", "70000/TCP"):
        with pytest.raises(argparse.ArgumentTypeError, match=bad):
            parse_port(bad)


def test_a_malformed_policy_is_one_line_on_stderr_with_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "policies.yaml"
    status, out, err = run_on_the_guestbook(
        capsys,
        policies,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: allow-x, namespace: guestbook}\n"
        "spec:\n  podSelector:\n    matchExpressions: [{key: app, operator: Equals, values: [x]}]\n",
    )
    assert status == 2
    assert out == ""
    assert err == (
        f"podfence: error: {policies}: NetworkPolicy guestbook/allow-x: "
        "spec.podSelector.matchExpressions[0].operator: unknown operator 'Equals' "
        "(expected one of In, NotIn, Exists, DoesNotExist)\n"
    )


def test_a_bad_output_format_or_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--output", "yaml"], ["--port", "web"]):
        with pytest.raises(SystemExit) as caught:
            main(["matrix", *INPUTS, *args])
        assert caught.value.code == 2
    assert "invalid" in capsys.readouterr().err


def test_jsonl_is_one_flow_a_line_equal_to_the_json_flows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for extra in ([], ["--allowed-only"]):
        status, out, err = run(capsys, *INPUTS, "--output", "jsonl", *extra)
        assert (status, err) == (0, "")
        lines = out.splitlines()
        _, whole, _ = run(capsys, *INPUTS, "--output", "json", *extra)
        flows = json.loads(whole)["flows"]
        assert len(lines) == len(flows) > 0
        for number, (line, flow) in enumerate(zip(lines, flows, strict=True)):
            assert json.loads(line) == flow, f"line {number + 1} {extra}"


def test_pods_reach_the_external_address_on_the_egress_ports_with_null_ingress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, *INPUTS, "--output", "json", "--port", "443")
    assert status == 0
    flows = json.loads(out)["flows"]
    to_address = [f for f in flows if f["to"] == "203.0.113.7"]
    assert {(f["port"], f["protocol"]) for f in to_address} == {
        (443, "TCP"),  # --port
        (8000, "TCP"),  # the first port of egress-tiers' 8000-8100
        (53, "UDP"),
        (53, "TCP"),
    }
    assert {f["from"] for f in to_address} == {
        "guestbook/api-0",
        "guestbook/db-0",
        "guestbook/ui-0",
        "guestbook/ui-1",
        "kube-system/coredns-0",
        "monitoring/prom-0",
    }, "every pod, and never the address itself"
    assert all(f["ingress"] is None for f in to_address)
    https = {f["from"]: f["allowed"] for f in to_address if f["port"] == 443}
    assert https["guestbook/api-0"] is False and https["monitoring/prom-0"] is True


def test_external_cidrs_are_sampled_and_a_pods_ip_is_that_pod(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [*INPUTS[:4], "--external", "198.51.100.0/24", "--external", "10.72.1.20"]
    status, out, err = run(capsys, *args, "--output", "csv")
    assert status == 0
    assert err == (
        "podfence: warning: --external 10.72.1.20 is the IP of pod guestbook/api-0: it is "
        "evaluated as that pod\n"
    )
    sources = {line.split(",")[0] for line in out.splitlines()[1:]}
    assert "198.51.100.1" in sources, "a CIDR is sampled at its first host"
    assert "10.72.1.20" not in out


def test_without_a_port_to_probe_on_addresses_a_warning_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "none.yaml"
    policies.write_text("kind: List\nitems: []\n")
    status, out, err = run(
        capsys,
        "--policies",
        str(policies),
        "--inventory",
        str(GUESTBOOK / "inventory.yaml"),
        "--external",
        "203.0.113.7",
        "--output",
        "csv",
    )
    assert status == 0
    assert err == (
        f"podfence: warning: no NetworkPolicy in --policies {policies}: every flow is allowed\n"
        "podfence: warning: no port to probe on the --external addresses as destinations: no "
        "egress rule names a port; add --port N[/PROTO]\n"
    )
    assert ",203.0.113.7," not in out
    assert "203.0.113.7,guestbook/ui-0,80,TCP,true" in out.splitlines()


def test_network_policies_that_are_not_evaluated_are_warned_about_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calico = tmp_path / "calico.yaml"
    calico.write_text(
        "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny-all, namespace: guestbook}\nspec: {selector: all()}\n"
    )
    status, out, err = run(
        capsys,
        "--policies",
        str(GUESTBOOK / "policies.yaml"),
        str(calico),
        "--inventory",
        str(GUESTBOOK / "inventory.yaml"),
        "--external",
        "203.0.113.7",
        "--output",
        "csv",
    )
    assert status == 0
    assert err == (
        f"podfence: warning: {calico}: crd.projectcalico.org/v1 NetworkPolicy guestbook/deny-all "
        "is not evaluated: podfence evaluates networking.k8s.io/v1 NetworkPolicies only, not "
        "this API's semantics\n"
    )
    assert out == (GOLDEN / "matrix-guestbook.csv").read_text(encoding="utf-8"), (
        "the Calico policy changes nothing"
    )


def test_a_kubectl_pods_only_inventory_names_each_namespace_it_assumes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pods = tmp_path / "pods.yaml"
    pods.write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {kind: Pod, metadata: {name: a, namespace: shop}, status: {podIP: 10.0.0.1}}\n"
        "- {kind: Pod, metadata: {name: b, namespace: payments}, status: {podIP: 10.0.0.2}}\n"
    )
    args = ["--policies", str(GUESTBOOK / "policies.yaml"), "--inventory", str(pods)]
    status, _, err = run(capsys, *args, "--output", "csv", "--port", "80")
    assert status == 0
    assert err == "".join(
        f"podfence: warning: namespace {name} is not in the inventory: its labels are taken to "
        f"be only kubernetes.io/metadata.name={name}; add its Namespace object (kubectl get "
        "namespaces -o yaml), or pass --namespaces-from-pods to say so on purpose\n"
        for name in ("payments", "shop")
    )
    status, _, err = run(capsys, *args, "--output", "csv", "--port", "80", "--namespaces-from-pods")
    assert (status, err) == (0, "")


def test_a_misspelt_kind_is_named_and_the_empty_policy_set_is_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "policies.yaml"
    status, out, err = run_on_the_guestbook(
        capsys,
        policies,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy\n"
        "metadata: {name: deny-all, namespace: guestbook}\nspec: {podSelector: {}}\n",
    )
    assert status == 0
    assert err == (
        f"podfence: warning: {policies}: networking.k8s.io/v1 NetworkPolcy guestbook/deny-all is "
        "not evaluated: podfence reads NetworkPolicy (networking.k8s.io/v1), AdminNetworkPolicy "
        "and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy "
        "(policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1) objects "
        "only; did you mean NetworkPolicy?\n"
        f"podfence: warning: no NetworkPolicy in --policies {policies}: every flow is allowed\n"
    )
    assert "denied" not in out


def test_a_map_where_peers_go_is_an_error_not_every_flow_allowed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "policies.yaml"
    status, out, err = run_on_the_guestbook(
        capsys,
        policies,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: from-ui, namespace: guestbook}\n"
        "spec: {podSelector: {}, ingress: [{from: {podSelector: {matchLabels: {app: ui}}}}]}\n",
    )
    assert (status, out) == (2, "")
    assert err == (
        f"podfence: error: {policies}: NetworkPolicy guestbook/from-ui: spec.ingress[0].from: "
        "expected a list of peers, got {'podSelector': {'matchLabels': {'app': 'ui'}}}\n"
    )


def test_a_v1beta1_cluster_network_policy_in_policies_is_counted_and_evaluated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "policies.yaml"
    status, out, err = run_on_the_guestbook(
        capsys,
        policies,
        "apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\n"
        "metadata: {name: deny-all}\n"
        "spec: {tier: Admin, priority: 1, subject: {namespaces: {}},"
        " ingress: [{action: Deny, from: [{namespaces: {}}]}]}\n",
    )
    assert (status, err) == (0, "")
    assert "denied" in out


def test_a_kind_that_is_no_string_is_named_in_a_warning_not_an_internal_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = tmp_path / "policies.yaml"
    status, out, err = run_on_the_guestbook(
        capsys,
        policies,
        "apiVersion: networking.k8s.io/v1\nkind: [NetworkPolicy]\n"
        "metadata: {name: deny-all, namespace: guestbook}\nspec: {podSelector: {}}\n",
    )
    assert status == 0
    assert err == (
        f"podfence: warning: {policies} (document 1): an object with kind ['NetworkPolicy'] "
        "(guestbook/deny-all) is not evaluated: podfence reads NetworkPolicy "
        "(networking.k8s.io/v1), AdminNetworkPolicy and BaselineAdminNetworkPolicy "
        "(policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy "
        "(policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1) objects "
        "only\n"
        f"podfence: warning: no NetworkPolicy in --policies {policies}: every flow is allowed\n"
    )
    assert "denied" not in out


NODES_INVENTORY = """\
kind: Namespace
metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
---
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
status: {podIP: 10.0.0.1}
---
kind: Node
metadata: {name: control, labels: {role: control-plane}}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}, {type: Hostname, address: control}]}
---
kind: Node
metadata: {name: worker-1, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}, {type: ExternalIP, address: 198.51.100.3}]}
"""
DENY_WORKERS = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-workers}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress: [{name: deny-workers, action: Deny, to: [{nodes: {matchLabels: {role: worker}}}],
            protocols: [{tcp: {destinationPort: {number: 10250}}}]}]
"""


def test_every_node_address_is_a_destination_named_by_its_node_and_agrees_with_evaluate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from podfence.reachability import evaluate, load_cluster, read_objects, traffic

    (tmp_path / "inventory.yaml").write_text(NODES_INVENTORY)
    (tmp_path / "policies.yaml").write_text(DENY_WORKERS)
    inputs = ["--policies", str(tmp_path / "policies.yaml")]
    inputs += ["--inventory", str(tmp_path / "inventory.yaml")]
    # The worker's InternalIP given with --external too: listed once.
    status, out, err = run(capsys, *inputs, "--external", "172.18.0.3", "--output", "json")
    assert (status, err) == (0, "")
    flows = json.loads(out)["flows"]
    to_nodes = {
        (f["from"], f["to"], f["port"]): f["allowed"] for f in flows if f["to"] != "shop/web"
    }
    assert to_nodes == {
        ("shop/web", "node/worker-1 (172.18.0.3)", 10250): False,
        ("shop/web", "node/control (172.18.0.2)", 10250): True,
        ("shop/web", "node/worker-1 (198.51.100.3)", 10250): False,
    }
    assert {f["from"] for f in flows if f["to"] == "shop/web"} == {
        "node/worker-1 (172.18.0.3)",
        "node/control (172.18.0.2)",
        "node/worker-1 (198.51.100.3)",
    }
    cluster = load_cluster(read_objects([tmp_path / "policies.yaml", tmp_path / "inventory.yaml"]))
    for flow in flows:
        one = traffic(cluster.inventory, flow["from"], flow["to"], flow["port"], flow["protocol"])
        verdict = evaluate(cluster.policies, cluster.inventory, one)
        assert verdict.allowed is flow["allowed"], flow
    status, table, _ = run(capsys, *inputs)
    assert status == 0
    assert "node/worker-1 (172.18.0.3)" in table and "node/control (172.18.0.2)" in table


def test_without_node_objects_the_endpoints_are_the_pods_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from podfence.reachability import load_cluster, read_objects

    status, out, _ = run(capsys, *INPUTS[:4], "--output", "json")
    assert status == 0
    pods = {pod.key for pod in load_cluster(read_objects([GUESTBOOK])).inventory.pods}
    flows = json.loads(out)["flows"]
    assert {f["from"] for f in flows} | {f["to"] for f in flows} == pods
