"""Equivalence classes: pods (and external addresses) that no policy can tell apart."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from podfence.reachability.bits import from_indices
from podfence.reachability.model import Address, External, Namespace, Pod
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.ports import ContainerPort
from podfence.reachability.selectors import LabelSelector

__all__ = ["ClassTable"]

_Key = TypeVar("_Key", bound=Hashable)


def _block_membership(
    addresses: Sequence[Sequence[Address]], blocks: Sequence[IpBlockPeer]
) -> list[int]:
    """For each endpoint, the set of blocks (bit ``b``: block ``b``) one of its addresses is in."""
    result = [0] * len(addresses)
    if not blocks:
        return result
    by_version: dict[int, list[tuple[int, int]]] = {}
    for owner, ips in enumerate(addresses):
        for address in ips:
            by_version.setdefault(address.version, []).append((int(address), owner))
    for found in by_version.values():
        found.sort()
    values = {version: [value for value, _ in found] for version, found in by_version.items()}
    for column, block in enumerate(blocks):
        found = by_version.get(block.cidr.version, [])
        sorted_values = values.get(block.cidr.version, [])
        low = bisect_left(sorted_values, int(block.cidr.network_address))
        high = bisect_right(sorted_values, int(block.cidr.broadcast_address))
        excepts = [(int(e.network_address), int(e.broadcast_address)) for e in block.excepts]
        bit = 1 << column
        for value, owner in found[low:high]:
            if not any(ex_low <= value <= ex_high for ex_low, ex_high in excepts):
                result[owner] |= bit
    return result


class ClassTable:
    """Pods grouped into classes by (namespace, labels, ipBlocks their IPs fall in, ports).

    Every policy decision depends on a pod only through these four things, so pods of one class
    get identical verdicts as sources and as destinations. Only the labels whose keys some
    selector looks at count (``label_keys``; every label when None): a selector reads no other.
    External addresses form classes of their own (after the pod classes), grouped by the
    ipBlocks they fall in.

    Sets of classes are ints used as bitsets: bit ``i`` set means class ``i`` is in the set
    (see :mod:`podfence.reachability.bits`).

    Attributes:
        pod_class: for each pod (in the given order), its class.
        external_class: for each external address, its class.
        pod_classes: the number of pod classes (classes ``0 .. pod_classes - 1``).
        pod_classes_mask: the set of every pod class.
        size: the number of classes, pods' and externals'.
        namespace_of: each pod class's namespace.
        labels_of: each pod class's labels.
        ports_of: each pod class's declared containerPorts.
        members: each class's pods (indices into the pod list); externals have none.
        blocks: the distinct ipBlocks.
        in_block: for each of ``blocks``, the set of classes whose addresses fall in it.
    """

    def __init__(
        self,
        pods: Sequence[Pod],
        externals: Sequence[External],
        namespaces: Mapping[str, Namespace],
        blocks: Sequence[IpBlockPeer],
        label_keys: Collection[str] | None = None,
    ) -> None:
        self.blocks = tuple(blocks)
        self.namespaces = namespaces
        membership = _block_membership([pod.ips for pod in pods], self.blocks)
        outside = _block_membership([(e.address,) for e in externals], self.blocks)
        keys: dict[object, int] = {}
        self.pod_class: list[int] = []
        self.namespace_of: list[str] = []
        self.labels_of: list[Mapping[str, str]] = []
        self.ports_of: list[tuple[ContainerPort, ...]] = []
        self.members: list[list[int]] = []
        rows: list[int] = []  # each class's set of blocks
        for index, pod in enumerate(pods):
            row = membership[index]
            labels = (
                pod.labels
                if label_keys is None
                else {k: v for k, v in pod.labels.items() if k in label_keys}
            )
            key = (pod.namespace, frozenset(labels.items()), row, pod.ports)
            number = keys.get(key)
            if number is None:
                number = keys[key] = len(self.members)
                self.namespace_of.append(pod.namespace)
                self.labels_of.append(labels)
                self.ports_of.append(pod.ports)
                self.members.append([])
                rows.append(row)
            self.pod_class.append(number)
            self.members[number].append(index)
        self.pod_classes = len(self.members)
        self.external_class: list[int] = []
        external_keys: dict[int, int] = {}
        for row in outside:
            number = external_keys.get(row)
            if number is None:
                number = external_keys[row] = len(self.members)
                self.members.append([])
                rows.append(row)
            self.external_class.append(number)
        self.size = len(self.members)
        self.in_block: list[int] = [
            from_indices((n for n, row in enumerate(rows) if row >> column & 1), self.size)
            for column in range(len(self.blocks))
        ]
        self.pod_classes_mask = (1 << self.pod_classes) - 1
        self._namespace = _index([(name,) for name in self.namespace_of], self.pod_classes)
        self._label_value = _index([labels.items() for labels in self.labels_of], self.pod_classes)
        self._label_key = _index([labels.keys() for labels in self.labels_of], self.pod_classes)
        self._masks: dict[object, int] = {}

    def label_mask(self, selector: LabelSelector) -> int:
        """The set of pod classes whose labels ``selector`` matches (any namespace)."""
        cached = self._masks.get(selector)
        if cached is not None:
            return cached
        mask = self.pod_classes_mask
        for key_value in selector.match_labels:
            mask &= self._label_value.get(key_value, 0)
        for requirement in selector.requirements:
            if requirement.operator in ("In", "NotIn"):
                found = 0
                for value in requirement.values:
                    found |= self._label_value.get((requirement.key, value), 0)
                mask = mask & found if requirement.operator == "In" else mask & ~found
            else:
                has = self._label_key.get(requirement.key, 0)
                mask = mask & has if requirement.operator == "Exists" else mask & ~has
        self._masks[selector] = mask
        return mask

    def namespace_mask(self, names: Sequence[str]) -> int:
        """The set of pod classes in one of the namespaces ``names``."""
        mask = 0
        for name in names:
            mask |= self._namespace.get(name, 0)
        return mask

    def namespaces_matching(self, selector: LabelSelector) -> int:
        """The set of pod classes whose namespace's labels ``selector`` matches (cached)."""
        key = ("namespaces", selector)
        cached = self._masks.get(key)
        if cached is None:
            names = [name for name, ns in self.namespaces.items() if selector.matches(ns.labels)]
            cached = self._masks[key] = self.namespace_mask(names)
        return cached

    def in_namespace(self, name: str) -> int:
        """The set of pod classes in namespace ``name``."""
        return self._namespace.get(name, 0)


def _index(keys_of: Sequence[Iterable[_Key]], size: int) -> dict[_Key, int]:
    """For each key, the set of the numbers ``n`` (below ``size``) with the key in ``keys_of[n]``."""
    found: dict[_Key, list[int]] = {}
    for number, keys in enumerate(keys_of):
        for key in keys:
            found.setdefault(key, []).append(number)
    return {key: from_indices(numbers, size) for key, numbers in found.items()}
