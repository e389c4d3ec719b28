"""The shop's firewall: web, cart and payments, each in its own namespace.

* nothing gets in or out of the three namespaces unless allowed below (ingress AND egress denied;
  DNS to kube-dns stays open);
* the ingress controller reaches web; web reaches cart; cart reaches payments (8443/TCP) and
  nothing else does;
* payments may leave the cluster only to the payment provider's range, on its one port;
* Prometheus in the monitoring namespace scrapes all three on the metrics port.

Everything is one podfence ``Firewall``: its namespace allow (monitoring) and IP-block allow (the
payment provider, egress) are created before any ``deny-all``, so a rollout never cuts them.
"""

import pulumi
from podfence import PodfenceError
from podfence.components import Firewall
from podfence.spec import (
    Direction,
    IpBlock,
    IpBlockAllowSpec,
    LabelSelector,
    NamespaceAllowSpec,
    Port,
)

config = pulumi.Config()
provider = config.require_object("paymentProvider")  # {cidr: ..., port: ...}

try:
    metrics = Port.tcp(config.require_int("metricsPort"))
    firewall = Firewall(
        "shop",
        {
            "namespace": "web",
            # deny-all in web, cart and payments (the firewall's and every tier's namespace)
            "defaultDeny": {"ingress": True, "egress": True},
            "tiers": {
                "web": {"podLabels": {"app": "web"}, "ports": [Port.tcp(8080)]},
                "cart": {
                    "podLabels": {"app": "cart"},
                    "namespace": "cart",
                    "ports": [Port.tcp(8080)],
                },
                "payments": {
                    "podLabels": {"app": "payments"},
                    "namespace": "payments",
                    "ports": [Port.tcp(8443)],
                },
            },
            # each flow: ingress on the destination, and its egress twin on the source
            "flows": [{"from": "web", "to": "cart"}, {"from": "cart", "to": "payments"}],
            "ingressController": {
                "tier": "web",
                "namespace": "ingress-nginx",
                "podSelector": LabelSelector.of({"app.kubernetes.io/name": "ingress-nginx"}),
            },
            "namespaceAllows": [
                NamespaceAllowSpec(
                    name="allow-prometheus",
                    namespaces=("web", "cart", "payments"),
                    from_namespace_names=("monitoring",),
                    from_pod_selector=LabelSelector.of(app="prometheus"),
                    ports=(metrics,),
                )
            ],
            "ipBlockAllows": [
                IpBlockAllowSpec(
                    name="allow-payment-provider",
                    namespaces=("payments",),
                    direction=Direction.EGRESS,
                    pod_selector=LabelSelector.of(app="payments"),
                    ip_blocks=(IpBlock.ipv4(provider["cidr"]),),
                    ports=(Port.tcp(provider["port"]),),
                )
            ],
        },
    )
except PodfenceError as error:
    # RunError ends the program with this one line instead of a traceback.
    raise pulumi.RunError(str(error)) from error

pulumi.export("policies", firewall.policy_names)
