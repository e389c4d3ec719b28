"""Which Kubernetes objects are cluster-scoped, and the ID pulumi-kubernetes gives an object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CLUSTER_SCOPED", "api_group", "is_cluster_scoped", "object_id"]

#: The cluster-scoped kinds, by API group ("" is the core group) and kind: the built-in ones
#: (``kubectl api-resources --namespaced=false``, Kubernetes 1.33, plus PodSecurityPolicy and
#: AuditSink, removed since, which pulumi-kubernetes still types) and the cluster-wide network
#: policies (sigs.k8s.io/network-policy-api). Every other kind is namespaced, a custom
#: resource's included unless listed here.
CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    [
        ("", "ComponentStatus"),
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("auditregistration.k8s.io", "AuditSink"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("policy.networking.k8s.io", "AdminNetworkPolicy"),
        ("policy.networking.k8s.io", "BaselineAdminNetworkPolicy"),
        ("policy.networking.k8s.io", "ClusterNetworkPolicy"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "DeviceTaintRule"),
        ("resource.k8s.io", "ResourceSlice"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("storagemigration.k8s.io", "StorageVersionMigration"),
    ]
)


def api_group(api_version: str) -> str:
    """The API group of an apiVersion: ``policy.networking.k8s.io/v1alpha1`` is
    ``policy.networking.k8s.io``; ``v1`` (no slash) is the core group, ``""``."""
    group, _, _ = api_version.rpartition("/")
    return group


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    """Whether objects of ``kind`` in ``api_version``'s group are cluster-scoped (see
    :data:`CLUSTER_SCOPED`); False means namespaced."""
    return (api_group(api_version), kind) in CLUSTER_SCOPED


def object_id(obj: Mapping[str, Any]) -> str | None:
    """The ID pulumi-kubernetes gives ``obj`` (wire form), which ``pulumi import`` takes: its
    ``metadata.name`` when its kind is cluster-scoped (a namespace it names is ignored, as the
    API server ignores it), ``<metadata.namespace>/<metadata.name>`` when namespaced.

    None when that cannot be told offline: no name, or a namespaced object without a
    namespace, which the provider would put in its own default namespace (its ``namespace``
    option, else the kubeconfig context's, else ``default``).
    """
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace")
    if not isinstance(name, str) or not name:
        return None
    if is_cluster_scoped(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))):
        return name
    if not isinstance(namespace, str) or not namespace:
        return None
    return f"{namespace}/{name}"
