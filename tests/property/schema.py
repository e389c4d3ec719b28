"""The suite's schema check (tests/k8s_schema.py), with the schema read once instead of per call.

``kubernetes_validate.validate`` reads and parses the JSON schema files on every call (about
13 ms for a NetworkPolicy), too slow for hundreds of random configs. This builds the same
validator (same Kubernetes version, strict: no unknown fields) once per kind and reuses it; a
manifest it refuses is handed to :func:`k8s_schema.assert_valid_manifest`, which fails the test
with the suite's message.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import pytest
from k8s_schema import KUBERNETES_VERSION, assert_valid_manifest
from kubernetes_validate.utils import all_versions, major_minor, schema_contents
from referencing import Registry, Resource

__all__ = ["assert_schema_valid"]


@functools.cache
def _validator(kind: str, api_version: str) -> Any:
    """The strict validator ``kubernetes_validate.validate`` builds for ``kind``/``api_version``."""
    version = [v for v in all_versions() if major_minor(v) <= major_minor(KUBERNETES_VERSION)][-1]
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    schema = schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION)
    definitions = schema_contents(f"{folder}/_definitions.json", KUBERNETES_VERSION)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def assert_schema_valid(manifest: dict[str, Any]) -> None:
    """Fail unless ``manifest`` is valid for Kubernetes ``KUBERNETES_VERSION`` (strict)."""
    if _validator(manifest["kind"], manifest["apiVersion"]).is_valid(manifest):
        return
    assert_valid_manifest(manifest)  # fails with the field and the reason
    pytest.fail(f"the cached validator refuses what kubernetes-validate accepts: {manifest}")
