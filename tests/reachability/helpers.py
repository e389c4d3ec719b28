"""Small builders of Kubernetes objects for the reachability unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podfence.reachability.context import ObjectContext

__all__ = ["CONTEXT", "FIXTURES", "namespace", "pod", "policy"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: A context for parsing pieces of a policy on their own.
CONTEXT = ObjectContext("NetworkPolicy", "shop/test", "policies.yaml")


def namespace(name: str, **labels: str) -> dict[str, Any]:
    """A Namespace object."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(
    key: str,
    ip: str | None = None,
    ports: list[dict[str, Any]] | None = None,
    **labels: str,
) -> dict[str, Any]:
    """A Pod object named ``namespace/name`` with one container declaring ``ports``."""
    ns, name = key.split("/")
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": "main", "ports": ports or []}]},
    }
    if ip is not None:
        obj["status"] = {"podIP": ip}
    return obj


def policy(key: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A NetworkPolicy object named ``namespace/name``."""
    ns, name = key.split("/")
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }
