"""DefaultDeny: deny-all NetworkPolicies for one or more namespaces."""

from __future__ import annotations

from podfence.components._policies import PolicyComponent
from podfence.manifests.default_deny import default_deny_policies
from podfence.spec.default_deny import DefaultDenySpec

__all__ = ["DefaultDeny"]


class DefaultDeny(PolicyComponent[DefaultDenySpec]):
    """Isolate every pod of the given namespaces: nothing gets in (and, on request, out) unless
    another policy allows it.

    Semantics: ``deny-all`` selects every pod (``podSelector: {}``) and lists the denied
    directions in policyTypes with no rules. Policies are additive, so every other allow policy
    still applies. Denying egress also blocks DNS, so unless ``allow_dns`` is turned off the
    component adds ``allow-dns-egress`` to kube-system/k8s-app=kube-dns on 53 UDP and TCP.

    Construct with ``(name, args, opts=None)``: ``args`` is a :class:`DefaultDenySpec` or a dict
    validated into one; see :class:`PolicyComponent` for naming, parentage and errors.
    """

    _spec_type = DefaultDenySpec
    build = staticmethod(default_deny_policies)
