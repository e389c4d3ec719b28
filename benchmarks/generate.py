"""Generate a deterministic, realistic cluster (namespaces, pods, NetworkPolicies) as YAML.

    python benchmarks/generate.py --pods 1000 --out /tmp/cluster-1000   [--seed 20261125]

writes `namespaces.yaml`, `pods.yaml` and `policies.yaml` (each a `kind: List`) into the directory
and prints the counts. The same arguments always produce byte-identical files.

The cluster is shaped like a multi-team production cluster:

* Infrastructure namespaces without policies of their own: `kube-system` (CoreDNS pods labelled
  `k8s-app=kube-dns`, 53/UDP and 53/TCP), `monitoring` (Prometheus `app=prometheus` and Grafana)
  and `ingress-nginx` (controller pods `app.kubernetes.io/name=ingress-nginx`).
* Application namespaces `<team>-<area>` (labels `kubernetes.io/metadata.name`, `team`,
  `environment`), each with 3 to 7 *apps*. An app is one of
    - web      ui -> api -> db   (ui reachable from ingress-nginx and an office ipBlock),
    - service  api -> db,
    - pipeline worker -> api -> db,
    - media    ui -> api, where the api takes RTP over UDP 10000-10100 (endPort) from an ipBlock.
  Every tier is a Deployment-like set of replicas (pods named `<app>-<tier>-<hash>-<suffix>`,
  labels app/tier/version/pod-template-hash); databases are StatefulSet-like (`<app>-db-0`) and
  are PostgreSQL, Redis or Cassandra (gossip on 7000-7001 between the db replicas, an endPort
  range). Every pod declares named ports: `http` 8080/TCP, `grpc` 9000/TCP, `metrics` on a
  per-image number (9090, 9187, 9121, 9500), database ports, `rtp`/`rtcp` over UDP.
* Policies in every application namespace:
    - `default-deny`: all pods, policyTypes [Ingress, Egress], no rules;
    - `allow-dns`: egress to kube-system pods `k8s-app=kube-dns` on 53/UDP and 53/TCP;
    - `allow-monitoring`: ingress from namespace `monitoring` AND pods `app=prometheus` (one peer)
      on the named port `metrics` to every pod with an `app` label (matchExpressions Exists);
    - per app and tier, one policy with the tier's ingress rule(s) and the matching egress rule(s)
      (ui -> api on http, api -> db on the database port, worker -> api on grpc, db <-> db gossip);
      the db ingress uses `tier In [api, worker]` and `version NotIn [canary]`;
    - cross-team integrations: each pair of apps in different namespaces integrates with a
      fixed probability (so their number grows with the square of the cluster size, as in real
      organisations); an integration is an ingress policy at the provider's api (peer:
      namespaceSelector by name or by team AND podSelector of the consumer app) and an egress
      policy at the consumer.
  policyTypes is always written, as [Ingress], [Egress] or [Ingress, Egress] in that order.
* Pod IPs are unique addresses in 10.0.0.0/14. ipBlock CIDRs (198.51.100.0/24, 203.0.113.0/24
  and their excepts) lie outside the pod CIDR on purpose: nca does not read pod IPs, so an ipBlock
  that matched pods would make the two tools disagree for a reason unrelated to either engine.
* Pods carry no ownerReferences: nca keeps at most two "isomorphic" pods per owner workload
  (TopologyObjectsFinder._add_peer), which would silently drop replicas from its analysis.

With the default seed: 347 policies at 1,000 pods (23 namespaces, 99 apps) and 2,032 at 5,000
pods (103 namespaces, 492 apps).
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SEED = 20261125
POD_CIDR = ipaddress.ip_network("10.0.0.0/14")
OFFICE_CIDR = {"cidr": "198.51.100.0/24", "except": ["198.51.100.128/25"]}
MEDIA_CIDR = {"cidr": "203.0.113.0/24", "except": ["203.0.113.0/28", "203.0.113.240/28"]}
INTEGRATION_PROBABILITY = 1 / 1100  # per ordered pair of apps in different namespaces

TEAMS = (
    "payments",
    "checkout",
    "catalog",
    "search",
    "identity",
    "billing",
    "shipping",
    "analytics",
    "notifications",
    "media",
    "reviews",
    "inventory",
    "pricing",
    "loyalty",
    "support",
    "fraud",
    "ads",
    "recommendations",
    "logistics",
    "messaging",
    "accounts",
    "compliance",
    "partners",
    "marketing",
    "storage",
    "streaming",
    "maps",
    "booking",
    "travel",
    "insurance",
)
AREAS = ("core", "web", "data", "jobs", "edge")
APP_NAMES = (
    "cart",
    "orders",
    "ledger",
    "invoices",
    "profile",
    "sessions",
    "tokens",
    "feed",
    "reports",
    "quotes",
    "refunds",
    "wallet",
    "coupons",
    "stock",
    "labels",
    "tracking",
    "alerts",
    "mailer",
    "gateway",
    "uploads",
    "thumbnails",
    "transcoder",
    "chat",
    "presence",
    "audit",
    "rules",
    "scoring",
    "ratings",
    "comments",
    "offers",
    "rates",
    "carriers",
    "routes",
    "slots",
    "seats",
    "claims",
    "policies",
    "partners",
    "catalogue",
    "index",
    "suggest",
    "geo",
    "tiles",
    "events",
)
# (kind, weight, tiers)
APP_KINDS = (
    ("web", 55, ("ui", "api", "db")),
    ("service", 25, ("api", "db")),
    ("pipeline", 12, ("worker", "api", "db")),
    ("media", 8, ("ui", "api")),
)
REPLICAS = {"ui": (2, 6), "api": (3, 8), "worker": (1, 4), "db": (1, 3)}
# database flavour -> (named ports, metrics port number)
DATABASES: dict[str, tuple[list[tuple[str, int, str]], int]] = {
    "postgres": ([("postgres", 5432, "TCP")], 9187),
    "redis": ([("redis", 6379, "TCP")], 9121),
    "cassandra": (
        [("cql", 9042, "TCP"), ("gossip", 7000, "TCP"), ("gossip-tls", 7001, "TCP")],
        9500,
    ),
}
HASH_CHARS = "bcdfghjklmnpqrstvwxz2456789"

Obj = dict[str, Any]


@dataclass
class App:
    """One application: its namespace, name, kind, tiers and database flavour."""

    namespace: str
    name: str
    kind: str
    tiers: tuple[str, ...]
    database: str
    pods: dict[str, list[str]] = field(default_factory=dict)  # tier -> pod names


def _labels(**labels: str) -> dict[str, str]:
    return dict(labels)


def _selector(
    match_labels: dict[str, str] | None = None, expressions: list[Obj] | None = None
) -> Obj:
    selector: Obj = {}
    if match_labels:
        selector["matchLabels"] = match_labels
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def _ns_by_name(name: str) -> Obj:
    return _selector({"kubernetes.io/metadata.name": name})


def _policy(
    namespace: str,
    name: str,
    pod_selector: Obj,
    ingress: list[Obj] | None,
    egress: list[Obj] | None,
) -> Obj:
    types = [t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules is not None]
    spec: Obj = {"podSelector": pod_selector, "policyTypes": types}
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _port(name_or_number: str | int, protocol: str = "TCP", end: int | None = None) -> Obj:
    port: Obj = {"protocol": protocol, "port": name_or_number}
    if end is not None:
        port["endPort"] = end
    return port


class ClusterBuilder:
    """Builds the three object lists; every random choice comes from one seeded generator."""

    def __init__(self, pods: int, seed: int) -> None:
        self.target = pods
        self.rng = random.Random(seed)
        self.namespaces: list[Obj] = []
        self.pods: list[Obj] = []
        self.policies: list[Obj] = []
        self.apps: list[App] = []
        self._ips = self._ip_allocator()

    def _ip_allocator(self) -> list[str]:
        size = POD_CIDR.num_addresses
        offsets = self.rng.sample(range(1, size - 1), self.target + 64)
        return [str(POD_CIDR.network_address + offset) for offset in offsets]

    def _hash(self, length: int) -> str:
        return "".join(self.rng.choice(HASH_CHARS) for _ in range(length))

    # -- objects ---------------------------------------------------------------------------
    def add_namespace(self, name: str, **labels: str) -> None:
        self.namespaces.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "labels": {"kubernetes.io/metadata.name": name, **labels},
                },
            }
        )

    def add_pod(
        self,
        namespace: str,
        name: str,
        labels: dict[str, str],
        ports: list[tuple[str, int, str]],
        image: str,
    ) -> None:
        container_ports = [
            {"name": pname, "containerPort": number, "protocol": proto}
            for pname, number, proto in ports
        ]
        self.pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, "labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": image.split(":")[0].rsplit("/", 1)[-1],
                            "image": image,
                            "ports": container_ports,
                        }
                    ]
                },
                "status": {"phase": "Running", "podIP": self._ips[len(self.pods)]},
            }
        )

    # -- infrastructure --------------------------------------------------------------------
    def add_infrastructure(self) -> None:
        self.add_namespace("kube-system")
        for i in range(2 + self.target // 2000):
            self.add_pod(
                "kube-system",
                f"coredns-5d78c9869d-{self._hash(5)}",
                _labels(**{"k8s-app": "kube-dns"}),
                [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")],
                f"registry.k8s.io/coredns/coredns:v1.11.{i % 2 + 1}",
            )
        self.add_namespace("monitoring", team="platform")
        for i in range(2):
            self.add_pod(
                "monitoring",
                f"prometheus-{i}",
                _labels(app="prometheus"),
                [("web", 9090, "TCP")],
                "quay.io/prometheus/prometheus:v2.53.0",
            )
        self.add_pod(
            "monitoring",
            f"grafana-6f4d9b8c7-{self._hash(5)}",
            _labels(app="grafana"),
            [("http", 3000, "TCP")],
            "grafana/grafana:11.1.0",
        )
        self.add_namespace("ingress-nginx", team="platform")
        for _ in range(2 + self.target // 1000):
            self.add_pod(
                "ingress-nginx",
                f"ingress-nginx-controller-7b9d6c5f4-{self._hash(5)}",
                _labels(**{"app.kubernetes.io/name": "ingress-nginx"}),
                [("http", 80, "TCP"), ("https", 443, "TCP"), ("metrics", 10254, "TCP")],
                "registry.k8s.io/ingress-nginx/controller:v1.11.1",
            )

    # -- applications ----------------------------------------------------------------------
    def _tier_ports(self, app: App, tier: str) -> list[tuple[str, int, str]]:
        if tier == "db":
            ports, metrics = DATABASES[app.database]
            return [*ports, ("metrics", metrics, "TCP")]
        if tier == "worker":
            return [("metrics", 9090, "TCP")]
        ports = [("http", 8080, "TCP"), ("metrics", 9090, "TCP")]
        if tier == "api":
            ports.insert(1, ("grpc", 9000, "TCP"))
            if app.kind == "media":
                ports += [("rtp", 10000, "UDP"), ("rtcp", 10001, "UDP")]
        return ports

    def _add_app_pods(self, app: App) -> None:
        for index, tier in enumerate(app.tiers):
            low, high = REPLICAS[tier]
            left = self.target - len(self.pods) - (len(app.tiers) - index - 1)
            count = max(1, min(self.rng.randint(low, high), left))
            template_hash = self._hash(10)
            names = []
            for i in range(count):
                version = "canary" if tier == "api" and i == count - 1 and count >= 5 else "v1"
                labels = _labels(app=app.name, tier=tier, version=version)
                if tier == "db":
                    name = f"{app.name}-db-{i}"
                    image = f"docker.io/library/{app.database}:16"
                else:
                    name = f"{app.name}-{tier}-{template_hash}-{self._hash(5)}"
                    labels["pod-template-hash"] = template_hash
                    image = f"registry.example.com/{app.namespace}/{app.name}-{tier}:1.{i % 3}.0"
                self.add_pod(app.namespace, name, labels, self._tier_ports(app, tier), image)
                names.append(name)
            app.pods[tier] = names

    def _choose_kind(self) -> tuple[str, tuple[str, ...]]:
        kinds = [(name, tiers) for name, _, tiers in APP_KINDS]
        weights = [weight for _, weight, _ in APP_KINDS]
        return self.rng.choices(kinds, weights)[0]

    def add_applications(self) -> None:
        combos = [f"{team}-{area}" for area in AREAS for team in TEAMS]
        ns_index = 0
        while len(self.pods) < self.target:
            namespace = combos[ns_index % len(combos)] + (
                "" if ns_index < len(combos) else f"-{ns_index // len(combos)}"
            )
            team = namespace.split("-")[0]
            self.add_namespace(
                namespace,
                team=team,
                environment=self.rng.choice(("production", "production", "staging")),
            )
            self.add_namespace_policies(namespace)
            names = self.rng.sample(APP_NAMES, self.rng.randint(3, 7))
            for name in names:
                if len(self.pods) >= self.target:
                    break
                kind, tiers = self._choose_kind()
                if self.target - len(self.pods) < len(tiers):
                    kind, tiers = "batch", ("worker",)  # the last few pods: a batch job
                app = App(
                    namespace,
                    name,
                    kind,
                    tiers,
                    self.rng.choice(("postgres", "postgres", "redis", "cassandra")),
                )
                self._add_app_pods(app)
                self.apps.append(app)
                self.add_app_policies(app)
            ns_index += 1

    # -- policies --------------------------------------------------------------------------
    def add_namespace_policies(self, namespace: str) -> None:
        self.policies.append(_policy(namespace, "default-deny", {}, [], []))
        self.policies.append(
            _policy(
                namespace,
                "allow-dns",
                {},
                None,
                [
                    {
                        "to": [
                            {
                                "namespaceSelector": _ns_by_name("kube-system"),
                                "podSelector": _selector({"k8s-app": "kube-dns"}),
                            }
                        ],
                        "ports": [_port(53, "UDP"), _port(53, "TCP")],
                    }
                ],
            )
        )
        self.policies.append(
            _policy(
                namespace,
                "allow-monitoring",
                _selector(expressions=[{"key": "app", "operator": "Exists"}]),
                [
                    {
                        "from": [
                            {
                                "namespaceSelector": _ns_by_name("monitoring"),
                                "podSelector": _selector({"app": "prometheus"}),
                            }
                        ],
                        "ports": [_port("metrics")],
                    }
                ],
                None,
            )
        )

    def _tier_peer(self, app: App, *tiers: str) -> Obj:
        if len(tiers) == 1:
            return {"podSelector": _selector({"app": app.name, "tier": tiers[0]})}
        return {
            "podSelector": _selector(
                {"app": app.name}, [{"key": "tier", "operator": "In", "values": list(tiers)}]
            )
        }

    def _tier_rules(self, app: App, tier: str) -> tuple[list[Obj], list[Obj]]:
        """The ingress and egress rules of one tier of an app."""
        has = set(app.tiers)
        db_ports = [_port(DATABASES[app.database][0][0][0])]
        ingress: list[Obj] = []
        egress: list[Obj] = []
        if tier == "ui":
            ingress.append(
                {
                    "from": [
                        {
                            "namespaceSelector": _ns_by_name("ingress-nginx"),
                            "podSelector": _selector({"app.kubernetes.io/name": "ingress-nginx"}),
                        }
                    ],
                    "ports": [_port("http")],
                }
            )
            if app.kind == "web" and self.rng.random() < 0.3:
                ingress.append({"from": [{"ipBlock": OFFICE_CIDR}], "ports": [_port(8080)]})
            egress.append({"to": [self._tier_peer(app, "api")], "ports": [_port("http")]})
        elif tier == "api":
            if "ui" in has:
                ingress.append({"from": [self._tier_peer(app, "ui")], "ports": [_port("http")]})
            if "worker" in has:
                ingress.append({"from": [self._tier_peer(app, "worker")], "ports": [_port("grpc")]})
            if app.kind == "media":
                ingress.append(
                    {"from": [{"ipBlock": MEDIA_CIDR}], "ports": [_port(10000, "UDP", 10100)]}
                )
            if "db" in has:
                egress.append({"to": [self._tier_peer(app, "db")], "ports": db_ports})
        elif tier == "worker" and "api" in has:
            egress.append({"to": [self._tier_peer(app, "api")], "ports": [_port(9000)]})
        elif tier == "db":
            peer = self._tier_peer(app, "api", "worker")
            peer["podSelector"]["matchExpressions"].append(
                {"key": "version", "operator": "NotIn", "values": ["canary"]}
            )
            ingress.append({"from": [peer], "ports": db_ports})
            if app.database == "cassandra":
                gossip = [_port(7000, "TCP", 7001)]
                ingress.append({"from": [self._tier_peer(app, "db")], "ports": gossip})
                egress.append({"to": [self._tier_peer(app, "db")], "ports": gossip})
        return ingress, egress

    def add_app_policies(self, app: App) -> None:
        """One policy per tier: the tier's ingress rule(s) and the matching egress rule(s)."""
        for tier in app.tiers:
            ingress, egress = self._tier_rules(app, tier)
            if not ingress and not egress:
                continue  # nothing beyond default-deny and allow-monitoring
            self.policies.append(
                _policy(
                    app.namespace,
                    f"{app.name}-{tier}",
                    _selector({"app": app.name, "tier": tier}),
                    ingress or None,
                    egress or None,
                )
            )

    def add_integrations(self) -> None:
        """Cross-namespace app -> api links, one ingress and one egress policy each."""
        for provider in self.apps:
            for consumer in self.apps:
                if (
                    consumer.namespace == provider.namespace
                    or self.rng.random() >= INTEGRATION_PROBABILITY
                ):
                    continue
                self._add_integration(provider, consumer)

    def _add_integration(self, provider: App, consumer: App) -> None:
        client_tiers = [t for t in ("api", "worker") if t in consumer.tiers]
        consumer_pods = _selector(
            {"app": consumer.name}, [{"key": "tier", "operator": "In", "values": client_tiers}]
        )
        if self.rng.random() < 0.5:
            ns_selector = _ns_by_name(consumer.namespace)
        else:  # the whole team, minus its staging namespaces
            team = consumer.namespace.split("-")[0]
            ns_selector = _selector(
                {"team": team}, [{"key": "environment", "operator": "NotIn", "values": ["staging"]}]
            )
        port = _port("grpc") if self.rng.random() < 0.7 else _port(8080)
        self.policies.append(
            _policy(
                provider.namespace,
                f"{provider.name}-api-from-{consumer.namespace}-{consumer.name}",
                _selector({"app": provider.name, "tier": "api"}),
                [
                    {
                        "from": [{"namespaceSelector": ns_selector, "podSelector": consumer_pods}],
                        "ports": [port],
                    }
                ],
                None,
            )
        )
        self.policies.append(
            _policy(
                consumer.namespace,
                f"{consumer.name}-to-{provider.namespace}-{provider.name}",
                consumer_pods,
                None,
                [
                    {
                        "to": [
                            {
                                "namespaceSelector": _ns_by_name(provider.namespace),
                                "podSelector": _selector({"app": provider.name, "tier": "api"}),
                            }
                        ],
                        "ports": [port],
                    }
                ],
            )
        )


