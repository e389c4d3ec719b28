"""What NamespaceAllow builds: ingress into pods from chosen namespaces."""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from podfence.spec.base import Items, check_dns_label
from podfence.spec.labels import LabelSelector
from podfence.spec.ports import Port
from podfence.spec.selection import PolicyPlacement

__all__ = ["NamespaceAllowSpec"]


class NamespaceAllowSpec(PolicyPlacement):
    """Admit traffic into pods from other namespaces, chosen by labels or by names.

    Semantics: the source is ONE peer; with ``from_pod_selector`` it holds namespaceSelector AND
    podSelector (only those pods in those namespaces). Names select through the label
    ``kubernetes.io/metadata.name`` that every namespace carries (one name: matchLabels; several:
    an ``In`` expression). ``from_namespace_selector: {}`` admits every namespace, deliberately.

    Args:
        pod_selector: the pods admitted to; omitted, every pod of the namespace.
        from_namespace_selector: the source namespaces by labels; exactly one of this and
            ``from_namespace_names``.
        from_namespace_names: the source namespaces by name.
        from_pod_selector: only these pods in the source namespaces; omitted, all of them.
        ports: the destination ports admitted; omitted or empty, every port.
    """

    pod_selector: LabelSelector = Field(default_factory=LabelSelector)
    from_namespace_selector: LabelSelector | None = None
    from_namespace_names: Items[str] | None = None
    from_pod_selector: LabelSelector | None = None
    ports: Items[Port] = ()

    @field_validator("from_namespace_names")
    @classmethod
    def _names(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("fromNamespaceNames is empty: name at least one namespace")
        for name in value:
            check_dns_label(name, "namespace")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = (self.from_namespace_selector is not None) + (self.from_namespace_names is not None)
        if given != 1:
            raise ValueError(
                "say which namespaces to admit with exactly one of fromNamespaceSelector "
                "and fromNamespaceNames"
            )
        return self

    @property
    def source_namespaces(self) -> LabelSelector:
        """The namespaceSelector of the source peer."""
        if self.from_namespace_names is not None:
            return LabelSelector.namespace_names(*self.from_namespace_names)
        assert self.from_namespace_selector is not None
        return self.from_namespace_selector
