"""The one way podfence components turn a spec into NetworkPolicy children."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from podfence.components.inputs import Deferred
from podfence.components.registry import claim
from podfence.manifests.wire import Manifest, check_unique, is_deny, policy_key
from podfence.spec.base import Spec

__all__ = ["PolicyComponent", "create_policies", "depends_on_of"]

SpecT = TypeVar("SpecT", bound=Spec)


class PolicyComponent(pulumi.ComponentResource, Generic[SpecT]):
    """A component whose children are the NetworkPolicies its spec builds.

    A subclass names its spec type and its pure manifest builder; this class validates the args
    (a spec, or a dict with camelCase or snake_case keys, as cross-language hosting passes them)
    before anything is registered, so bad args leave nothing half-built.

    Children are named ``<component name>-<namespace>-<policy name>`` (unique when a component
    type is used twice) and parented to the component, so a provider, ``protect`` or ``aliases``
    given to it reach them. Policy names are written explicitly (``metadata.name``). A changed
    spec is patched in place; a changed name or namespace replaces the policy, and the provider
    creates the new object before it deletes the old one, so a rename leaves no gap.

    Rollout order: the children depend on whatever the component ``depends_on`` (in a
    :class:`~podfence.components.firewall.Firewall`, the namespaces, and for its DefaultDeny
    every allow), and a policy that only isolates (``deny-all``) also depends on every allow
    policy of the component, so on ``pulumi up`` no deny lands before the allows it would cut
    (``pulumi destroy`` removes in the reverse order: the deny first).

    Every ``namespace/name`` is claimed for the whole program before anything is registered: a
    policy another component already makes is one error naming both components.

    Names and label values may be ``pulumi.Output`` values (another resource's output, such as
    a created Namespace's name): everything known is validated before anything is registered,
    the rest when the outputs resolve (see :class:`~podfence.components.inputs.Deferred`).

    Args:
        name: the component's name.
        args: the spec, or a dict validated into it.
        opts: resource options for the component; omitted, none.

    Raises:
        SpecError: the args are invalid (one line naming the field), or a policy is already
            made elsewhere in the program; nothing is registered.

    Attributes:
        spec: the validated spec.
        policies: ``"namespace/name"`` -> the NetworkPolicy resource, allows first.
        policy_names: the same keys, as an output that resolves once every child is created.
    """

    #: The spec the args are validated into (each subclass names its own).
    _spec_type: ClassVar[type[Spec]]

    @staticmethod
    def build(spec: Any) -> list[Manifest]:
        """The pure builder from spec to manifests (each subclass names its own)."""
        raise NotImplementedError

    # Only outputs are annotated publicly: Pulumi's component provider host reads every public
    # annotation of a hosted component as an output (see podfence.provider).
    _spec: SpecT
    _policies: dict[str, k8s.networking.v1.NetworkPolicy]
    policy_names: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: SpecT | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        kind = type(self).__name__
        deferred: Deferred[Any] = Deferred(args, self._spec_type, name)
        spec: SpecT = deferred.parse()
        manifests = type(self).build(spec)
        check_unique(manifests, f"{kind} {name}")
        claim((k for k in map(policy_key, manifests) if deferred.known(k)), f"{kind} {name}")
        super().__init__(f"podfence:index:{kind}", name, None, opts)
        self._spec = spec
        self._policies = create_policies(self, name, manifests, opts, deferred.restore)
        deferred.check_later()
        self.policy_names = pulumi.Output.all(*(p.id for p in self._policies.values())).apply(
            lambda _: list(self._policies)
        )
        self.register_outputs({"policyNames": self.policy_names})

    @property
    def spec(self) -> SpecT:
        """The validated spec."""
        return self._spec

    @property
    def policies(self) -> dict[str, k8s.networking.v1.NetworkPolicy]:
        """``"namespace/name"`` -> the NetworkPolicy resource, allows first."""
        return self._policies


def create_policies(
    parent: pulumi.Resource,
    name: str,
    manifests: list[Manifest],
    opts: pulumi.ResourceOptions | None = None,
    restore: Callable[[Any], Any] = lambda value: value,
) -> dict[str, k8s.networking.v1.NetworkPolicy]:
    """The NetworkPolicy children of ``parent``: allows first, then the policies that only
    isolate, each of those depending on every allow (and everything on ``opts.depends_on``).

    Args:
        parent: the component.
        name: its name, the prefix of the children's names.
        manifests: the policies.
        opts: the component's options; their ``depends_on`` is passed to every child.
        restore: turns a manifest's placeholders back into the outputs they stand for (see
            :class:`~podfence.components.inputs.Deferred`); by default nothing to turn.
    """
    after = list(depends_on_of(opts))
    policies: dict[str, k8s.networking.v1.NetworkPolicy] = {}
    allows = [m for m in manifests if not is_deny(m)]
    denies = [m for m in manifests if is_deny(m)]
    for manifest in allows:
        policies[policy_key(manifest)] = _policy(parent, name, manifest, after, restore)
    created = list(policies.values())
    for manifest in denies:
        policies[policy_key(manifest)] = _policy(
            parent, name, manifest, [*after, *created], restore
        )
    return policies


def depends_on_of(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    """The resources ``opts.depends_on`` names, as a list (none when omitted).

    A component's ``depends_on`` does not reach its children by itself: each podfence
    component passes it on, so its policies wait for what the component waits for.
    """
    found = opts.depends_on if opts is not None else None
    if found is None:
        return []
    return list(found) if isinstance(found, list | tuple) else [found]  # type: ignore[list-item]


def _policy(
    parent: pulumi.Resource,
    name: str,
    manifest: Manifest,
    after: list[pulumi.Resource],
    restore: Callable[[Any], Any],
) -> k8s.networking.v1.NetworkPolicy:
    metadata = manifest["metadata"]
    return k8s.networking.v1.NetworkPolicy(
        f"{name}-{metadata['namespace']}-{metadata['name']}",
        metadata=restore(metadata),
        spec=restore(manifest["spec"]),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after or None),
    )
