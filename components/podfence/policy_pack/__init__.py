"""podfence's CrossGuard policies for Pulumi programs that make Kubernetes NetworkPolicies.

The pack itself is ``policy/`` at the repository's root (``pulumi preview --policy-pack
policy``); its ``__main__.py`` only constructs the ``PolicyPack`` from :data:`POLICIES`. The
policies read any program's ``kubernetes:networking.k8s.io/v1:NetworkPolicy`` resources (built by
podfence's components or not), its cluster-wide policies (AdminNetworkPolicy,
BaselineAdminNetworkPolicy and ClusterNetworkPolicy CustomResources), its Namespaces and its
workloads, and decide with podfence's engine. Each module holds one policy (``POLICY``) and its
``validate`` function, which a test calls directly with ``ResourceValidationArgs`` or
``StackValidationArgs``: constructing a ``PolicyPack`` starts a server.

This package needs ``pulumi-policy``, which podfence itself does not: ``import podfence`` never
loads it.
"""

from __future__ import annotations

from pulumi_policy import Policy

from podfence.policy_pack import (
    admit_all,
    default_deny,
    dns_egress,
    expectations,
    internet_ingress,
    ip_block_except,
)

__all__ = ["PACK_NAME", "POLICIES"]

#: The pack's name (``pulumi preview --policy-pack-config`` keys its policies under it).
PACK_NAME = "podfence"

#: Every policy of the pack, resource policies first.
POLICIES: tuple[Policy, ...] = (
    ip_block_except.POLICY,
    admit_all.POLICY,
    internet_ingress.POLICY,
    default_deny.POLICY,
    dns_egress.POLICY,
    expectations.POLICY,
)
