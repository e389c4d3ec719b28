"""CrossGuard's arguments built from a mocked run, the way pulumi_policy's analyzer builds them.

The analyzer receives each resource's properties as a protobuf Struct (every number a double),
deserializes them and wraps them in proxies that raise ``UnknownValueError`` on a value unknown
during preview. :func:`wire` does the same to the inputs a mocked run recorded, so the policies
are tested on what they would be given, not on friendlier dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from podfence.offline.recorder import RecordedResource
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

Violation = tuple[str, str | None]


def wire(inputs: Mapping[str, Any]) -> Mapping[str, Any]:
    """``inputs`` through a Struct and back, proxied, as the analyzer hands them to a policy."""
    struct = struct_pb2.Struct()
    struct.update(dict(inputs))
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(struct)))


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_args(
    resource: RecordedResource, config: Mapping[str, Any] | None = None
) -> ResourceValidationArgs:
    """What a resource policy is given for ``resource`` (its inputs), with the policy's config."""
    return ResourceValidationArgs(
        resource.type,
        wire(resource.inputs),
        resource.urn,
        resource.name,
        _options(),
        None,
        wire(config or {}),
    )


def stack_args(
    resources: list[RecordedResource], config: Mapping[str, Any] | None = None
) -> StackValidationArgs:
    """What a stack policy is given: every resource (components too) and the policy's config."""
    return StackValidationArgs(
        [
            PolicyResource(r.type, wire(r.inputs), r.urn, r.name, _options(), None, None, [], {})
            for r in resources
        ],
        wire(config or {}),
    )


def violations(
    policy: Policy, resources: list[RecordedResource], config: Mapping[str, Any] | None = None
) -> list[Violation]:
    """Every violation ``policy`` reports on ``resources``: (message, URN or None) pairs.

    A resource policy is called once per resource, a stack policy once, as the analyzer does.
    """
    found: list[Violation] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append((message, urn))

    if isinstance(policy, ResourceValidationPolicy):
        for resource in resources:
            result = policy.validate(resource_args(resource, config), report)
            assert result is None
    else:
        assert isinstance(policy, StackValidationPolicy)
        assert policy.validate(stack_args(resources, config), report) is None
    return found


@contextmanager
def stack(project: str, name: str) -> Iterator[None]:
    """Pulumi's runtime settings as pulumi_policy sets them from PULUMI_PROJECT and
    PULUMI_STACK while a policy runs; reset afterwards."""
    pulumi.runtime.reset_options(project=project, stack=name, preview=True)
    try:
        yield
    finally:
        pulumi.runtime.reset_options()


def program(build: Callable[[], object]) -> list[RecordedResource]:
    """The resources ``build`` registers with plain pulumi_kubernetes, run under mocks."""
    from podfence.testing import capture

    with capture() as captured:
        build()
    return captured.resources


def network_policy(namespace: str, name: str, spec: Mapping[str, Any]) -> Any:
    """A plain pulumi_kubernetes NetworkPolicy (``spec`` in wire form, camelCase)."""
    import pulumi_kubernetes as k8s

    return k8s.networking.v1.NetworkPolicy(
        f"{namespace}-{name}", metadata={"name": name, "namespace": namespace}, spec=dict(spec)
    )


def deployment(
    namespace: str, name: str, labels: Mapping[str, str], ports: list[dict[str, Any]] | None = None
) -> Any:
    """A plain pulumi_kubernetes Deployment whose pods carry ``labels`` and declare ``ports``."""
    import pulumi_kubernetes as k8s

    container: dict[str, Any] = {"name": name, "image": "registry.invalid/app"}
    if ports:
        container["ports"] = ports
    return k8s.apps.v1.Deployment(
        f"{namespace}-{name}",
        metadata={"name": name, "namespace": namespace},
        spec={
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container]}},
        },
    )


def cluster_policy(kind: str, name: str, spec: Mapping[str, Any]) -> Any:
    """A cluster-wide policy as a pulumi_kubernetes CustomResource (what ClusterBaseline makes):
    an AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1), or a ClusterNetworkPolicy
    (v1alpha2)."""
    import pulumi_kubernetes as k8s

    version = "v1alpha2" if kind == "ClusterNetworkPolicy" else "v1alpha1"
    return k8s.apiextensions.CustomResource(
        f"{kind}-{name}",
        api_version=f"policy.networking.k8s.io/{version}",
        kind=kind,
        metadata={"name": name},
        spec=dict(spec),
    )
