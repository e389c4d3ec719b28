"""The one way podfence components turn a spec into NetworkPolicy children."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from podfence.manifests.wire import Manifest, check_unique
from podfence.spec.base import Spec

__all__ = ["PolicyComponent"]

SpecT = TypeVar("SpecT", bound=Spec)


class PolicyComponent(pulumi.ComponentResource, Generic[SpecT]):
    """A component whose children are the NetworkPolicies its spec builds.

    A subclass names its spec type and its pure manifest builder; this class validates the args
    (a spec, or a dict with camelCase or snake_case keys, as cross-language hosting passes them)
    before anything is registered, so bad args leave nothing half-built.

    Children are named ``<component name>-<namespace>-<policy name>`` (unique when a component
    type is used twice) and parented to the component, so a provider or ``protect`` given to it
    reaches them. Policy names are written explicitly (``metadata.name``): a changed name would
    replace the policy, delete first, and leave a gap, so keep names stable.

    Args:
        name: the component's name.
        args: the spec, or a dict validated into it.
        opts: resource options for the component; omitted, none.

    Raises:
        SpecError: the args are invalid (one line naming the field); nothing is registered.

    Attributes:
        spec: the validated spec.
        policies: ``"namespace/name"`` -> the NetworkPolicy resource, in creation order.
        policy_names: the same keys, as an output.
    """

    #: The spec the args are validated into.
    spec_type: ClassVar[type[Spec]]

    @staticmethod
    def build(spec: Any) -> list[Manifest]:
        """The pure builder from spec to manifests (each subclass names its own)."""
        raise NotImplementedError

    spec: SpecT
    policies: dict[str, k8s.networking.v1.NetworkPolicy]
    policy_names: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: SpecT | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        kind = type(self).__name__
        spec: SpecT = self.spec_type.parse(args, root=name)  # type: ignore[assignment]
        manifests = type(self).build(spec)
        check_unique(manifests, f"{kind} {name}")
        super().__init__(f"podfence:index:{kind}", name, None, opts)
        self.spec = spec
        child_opts = pulumi.ResourceOptions(parent=self)
        self.policies = {}
        for manifest in manifests:
            metadata = manifest["metadata"]
            key = f"{metadata['namespace']}/{metadata['name']}"
            self.policies[key] = k8s.networking.v1.NetworkPolicy(
                f"{name}-{metadata['namespace']}-{metadata['name']}",
                metadata=metadata,
                spec=manifest["spec"],
                opts=child_opts,
            )
        self.policy_names = pulumi.Output.from_input(list(self.policies))
        self.register_outputs({"policyNames": self.policy_names})
