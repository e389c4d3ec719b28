"""Firewall: one application's whole firewall, rolled out without ever cutting a declared flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from podfence.components._policies import create_policies, depends_on_of
from podfence.components.inputs import Deferred
from podfence.components.registry import claim
from podfence.config import FirewallConfig
from podfence.manifests.wire import MANAGED_BY_LABELS, Manifest, policy_key

__all__ = ["Firewall"]


class Firewall(pulumi.ComponentResource):
    """Deny by default, then exactly the declared flows, namespaces and address ranges.

    The one composition of podfence's policies (the same :meth:`FirewallConfig.manifests` that
    ``podfence render``, ``matrix``, ``check`` and ``diff`` evaluate): every default is settled
    when the spec is built (tier namespaces, which namespaces deny which direction, and so which
    flows get an egress twin), with no flag to keep in step between components.

    Rollout order: every allow policy is created before any policy that only isolates
    (``deny-all``); each deny ``depends_on`` every allow, which also orders updates (switching
    egress denial on patches deny-all only after the egress allows exist). ``pulumi destroy``
    deletes in the reverse order: deny-all first, so nothing declared is cut while it runs.

    Namespaces: the policies of a namespace depend on it. By default the namespaces are read
    (``Namespace.get``), so a missing one fails ``pulumi preview`` naming it, not only
    ``pulumi up``; with ``createNamespaces: true`` the firewall creates them instead. What the
    firewall ``depends_on`` (``opts``), its namespaces and policies wait for too.

    Names and label values may be ``pulumi.Output`` values, e.g. a created Namespace's name:
    everything known is validated before anything is registered, the rest once they resolve.

    Children are named ``<name>-<namespace>-<policy>`` and parented to the firewall. A changed
    spec is patched in place; a renamed policy is created before the old one is deleted (no
    gap). Every namespace/name is claimed for the whole program first: a policy that another
    component (or another Firewall) makes too is one error naming both.

    Args:
        name: the component's name.
        args: a :class:`~podfence.config.FirewallConfig`, or the stack's ``firewall`` object as
            a dict (camelCase or snake_case keys).
        opts: resource options (a provider given here reaches every child).

    Raises:
        SpecError: invalid args (one line naming the field), or a policy made elsewhere in the
            program too; nothing is registered.

    Attributes:
        spec: the validated firewall.
        namespaces: namespace name -> the Namespace resource (read, or created).
        policies: ``namespace/name`` -> NetworkPolicy, allows first.
        policy_names: the same keys, an output that resolves once every policy is created.
    """

    # Only outputs are annotated publicly: Pulumi's component provider host reads every public
    # annotation of a hosted component as an output (see podfence.provider).
    _spec: FirewallConfig
    _namespaces: dict[str, k8s.core.v1.Namespace]
    _policies: dict[str, k8s.networking.v1.NetworkPolicy]
    policy_names: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: FirewallConfig | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        deferred = Deferred(args, FirewallConfig, name)
        spec = deferred.parse()
        manifests = spec.manifests()
        claim((k for k in map(policy_key, manifests) if deferred.known(k)), f"Firewall {name}")
        super().__init__("podfence:index:Firewall", name, None, opts)
        self._spec = spec
        given = depends_on_of(opts)
        self._namespaces = {
            namespace: self._namespace(
                f"{name}-{namespace}", deferred.restore(namespace), spec.create_namespaces, given
            )
            for namespace in dict.fromkeys(m["metadata"]["namespace"] for m in manifests)
        }
        self._policies = {}
        by_namespace: dict[str, list[Manifest]] = {}
        for manifest in manifests:
            by_namespace.setdefault(manifest["metadata"]["namespace"], []).append(manifest)
        for namespace, found in by_namespace.items():
            after = pulumi.ResourceOptions(depends_on=[self._namespaces[namespace], *given])
            self._policies.update(create_policies(self, name, found, after, deferred.restore))
        self.policy_names = pulumi.Output.all(*(p.id for p in self._policies.values())).apply(
            lambda _: list(self._policies)
        )
        deferred.check_later()
        self.register_outputs({"policyNames": self.policy_names})

    @property
    def spec(self) -> FirewallConfig:
        """The validated firewall."""
        return self._spec

    @property
    def namespaces(self) -> dict[str, k8s.core.v1.Namespace]:
        """Namespace name -> the Namespace resource (read, or created)."""
        return self._namespaces

    @property
    def policies(self) -> dict[str, k8s.networking.v1.NetworkPolicy]:
        """``namespace/name`` -> NetworkPolicy, allows first."""
        return self._policies

    def _namespace(
        self,
        child: str,
        namespace: pulumi.Input[str],
        create: bool,
        after: list[pulumi.Resource],
    ) -> k8s.core.v1.Namespace:
        """The namespace ``namespace``, read (or created) after ``after``, as the child
        ``child``."""
        opts = pulumi.ResourceOptions(parent=self, depends_on=after or None)
        if create:
            metadata = k8s.meta.v1.ObjectMetaArgs(name=namespace, labels=dict(MANAGED_BY_LABELS))
            return k8s.core.v1.Namespace(child, metadata=metadata, opts=opts)
        return k8s.core.v1.Namespace.get(child, namespace, opts=opts)
