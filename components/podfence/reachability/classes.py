"""Equivalence classes: pods (and external addresses) that no policy can tell apart."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from podfence.reachability.model import External, Namespace, Pod
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.ports import ContainerPort
from podfence.reachability.selectors import LabelSelector

__all__ = ["BoolArray", "ClassTable"]

BoolArray = npt.NDArray[np.bool_]


def _block_membership(
    addresses: Sequence[Sequence[object]], blocks: Sequence[IpBlockPeer]
) -> BoolArray:
    """``[i, b]``: one of the addresses of endpoint ``i`` is in block ``b`` (IPv4 vectorised)."""
    result = np.zeros((len(addresses), len(blocks)), dtype=np.bool_)
    if not blocks:
        return result
    owners: list[int] = []
    values: list[int] = []
    others: list[tuple[int, object]] = []
    for index, ips in enumerate(addresses):
        for address in ips:
            if getattr(address, "version", 0) == 4:
                owners.append(index)
                values.append(int(address))  # type: ignore[call-overload]
            else:
                others.append((index, address))
    owner_array = np.asarray(owners, dtype=np.int64)
    value_array = np.asarray(values, dtype=np.int64)
    for column, block in enumerate(blocks):
        if block.cidr.version == 4 and len(value_array):
            low, high = int(block.cidr.network_address), int(block.cidr.broadcast_address)
            inside = (value_array >= low) & (value_array <= high)
            for excluded in block.excepts:
                ex_low = int(excluded.network_address)
                ex_high = int(excluded.broadcast_address)
                inside &= (value_array < ex_low) | (value_array > ex_high)
            result[owner_array[inside], column] = True
        for index, address in others:
            if block.contains(address):  # type: ignore[arg-type]
                result[index, column] = True
    return result


class ClassTable:
    """Pods grouped into classes by (namespace, labels, ipBlocks their IPs fall in, ports).

    Every policy decision depends on a pod only through these four things, so pods of one class
    get identical verdicts as sources and as destinations. Only the labels whose keys some
    selector looks at count (``label_keys``; every label when None): a selector reads no other.
    External addresses form classes of their own (after the pod classes), grouped by the
    ipBlocks they fall in.

    Attributes:
        pod_class: for each pod (in the given order), its class.
        external_class: for each external address, its class.
        pod_classes: the number of pod classes (classes ``0 .. pod_classes - 1``).
        size: the number of classes, pods' and externals'.
        namespace_of: each pod class's namespace.
        labels_of: each pod class's labels.
        ports_of: each pod class's declared containerPorts.
        members: each class's pods (indices into the pod list); externals have none.
        blocks: the distinct ipBlocks, the columns of ``in_block``.
        in_block: ``[class, block]``: the class's addresses fall in the block.
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
        self.pod_class = np.empty(len(pods), dtype=np.int64)
        self.namespace_of: list[str] = []
        self.labels_of: list[Mapping[str, str]] = []
        self.ports_of: list[tuple[ContainerPort, ...]] = []
        self.members: list[list[int]] = []
        rows: list[BoolArray] = []
        for index, pod in enumerate(pods):
            row = membership[index]
            labels = (
                pod.labels
                if label_keys is None
                else {k: v for k, v in pod.labels.items() if k in label_keys}
            )
            key = (pod.namespace, frozenset(labels.items()), row.tobytes(), pod.ports)
            number = keys.get(key)
            if number is None:
                number = keys[key] = len(self.members)
                self.namespace_of.append(pod.namespace)
                self.labels_of.append(labels)
                self.ports_of.append(pod.ports)
                self.members.append([])
                rows.append(row)
            self.pod_class[index] = number
            self.members[number].append(index)
        self.pod_classes = len(self.members)
        self.external_class = np.empty(len(externals), dtype=np.int64)
        external_keys: dict[bytes, int] = {}
        for index in range(len(externals)):
            row = outside[index]
            number = external_keys.get(row.tobytes())
            if number is None:
                number = external_keys[row.tobytes()] = len(self.members)
                self.members.append([])
                rows.append(row)
            self.external_class[index] = number
        self.size = len(self.members)
        self.in_block: BoolArray = (
            np.vstack(rows) if rows else np.zeros((0, len(self.blocks)), dtype=np.bool_)
        )
        names = sorted(set(self.namespace_of))
        namespace_index = {name: i for i, name in enumerate(names)}
        self._namespace_ids = np.asarray(
            [namespace_index[name] for name in self.namespace_of], dtype=np.int64
        )
        self._namespace_index = namespace_index
        self._label_value: dict[tuple[str, str], list[int]] = {}
        self._label_key: dict[str, list[int]] = {}
        for number, labels in enumerate(self.labels_of):
            for key_value in labels.items():
                self._label_value.setdefault(key_value, []).append(number)
                self._label_key.setdefault(key_value[0], []).append(number)
        # Separate caches: a label key could otherwise collide with a namespace key.
        self._index_masks: dict[object, BoolArray] = {}
        self._masks: dict[object, BoolArray] = {}

    def _indexed(self, key: object, members: list[int] | None) -> BoolArray:
        mask = self._index_masks.get(key)
        if mask is None:
            mask = np.zeros(self.pod_classes, dtype=np.bool_)
            if members:
                mask[members] = True
            self._index_masks[key] = mask
        return mask

    def label_mask(self, selector: LabelSelector) -> BoolArray:
        """Pod classes whose labels ``selector`` matches (any namespace)."""
        cached = self._masks.get(selector)
        if cached is not None:
            return cached
        mask = np.ones(self.pod_classes, dtype=np.bool_)
        for key, value in selector.match_labels:
            mask &= self._indexed((key, value), self._label_value.get((key, value)))
        for requirement in selector.requirements:
            if requirement.operator in ("In", "NotIn"):
                found = np.zeros(self.pod_classes, dtype=np.bool_)
                for value in requirement.values:
                    pair = (requirement.key, value)
                    found |= self._indexed(pair, self._label_value.get(pair))
                mask &= found if requirement.operator == "In" else ~found
            else:
                has = self._indexed((requirement.key,), self._label_key.get(requirement.key))
                mask &= has if requirement.operator == "Exists" else ~has
        self._masks[selector] = mask
        return mask

    def namespace_mask(self, names: Sequence[str]) -> BoolArray:
        """Pod classes in one of the namespaces ``names``."""
        ids = [self._namespace_index[name] for name in names if name in self._namespace_index]
        return np.isin(self._namespace_ids, ids)

    def namespaces_matching(self, selector: LabelSelector) -> BoolArray:
        """Pod classes whose namespace's labels ``selector`` matches (cached)."""
        key = ("namespaces", selector)
        cached = self._masks.get(key)
        if cached is None:
            names = [name for name, ns in self.namespaces.items() if selector.matches(ns.labels)]
            cached = self._masks[key] = self.namespace_mask(names)
        return cached

    def in_namespace(self, name: str) -> BoolArray:
        """Pod classes in namespace ``name`` (cached)."""
        key = ("namespace", name)
        cached = self._masks.get(key)
        if cached is None:
            cached = self._masks[key] = self.namespace_mask([name])
        return cached
