"""The blog's guestbook firewall as a firewall config dict: three tiers, two flows."""

from __future__ import annotations

from typing import Any

GUESTBOOK: dict[str, Any] = {
    "namespace": "guestbook",
    "tiers": {
        "ui": {"podLabels": {"app": "guestbook-ui", "tier": "frontend"}, "ports": [80]},
        "api": {"podLabels": {"app": "guestbook-api", "tier": "backend"}, "ports": [8080]},
        "db": {"podLabels": {"app": "guestbook-db", "tier": "db"}, "ports": [6379]},
    },
    "flows": [{"from": "ui", "to": "api"}, {"from": "api", "to": "db"}],
}
