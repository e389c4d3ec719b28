"""DefaultDeny: deny-all NetworkPolicies for one or more namespaces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from podfence.components._policies import PolicyComponent
from podfence.manifests.default_deny import default_deny_policies
from podfence.spec.default_deny import DefaultDenySpec

__all__ = ["DefaultDeny"]


class DefaultDeny(PolicyComponent):
    """Isolate every pod of the given namespaces: nothing gets in (and, on request, out) unless
    another policy allows it.

    Semantics: ``deny-all`` selects every pod (``podSelector: {}``) and lists the denied
    directions in policyTypes with no rules. Policies are additive, so every other allow policy
    still applies. Denying egress also blocks DNS, so unless ``allow_dns`` is turned off the
    component adds ``allow-dns-egress`` to kube-system/k8s-app=kube-dns on 53 UDP and TCP.

    Args:
        name: the component's name; children are named ``<name>-<namespace>-<policy>``.
        args: a :class:`DefaultDenySpec`, or a dict validated into one (snake_case or camelCase).
        opts: resource options; a provider given here reaches every policy.

    Raises:
        SpecError: the args are invalid (one line naming the field); nothing is registered.
    """

    spec: DefaultDenySpec

    def __init__(
        self,
        name: str,
        args: DefaultDenySpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        spec = DefaultDenySpec.parse(args, root=name)
        super().__init__("podfence:index:DefaultDeny", name, default_deny_policies(spec), opts)
        self.spec = spec
