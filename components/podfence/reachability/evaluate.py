"""One flow evaluated, in the steps of the spec: ``evaluate(policies, inventory, traffic)``."""

from __future__ import annotations

from collections.abc import Sequence

from podfence.errors import InputError
from podfence.reachability.admin import ClusterPolicy
from podfence.reachability.context import short
from podfence.reachability.inventory import Inventory
from podfence.reachability.policy import PolicySet
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.tiers import PASS, first_match
from podfence.reachability.traffic import Endpoint, Traffic
from podfence.reachability.verdict import (
    NOT_ISOLATED,
    DirectionVerdict,
    TierRuleRef,
    Verdict,
    tiered_verdict,
)

__all__ = ["evaluate", "resolve_port", "traffic"]


def evaluate(policies: PolicySet, inventory: Inventory, traffic: Traffic) -> Verdict:
    """Whether ``traffic`` is allowed, and by which rules.

    Steps (NetworkPolicy v1, and the cluster-wide tiers around it; see
    :mod:`podfence.reachability.tiers`):

    0. Each end is placed in the inventory: an address that is a pod's IP is that pod (and one
       that is a node's address is that node's).
    1. Ingress at the destination, when it is a pod:

       a. The Admin tier: the first ingress rule (in precedence order) of the Admin-tier
          policies selecting it that matches the source and the port decides when its action
          is Allow, Accept or Deny; Pass, or no match, goes on.
       b. The NetworkPolicies of its namespace that select it and list Ingress isolate it;
          isolated, ingress is allowed when an ingress rule of theirs matches the source (a
          peer) and the port, and nothing else is consulted.
       c. Not isolated, the Baseline tier: the first matching ingress rule of the Baseline-tier
          policies selecting it decides (Deny denies); no match (or Pass) allows.

    2. Egress at the source, when it is a pod: the same with Egress, the egress rules matching
       the destination and the port. Named ports resolve on the destination in both steps.
    3. The connection is allowed when both directions allow it (a side that is an address
       outside the cluster has no policies and allows).

    Raises:
        InputError: a pod that is not in the inventory, or no pod at either end (traffic
            between two addresses outside the cluster is no policy's business).
    """
    source = inventory.place(traffic.source)
    destination = inventory.place(traffic.destination)
    if source.namespace is None and destination.namespace is None:
        raise InputError(
            f"{source.key} -> {destination.key}: both ends are outside the cluster; "
            "one end must be a pod"
        )
    placed = Traffic(source, destination, traffic.port, traffic.protocol)
    ingress = _side(policies, destination, "ingress", placed)
    egress = _side(policies, source, "egress", placed)
    return Verdict(placed, ingress, egress, inventory.implicit_namespaces, policies.ties)


def _side(
    policies: PolicySet, subject: Endpoint, direction: str, traffic: Traffic
) -> DirectionVerdict | None:
    if subject.namespace is None:
        return None
    admin = _first_match(policies.admin, subject, direction, traffic)
    if admin is not None and admin.action != PASS:  # step a decided
        return tiered_verdict((), (), admin)
    isolating = policies.isolating(subject, direction)  # step b
    if not isolating and admin is None and not policies.baseline:
        return NOT_ISOLATED
    allowed = tuple(
        rule.ref
        for policy in isolating
        for rule in policy.rules(direction) or ()
        if rule.admits(traffic)
    )
    baseline = (
        None if isolating else _first_match(policies.baseline, subject, direction, traffic)
    )  # step c
    return tiered_verdict(isolating, allowed, admin, baseline)


def _first_match(
    tier: Sequence[ClusterPolicy], subject: Endpoint, direction: str, traffic: Traffic
) -> TierRuleRef | None:
    """The first rule of ``tier`` (policies in evaluation order) that applies to ``subject`` and
    matches ``traffic``; None when none does."""
    if not tier:
        return None
    hits = (
        (rule, int(rule.admits(traffic)))
        for policy in tier
        if policy.selects(subject)
        for rule in policy.rules(direction)
    )
    decided = first_match(hits)
    return decided[0][0].ref if decided else None


def resolve_port(
    destination: Endpoint, port: int | str, protocol: str | None, flag: str = "--port"
) -> tuple[int, str]:
    """A port as (number, protocol); a name resolves on the destination pod's containerPorts.

    Args:
        destination: the destination (a name needs a pod that declares it).
        port: a number, digits, or a containerPort name.
        protocol: TCP, UDP or SCTP; None (the default for the CLI) means TCP for a number, and
            for a name the protocol of the port of that name (it must be unambiguous).
        flag: where the port came from, for errors.

    Raises:
        InputError: an out-of-range number, an unknown or ambiguous name, a bad protocol.
    """
    if protocol is not None and protocol not in PROTOCOLS:
        raise InputError(
            f"--protocol {protocol!r} is not supported (expected {', '.join(PROTOCOLS)})"
        )
    if isinstance(port, bool) or not isinstance(port, int | str):
        raise InputError(f"{flag} {short(port)} is not a port number or name")
    text = str(port)
    if isinstance(port, int) or text.lstrip("-").isdigit():
        number = int(text)
        if not 1 <= number <= 65535:
            raise InputError(f"{flag} {number} is not a port number (1-65535)")
        return number, protocol or "TCP"
    if destination.namespace is None:
        raise InputError(
            f"{flag} {text!r} is a port name, but {destination.key} is an address outside the "
            "cluster, which declares no ports; give a number"
        )
    named = [p for p in destination.ports if p.name == text]
    chosen = [p for p in named if protocol is None or p.protocol == protocol]
    if len({(p.port, p.protocol) for p in chosen}) == 1:
        return chosen[0].port, chosen[0].protocol
    if chosen:
        found = ", ".join(p.describe() for p in chosen)
        if len({p.protocol for p in chosen}) > 1 and protocol is None:
            hint = "say which with --protocol"
        else:
            hint = "give the port number instead"
        raise InputError(f"{flag} {text!r} names {found} on {destination.key}; {hint}")
    if named:
        found = ", ".join(p.describe() for p in named)
        raise InputError(f"{flag} {text!r} of {destination.key} is {found}, not {protocol}")
    names = sorted({p.name for p in destination.ports if p.name})
    known = f" (it names: {', '.join(names)})" if names else " (it names no ports)"
    raise InputError(f"{flag}: pod {destination.key} has no port named {text!r}{known}")


def traffic(
    inventory: Inventory,
    source: str,
    destination: str,
    port: int | str,
    protocol: str | None = None,
    flags: tuple[str, str, str] = ("--from", "--to", "--port"),
) -> Traffic:
    """Traffic from what a user typed.

    Args:
        inventory: where pods are looked up.
        source: ``namespace/pod`` or an IP address (a pod's IP is that pod).
        destination: the same.
        port: a number, or a name declared by the destination pod.
        protocol: TCP, UDP, SCTP, or None (see :func:`resolve_port`).
        flags: how errors name the source, the destination and the port (the CLI's options
            by default).

    Raises:
        InputError: an unknown pod, a bad address or port, or two addresses (traffic between
            two addresses outside the cluster is no policy's business).
    """
    origin = inventory.endpoint(source, flags[0])
    target = inventory.endpoint(destination, flags[1])
    if origin.namespace is None and target.namespace is None:
        raise InputError(
            f"{flags[0]} {source} and {flags[1]} {destination} are both outside the cluster; "
            "one end must be a pod"
        )
    number, proto = resolve_port(target, port, protocol, flags[2])
    return Traffic(origin, target, number, proto)
