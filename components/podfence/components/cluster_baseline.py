"""ClusterBaseline: the cluster's Baseline tier, a default deny that NetworkPolicies override."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from podfence.components._policies import depends_on_of
from podfence.components.inputs import Deferred
from podfence.components.registry import claim
from podfence.errors import SpecError
from podfence.manifests.cluster_baseline import cluster_baseline_policy
from podfence.manifests.wire import Manifest
from podfence.spec.cluster_baseline import ClusterBaselineSpec

__all__ = ["ClusterBaseline"]


class ClusterBaseline(pulumi.ComponentResource):
    """Deny what no NetworkPolicy allows, in every namespace but the system ones, as the
    cluster's Baseline tier: a BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1),
    or a Baseline-tier ClusterNetworkPolicy (v1alpha2 or v1beta1).

    Semantics: the Baseline tier decides a direction only for pods no NetworkPolicy isolates in
    that direction. A namespace without NetworkPolicies is closed (ingress from every pod; on
    request egress to every pod, node and address, DNS kept open first), and an application
    team opens it by writing NetworkPolicies, which then decide alone for the pods they select.
    AdminNetworkPolicies (the Admin tier) come before both. Ingress from outside the cluster
    cannot be denied here: a v1alpha1 ingress peer is a pod, never an address. The cluster must
    serve the CRD (a network plugin that implements it: OVN-Kubernetes, Calico, Antrea,
    kube-network-policies), or the object is accepted and does nothing.

    Construct with ``(name, args, opts=None)``: ``args`` is a :class:`ClusterBaselineSpec` or a
    dict validated into one (camelCase or snake_case keys), before anything is registered. The
    child is a ``kubernetes.apiextensions.CustomResource`` named ``<name>-<policy name>`` and
    parented to the component. A cluster has one BaselineAdminNetworkPolicy: a second
    ClusterBaseline with v1alpha1 in one program is an error naming both.

    Label values, the DNS namespace and the excluded namespaces may be ``pulumi.Output``
    values (another resource's output): everything known is validated before anything is
    registered, the rest when the outputs resolve (see
    :class:`~podfence.components.inputs.Deferred`). The policy's ``name`` may not: it is the
    object's identity and names the child resource.

    Args:
        name: the component's name.
        args: the spec, or a dict validated into it.
        opts: resource options for the component; omitted, none.

    Raises:
        SpecError: invalid args (one line naming the field), an output as ``name``, or the
            policy is already made by another component of the program; nothing is registered.

    Attributes:
        spec: the validated spec.
        manifest: the object sent to Kubernetes, in wire form.
        policy: the CustomResource.
        policy_name: the policy's name, once it is created.
    """

    # Only outputs are annotated publicly: Pulumi's component provider host reads every public
    # annotation of a hosted component as an output (see podfence.provider).
    _spec: ClusterBaselineSpec
    _manifest: Manifest
    _policy: k8s.apiextensions.CustomResource
    policy_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: ClusterBaselineSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        deferred = Deferred(args, ClusterBaselineSpec, name)
        spec = deferred.parse()
        if not deferred.known(spec.policy_name):
            raise SpecError(
                f"{name}.name: a pulumi Output is not accepted here: the policy's name is its "
                "identity and names the child resource; give it literally"
            )
        manifest = cluster_baseline_policy(spec)
        kind = manifest["kind"]
        claim([spec.policy_name], f"ClusterBaseline {name}", kind=kind)
        super().__init__("podfence:index:ClusterBaseline", name, None, opts)
        self._spec = spec
        self._manifest = manifest
        self._policy = k8s.apiextensions.CustomResource(
            f"{name}-{spec.policy_name}",
            api_version=manifest["apiVersion"],
            kind=kind,
            metadata=deferred.restore(manifest["metadata"]),
            spec=deferred.restore(manifest["spec"]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on_of(opts) or None),
        )
        deferred.check_later()
        policy_name = spec.policy_name
        self.policy_name = self._policy.id.apply(lambda _: policy_name)
        self.register_outputs({"policyName": self.policy_name})

    @property
    def spec(self) -> ClusterBaselineSpec:
        """The validated spec."""
        return self._spec

    @property
    def manifest(self) -> Manifest:
        """The object sent to Kubernetes, in wire form (with placeholders where outputs go)."""
        return self._manifest

    @property
    def policy(self) -> k8s.apiextensions.CustomResource:
        """The CustomResource."""
        return self._policy
