"""Validate manifests against the Kubernetes OpenAPI schema that kubernetes-validate ships."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from kubernetes_validate.utils import latest_version

__all__ = ["KUBERNETES_VERSION", "assert_valid_manifest"]

#: The newest Kubernetes version whose schemas the installed kubernetes-validate ships.
KUBERNETES_VERSION: str = latest_version()


def _where(manifest: dict[str, Any]) -> str:
    metadata = manifest.get("metadata") or {}
    kind = manifest.get("kind", "?")
    return f"{kind} {metadata.get('namespace', '?')}/{metadata.get('name', '?')}"


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def assert_valid_manifest(manifest: dict[str, Any]) -> None:
    """Fail the test, naming the object and the offending field, unless ``manifest`` is a valid
    object of its kind in Kubernetes ``KUBERNETES_VERSION`` (strict: no unknown fields)."""
    try:
        kubernetes_validate.validate(manifest, desired_version=KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(
            f"{_where(manifest)} is not a valid object for Kubernetes {KUBERNETES_VERSION}: "
            f"{_path(error.absolute_path)}: {error.message}",
            pytrace=False,
        )
    except (
        kubernetes_validate.SchemaNotFoundError,
        kubernetes_validate.InvalidSchemaError,
    ) as error:
        pytest.fail(f"{_where(manifest)}: no usable schema: {error}", pytrace=False)
