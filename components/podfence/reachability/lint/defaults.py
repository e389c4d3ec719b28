"""What a pod's connections come to by default: the engine's verdicts with a stand-in peer that
no rule names in particular."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from podfence.reachability.evaluate import evaluate
from podfence.reachability.inventory import Inventory
from podfence.reachability.lint.basis import free_address
from podfence.reachability.model import NAME_LABEL, Address, Namespace, Pod
from podfence.reachability.policy import PolicySet
from podfence.reachability.traffic import Endpoint, Traffic
from podfence.reachability.verdict import TierRuleRef, Verdict

__all__ = ["STAND_IN_NAMESPACE", "StandIn", "tier_denials", "undecided"]

#: The stand-in's namespace (``-2``, ``-3``... when the inventory has one of that name).
STAND_IN_NAMESPACE = "podfence-stand-in"
#: Pod-like addresses the stand-in may take, the first that is free (see
#: :func:`~podfence.reachability.lint.basis.free_address`).
_STAND_IN_ADDRESSES = ("10.244.0.11", "172.20.0.11", "100.64.0.11", "192.168.240.11")


@dataclass(frozen=True)
class StandIn:
    """A pod that no rule names in particular, and an inventory that holds it.

    The stand-in is the pod ``pod`` of a namespace of its own, labelled only with its name
    (``kubernetes.io/metadata.name``); it has no labels, no ports, and an address that is no
    pod's or node's and lies in no ipBlock or ``networks`` short of a whole address family
    (none when every candidate is taken). So only what is meant for any pod matches it: a
    namespaceSelector of every namespace (or of every one but some, by name or label), an
    empty or absent podSelector, a block of a whole family. What the engine decides for a
    connection between it and a pod is what the policies do to that pod by default.

    Attributes:
        inventory: the inventory with the stand-in and its namespace added.
        pod: the stand-in, as ``inventory`` holds it.
    """

    inventory: Inventory
    pod: Pod

    @classmethod
    def build(cls, policies: PolicySet, inventory: Inventory) -> StandIn:
        """The stand-in for ``policies`` (its address avoids their blocks) in ``inventory``."""
        namespace, number = STAND_IN_NAMESPACE, 1
        while namespace in inventory.namespaces:
            number += 1
            namespace = f"{STAND_IN_NAMESPACE}-{number}"
        address = free_address(policies, inventory, _STAND_IN_ADDRESSES)
        pod = Pod(namespace, "pod", {}, (address,) if address is not None else ())
        augmented = inventory.with_pods([pod], [Namespace(namespace, {NAME_LABEL: namespace})])
        return cls(augmented, augmented.pod(pod.key))

    def verdicts(
        self,
        policies: PolicySet,
        subject: Pod,
        direction: str,
        ports: Sequence[tuple[int, str]],
        addresses: Sequence[Address] = (),
    ) -> Iterator[Verdict]:
        """The engine's verdict on each connection between ``subject`` and the stand-in, one at
        a time (a caller that has its answer stops evaluating).

        Args:
            policies: the policies.
            subject: a pod of :attr:`inventory`.
            direction: ``ingress``: from the stand-in to ``subject``; ``egress``: from
                ``subject`` to the stand-in, and to each of ``addresses``.
            ports: the (port, protocol) pairs, in order; a verdict per destination and port.
            addresses: addresses outside the cluster, for egress (none by default); ignored
                for ingress, where no cluster-wide rule can match an address.
        """
        if direction == "ingress":
            pairs: list[tuple[Endpoint, Endpoint]] = [(self.pod, subject)]
        else:
            pairs = [(subject, self.pod)]
            pairs += [(subject, self.inventory.external(address)) for address in addresses]
        for source, destination in pairs:
            for port, protocol in ports:
                yield evaluate(
                    policies, self.inventory, Traffic(source, destination, port, protocol)
                )


def undecided(verdicts: Iterable[Verdict], direction: str) -> Verdict | None:
    """The first verdict whose side ``direction`` is allowed with nothing deciding it: no
    NetworkPolicy isolates the pod, and no cluster-wide rule decides (an Admin-tier Pass may
    hand it on); allowed only because nothing denies it. None when every one is decided."""
    for verdict in verdicts:
        side = verdict.side(direction)
        if side is not None and side.tier is None:
            return verdict
    return None


def tier_denials(
    verdicts: Iterable[Verdict], direction: str
) -> tuple[list[TierRuleRef], Verdict | None]:
    """The cluster-wide rules that deny the verdicts' side ``direction``, in order, once each;
    and the first verdict whose side no cluster-wide rule denies (allowed, or denied by a
    NetworkPolicy), or None when a cluster-wide rule denies every one."""
    found: dict[TierRuleRef, None] = {}
    for verdict in verdicts:
        side = verdict.side(direction)
        rule = side.decided_by if side is not None else None
        if rule is None or not rule.denies:
            return list(found), verdict
        found.setdefault(rule)
    return list(found), None
