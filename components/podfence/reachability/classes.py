"""Equivalence classes: pods (and addresses outside the cluster) that no policy can tell apart."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence

from podfence.reachability.bits import from_indices
from podfence.reachability.model import External, Pod
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.ports import ContainerPort
from podfence.reachability.selectors import LabelSelector
from podfence.reachability.traffic import Endpoint

__all__ = ["ClassTable"]


def _block_membership(endpoints: Sequence[Endpoint], blocks: Sequence[IpBlockPeer]) -> list[int]:
    """For each endpoint, the set of blocks (bit ``b``: block ``b``) that match it.

    The match is :meth:`IpBlockPeer.contains`, asked only of the addresses inside the block's
    CIDR (found by bisecting the sorted addresses), so the cost follows the matches.
    """
    result = [0] * len(endpoints)
    if not blocks:
        return result
    by_version: dict[int, list[tuple[int, int]]] = {}
    for owner, endpoint in enumerate(endpoints):
        for address in endpoint.ips:
            by_version.setdefault(address.version, []).append((int(address), owner))
    for found in by_version.values():
        found.sort()
    values = {version: [value for value, _ in found] for version, found in by_version.items()}
    for column, block in enumerate(blocks):
        found = by_version.get(block.cidr.version, [])
        sorted_values = values.get(block.cidr.version, [])
        low = bisect_left(sorted_values, int(block.cidr.network_address))
        high = bisect_right(sorted_values, int(block.cidr.broadcast_address))
        bit = 1 << column
        for _, owner in found[low:high]:
            if not result[owner] & bit and block.matches(endpoints[owner]):
                result[owner] |= bit
    return result


class ClassTable:
    """Pods grouped into classes by (namespace, labels, ipBlocks that match them, ports).

    Every policy decision depends on a pod only through these four things, so the pods of one
    class get identical verdicts as sources and as destinations, and a predicate asked of the
    class's first pod (its *representative*) answers for all of them. Only the labels whose
    keys some selector reads count (``label_keys``; every label when None). Addresses outside
    the cluster form classes of their own, after the pod classes, grouped by the ipBlocks
    (and ``networks``) that match them and, when some ``nodes`` peer reads node labels
    (``node_keys`` not None), by the node they belong to: no node, or a node with these values
    of ``node_keys``.

    Sets of classes are ints used as bitsets: bit ``i`` set means class ``i`` is in the set
    (see :mod:`podfence.reachability.bits`).

    Attributes:
        pod_class: for each pod (in the given order), its class.
        external_class: for each address, its class.
        pod_classes: the number of pod classes (classes ``0 .. pod_classes - 1``).
        pod_classes_mask: the set of every pod class.
        size: the number of classes, pods' and addresses'.
        representative: each class's first member, pod or address.
        namespace_of: each pod class's namespace.
        ports_of: each class's declared containerPorts (none for addresses).
        members: each class's members (indices into the pods, or into the addresses).
        blocks: the distinct ipBlocks.
        in_block: for each of ``blocks``, the set of classes it matches.
    """

    def __init__(
        self,
        pods: Sequence[Pod],
        externals: Sequence[External],
        blocks: Sequence[IpBlockPeer],
        label_keys: Collection[str] | None = None,
        node_keys: Collection[str] | None = None,
    ) -> None:
        self.blocks = tuple(blocks)
        membership = _block_membership(pods, self.blocks)
        outside = _block_membership(externals, self.blocks)
        keys: dict[object, int] = {}
        self._with_label: dict[tuple[str, str], set[int]] = {}
        self.pod_class: list[int] = []
        self.representative: list[Endpoint] = []
        self.namespace_of: list[str] = []
        self.ports_of: list[tuple[ContainerPort, ...]] = []
        self.members: list[list[int]] = []
        rows: list[int] = []  # each class's set of blocks
        for index, pod in enumerate(pods):
            row = membership[index]
            labels = (
                pod.labels.items()
                if label_keys is None
                else [(k, v) for k, v in pod.labels.items() if k in label_keys]
            )
            key = (pod.namespace, frozenset(labels), row, pod.ports)
            number = keys.get(key)
            if number is None:
                number = keys[key] = len(self.members)
                for pair in key[1]:
                    self._with_label.setdefault(pair, set()).add(number)
                self.representative.append(pod)
                self.namespace_of.append(pod.namespace)
                self.ports_of.append(pod.ports)
                self.members.append([])
                rows.append(row)
            self.pod_class.append(number)
            self.members[number].append(index)
        self.pod_classes = len(self.members)
        self.external_class: list[int] = []
        external_keys: dict[tuple[int, frozenset[tuple[str, str]] | None], int] = {}
        for index, row in enumerate(outside):
            node = externals[index].node
            node_key = (
                None
                if node is None or node_keys is None
                else frozenset((k, v) for k, v in node.labels.items() if k in node_keys)
            )
            number = external_keys.get((row, node_key))
            if number is None:
                number = external_keys[(row, node_key)] = len(self.members)
                self.representative.append(externals[index])
                self.ports_of.append(())
                self.members.append([])
                rows.append(row)
            self.external_class.append(number)
            self.members[number].append(index)
        self.size = len(self.members)
        self.in_block: list[int] = [
            from_indices((n for n, row in enumerate(rows) if row >> column & 1), self.size)
            for column in range(len(self.blocks))
        ]
        self.pod_classes_mask = (1 << self.pod_classes) - 1
        self.by_namespace: dict[str, list[int]] = {}
        for number, name in enumerate(self.namespace_of):
            self.by_namespace.setdefault(name, []).append(number)

    def candidates(self, selector: LabelSelector, classes: Sequence[int]) -> Sequence[int]:
        """Those of the pod ``classes`` that ``selector`` may match, for it to be asked of.

        Only a narrowing: a class that lacks one of the selector's matchLabels pairs is left
        out; every other class stays, and the selector itself decides.
        """
        if not selector.match_labels:
            return classes
        found = self._with_label.get(selector.match_labels[0], set())
        return [number for number in classes if number in found]