def build(pods: int, seed: int = DEFAULT_SEED) -> ClusterBuilder:
    """Build a cluster with exactly `pods` pods (at least the infrastructure's)."""
    builder = ClusterBuilder(pods, seed)
    builder.add_infrastructure()
    builder.add_applications()
    builder.add_integrations()
    return builder


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumper that writes shared sub-objects in full instead of as YAML anchors/aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, items: list[Obj]) -> None:
    document = {"apiVersion": "v1", "kind": "List", "items": items}
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(document, stream, Dumper=_Dumper, sort_keys=False, default_flow_style=False)


def write(builder: ClusterBuilder, out: Path) -> dict[str, Path]:
    """Write namespaces.yaml, pods.yaml and policies.yaml into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "namespaces": out / "namespaces.yaml",
        "pods": out / "pods.yaml",
        "policies": out / "policies.yaml",
    }
    _dump(paths["namespaces"], builder.namespaces)
    _dump(paths["pods"], builder.pods)
    _dump(paths["policies"], builder.policies)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, required=True, help="number of pods (>= 20)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    if args.pods < 20:
        parser.error("--pods must be at least 20")
    builder = build(args.pods, args.seed)
    write(builder, args.out)
    print(
        f"{args.out}: {len(builder.namespaces)} namespaces, {len(builder.pods)} pods, "
        f"{len(builder.policies)} policies, {len(builder.apps)} apps"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
