"""The shop's firewall, proved offline with podfence.testing: the dev stack under Pulumi's mocks.

Pods come from the inventory podfence.testing derives from the policies: each is named after its
first label's value in sorted key order, so ``{app: payments}`` in namespace payments is
``payments/payments`` and Prometheus is ``monitoring/prometheus``. Addresses are outside the
cluster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from podfence.testing import assert_allowed, assert_denied, run_program

SHOP = Path(__file__).resolve().parents[1]
METRICS = 9090


@pytest.fixture(scope="module")
def policies() -> list[dict[str, Any]]:
    return run_program(SHOP, stack="dev").policies


def test_the_firewall_is_the_policies_the_design_names(policies: list[dict[str, Any]]) -> None:
    names = [f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in policies]
    assert names == [
        "cart/allow-cart-to-payments-egress",
        "cart/allow-dns-egress",
        "cart/allow-prometheus",
        "cart/allow-web-to-cart",
        "cart/deny-all",
        "payments/allow-cart-to-payments",
        "payments/allow-dns-egress",
        "payments/allow-payment-provider",
        "payments/allow-prometheus",
        "payments/deny-all",
        "web/allow-dns-egress",
        "web/allow-ingress-controller",
        "web/allow-prometheus",
        "web/allow-web-to-cart-egress",
        "web/deny-all",
    ]


def test_payments_is_reachable_from_cart_only(policies: list[dict[str, Any]]) -> None:
    assert_allowed(policies, "cart/cart", "payments/payments", 8443)
    assert_denied(policies, "web/web", "payments/payments", 8443)
    assert_denied(policies, "ingress-nginx/ingress-nginx", "payments/payments", 8443)
    assert_denied(policies, "cart/cart", "payments/payments", 8080)


def test_the_shop_flows_down_the_tiers(policies: list[dict[str, Any]]) -> None:
    assert_allowed(policies, "ingress-nginx/ingress-nginx", "web/web", 8080)
    assert_allowed(policies, "web/web", "cart/cart", 8080)
    assert_denied(policies, "cart/cart", "web/web", 8080)


def test_payments_leaves_the_cluster_only_for_the_provider(
    policies: list[dict[str, Any]],
) -> None:
    assert_allowed(policies, "payments/payments", "203.0.113.10", 443)
    assert_denied(policies, "payments/payments", "8.8.8.8", 443)
    assert_denied(policies, "payments/payments", "203.0.113.10", 80)
    # podfence keeps DNS open under egress denial: kube-dns only.
    assert_allowed(policies, "payments/payments", "kube-system/kube-dns", 53, "UDP")
    assert_denied(policies, "payments/payments", "8.8.8.8", 53, "UDP")


def test_monitoring_scrapes_every_service(policies: list[dict[str, Any]]) -> None:
    serving = {"web/web": 8080, "cart/cart": 8080, "payments/payments": 8443}
    for service, port in serving.items():
        assert_allowed(policies, "monitoring/prometheus", service, METRICS)
        # the metrics port only, not the service's own
        assert_denied(policies, "monitoring/prometheus", service, port)


def test_web_egress_is_denied_outside_its_flows(policies: list[dict[str, Any]]) -> None:
    # defaultDeny.egress covers web too: it reaches cart and DNS, not the internet.
    assert_denied(policies, "web/web", "93.184.216.34", 80)
    assert_allowed(policies, "web/web", "kube-system/kube-dns", 53, "UDP")
