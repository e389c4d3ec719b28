"""NamespaceAllow: ingress into pods from namespaces chosen by labels or names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from podfence.components._policies import PolicyComponent
from podfence.manifests.namespace_allow import namespace_allow_policies
from podfence.spec.namespace_allow import NamespaceAllowSpec

__all__ = ["NamespaceAllow"]


class NamespaceAllow(PolicyComponent):
    """Admit pods of other namespaces (all of them, or only some) into pods of these namespaces.

    Semantics: one ingress policy per namespace with one peer; namespaces by name select through
    ``kubernetes.io/metadata.name``; ``from_pod_selector`` is ANDed with the namespaces in the
    same peer. Typical uses: the monitoring namespace into every pod, the ingress controller
    into the UI.

    Args:
        name: the component's name; children are named ``<name>-<namespace>-<policy>``.
        args: a :class:`NamespaceAllowSpec`, or a dict validated into one.
        opts: resource options; a provider given here reaches every policy.

    Raises:
        SpecError: the args are invalid; nothing is registered.
    """

    spec: NamespaceAllowSpec

    def __init__(
        self,
        name: str,
        args: NamespaceAllowSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        spec = NamespaceAllowSpec.parse(args, root=name)
        super().__init__(
            "podfence:index:NamespaceAllow", name, namespace_allow_policies(spec), opts
        )
        self.spec = spec
