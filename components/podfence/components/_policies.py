"""The one way podfence components turn manifests into NetworkPolicy children."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from podfence.manifests.wire import Manifest, check_unique

__all__ = ["PolicyComponent"]


class PolicyComponent(pulumi.ComponentResource):
    """A component whose children are the NetworkPolicies in ``manifests``.

    Children are named ``<component name>-<namespace>-<policy name>`` (unique when a component
    type is used twice) and parented to the component, so a provider or ``protect`` given to it
    reaches them. Policy names are written explicitly (``metadata.name``): a changed name would
    replace the policy, delete first, and leave a gap, so keep names stable.

    Attributes:
        policies: ``"namespace/name"`` -> the NetworkPolicy resource, in creation order.
        policy_names: the same keys, as an output.
    """

    policies: dict[str, k8s.networking.v1.NetworkPolicy]
    policy_names: pulumi.Output[list[str]]

    def __init__(
        self,
        token: str,
        name: str,
        manifests: Sequence[Manifest],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        check_unique(manifests, f"{token.rsplit(':', 1)[-1]} {name}")
        super().__init__(token, name, None, opts)
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
