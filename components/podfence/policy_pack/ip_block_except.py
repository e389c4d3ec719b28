"""Policy ``ip-block-except-inside-cidr``: each ipBlock ``except`` lies strictly inside its cidr.

The API server refuses a NetworkPolicy whose ``except`` entry is not a strict subnet of its
``cidr`` of the same family (and one written as a single string instead of a list): ``pulumi up``
would fail on it, after creating whatever came before. This policy says so at preview, naming
the field, the bad value and what was probably meant (the blog's ``except: 10.72.10.0/8`` in
``10.72.0.0/16`` meant ``["10.72.10.0/24"]``). CIDRs are read as the API server reads them
(Go's ``net.ParseCIDR``: host bits allowed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from podfence.policy_pack.objects import NETWORK_POLICY, kubernetes_object
from podfence.policy_pack.words import object_key
from podfence.reachability.context import short
from podfence.spec.ip_block import meant_except, suggest_except
from podfence.validation import Network, except_problem, parse_cidr

__all__ = ["NAME", "POLICY", "ip_block_problems", "validate"]

NAME = "ip-block-except-inside-cidr"
_PEERS = (("ingress", "from"), ("egress", "to"))


def _excepts(cidr: Network, raw: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(raw, str):
        meant = meant_except(cidr, raw)
        fix = f'write except: ["{meant}"]' if meant else f"list subnets of {cidr}"
        yield field, f"{raw!r} must be a list of CIDRs inside cidr {cidr}, not a string; {fix}"
        return
    if not isinstance(raw, list):
        yield field, f"{short(raw)} must be a list of CIDRs inside cidr {cidr}"
        return
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(item, str):
            yield where, f"{short(item)} is not a CIDR"
            continue
        parsed = parse_cidr(item)
        if isinstance(parsed, str):
            yield where, f"{item!r} {parsed}"
            continue
        problem = except_problem(parsed, cidr)
        if problem is not None:
            meant = suggest_except(cidr, item)
            fix = f'did you mean "{meant}"?' if meant else "drop it or carve a subnet of the cidr"
            yield where, f"{item!r} {problem}; {fix}"


def _block(raw: Mapping[str, Any], field: str) -> Iterator[tuple[str, str]]:
    cidr_raw = raw.get("cidr")
    if not isinstance(cidr_raw, str):
        yield f"{field}.cidr", f"{short(cidr_raw)} is not a CIDR, so no except can lie inside it"
        return
    cidr = parse_cidr(cidr_raw)
    if isinstance(cidr, str):
        yield f"{field}.cidr", f"{cidr_raw!r} {cidr}, so no except can lie inside it"
        return
    if raw.get("except") is not None:
        yield from _excepts(cidr, raw["except"], f"{field}.except")


def ip_block_problems(obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every ipBlock of a NetworkPolicy object whose ``except`` is not inside its ``cidr``.

    Rules, peers or ipBlocks of the wrong shape are skipped: what they mean is for the API server
    to refuse, not for this policy.

    Returns:
        (field, problem) pairs, e.g. ``("spec.ingress[0].from[0].ipBlock.except[0]",
        "'10.72.10.0/8' must be a strict subset of cidr 10.72.0.0/16; did you mean
        \"10.72.10.0/24\"?")``.
    """
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        return []
    found: list[tuple[str, str]] = []
    for direction, peers_field in _PEERS:
        rules = spec.get(direction)
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            peers = rule.get(peers_field) if isinstance(rule, Mapping) else None
            for number, peer in enumerate(peers if isinstance(peers, list) else []):
                block = peer.get("ipBlock") if isinstance(peer, Mapping) else None
                if isinstance(block, Mapping):
                    field = f"spec.{direction}[{index}].{peers_field}[{number}].ipBlock"
                    found += _block(block, field)
    return found


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report each ipBlock ``except`` of a NetworkPolicy that does not lie inside its cidr."""
    if args.resource_type != NETWORK_POLICY:
        return
    obj = kubernetes_object(args)
    for field, problem in ip_block_problems(obj):
        report(
            f"NetworkPolicy {object_key(obj)} would be refused by the API server (pulumi up "
            f"fails on it): {field} {problem}",
            None,
        )


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "Every ipBlock except of a NetworkPolicy lies strictly inside its cidr, in the same "
        "family, and is written as a list."
    ),
    validate=validate,
)
