"""NamespaceAllow: ingress into pods from namespaces chosen by labels or names."""

from __future__ import annotations

from podfence.components._policies import PolicyComponent
from podfence.manifests.namespace_allow import namespace_allow_policies
from podfence.spec.namespace_allow import NamespaceAllowSpec

__all__ = ["NamespaceAllow"]


class NamespaceAllow(PolicyComponent[NamespaceAllowSpec]):
    """Admit pods of other namespaces (all of them, or only some) into pods of these namespaces.

    Semantics: one ingress policy per namespace with one peer; namespaces by name select through
    ``kubernetes.io/metadata.name``; ``from_pod_selector`` is ANDed with the namespaces in the
    same peer. Typical uses: the monitoring namespace into every pod, the ingress controller
    into the UI.

    Construct with ``(name, args, opts=None)``: ``args`` is a :class:`NamespaceAllowSpec` or a dict
    validated into one; see :class:`PolicyComponent` for naming, parentage and errors.
    """

    _spec_type = NamespaceAllowSpec
    build = staticmethod(namespace_allow_policies)
