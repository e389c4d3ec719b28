"""Two policy sets on one inventory: which connections a change opens and closes, and why.

Both sides are evaluated by the same engine on the same inventory, addresses and ports, so a
flow that changes verdict is a flow the change itself opens or closes. The reasons are the
verdicts' own rules: what allows an opened flow now, what allowed a closed one before.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podfence.reachability.evaluate import evaluate, traffic
from podfence.reachability.inventory import Inventory
from podfence.reachability.matrix import Matrix
from podfence.reachability.model import Address
from podfence.reachability.policy import PolicySet
from podfence.reachability.report import rule_json, summary
from podfence.reachability.verdict import RuleRef, TierRuleRef, Verdict

__all__ = ["FirewallDiff", "FlowChange", "diff_firewalls"]

FlowKey = tuple[str, str, int, str]


@dataclass(frozen=True)
class FlowChange:
    """One connection whose verdict changed.

    Attributes:
        verdict: the verdict that allows it: the new side's for an opened flow, the old side's
            for a closed one.
        other: the verdict on the other side (what denied it before, or denies it now).
    """

    verdict: Verdict
    other: Verdict

    @property
    def key(self) -> FlowKey:
        """(from, to, port, protocol)."""
        v = self.verdict
        return (v.source, v.destination, v.port, v.protocol)

    @property
    def by(self) -> tuple[RuleRef, ...]:
        """The rules that allow it on its allowing side, ingress first (empty: not isolated)."""
        return tuple(self.verdict.deciding_rules())

    @property
    def tier_by(self) -> tuple[TierRuleRef, ...]:
        """The cluster-wide rules that allow it (an Admin-tier Allow or Accept, a Baseline-tier
        one), ingress first."""
        return tuple(self.verdict.deciding_tier_rules())


@dataclass(frozen=True)
class FirewallDiff:
    """What a change of policies does.

    Attributes:
        opened: connections the new policies allow and the old did not.
        closed: connections the old policies allowed and the new do not.
        added: policies (``ns/name``) only the new side has.
        removed: policies only the old side has.
        changed: policies on both sides whose manifests differ.
        manifest_diff: a unified diff of the manifests of every added, removed and changed
            policy ("" when none changed).
        before: the old side's allowed flows.
        after: the new side's allowed flows.
    """

    opened: tuple[FlowChange, ...]
    closed: tuple[FlowChange, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    manifest_diff: str
    before: Matrix = field(repr=False, compare=False)
    after: Matrix = field(repr=False, compare=False)

    @property
    def policy_changes(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``("added", added)``, ``("removed", removed)``, ``("changed", changed)``."""
        return (("added", self.added), ("removed", self.removed), ("changed", self.changed))

    @property
    def has_changes(self) -> bool:
        """Whether any connection or any policy changed."""
        return bool(self.opened or self.closed or self.added or self.removed or self.changed)

    @property
    def summary(self) -> str:
        """``opens 1 connection, closes 0; 1 policy added``."""

        opened = len(self.opened)
        flows = f"opens {opened} connection{'' if opened == 1 else 's'}, closes {len(self.closed)}"
        parts = [
            f"{len(names)} {'policy' if len(names) == 1 else 'policies'} {what}"
            for what, names in self.policy_changes
            if names
        ]
        return f"{flows}; {', '.join(parts) if parts else 'no policy changed'}"

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of ``podfence diff --output json``."""

        def flows(changes: Iterable[FlowChange]) -> list[dict[str, Any]]:
            return [
                {
                    "from": change.verdict.source,
                    "to": change.verdict.destination,
                    "port": change.verdict.port,
                    "protocol": change.verdict.protocol,
                    "by": [*map(rule_json, change.by), *map(rule_json, change.tier_by)],
                    "reason": summary(change.verdict),
                    "other_side": summary(change.other),
                }
                for change in changes
            ]

        return {
            "opened": flows(self.opened),
            "closed": flows(self.closed),
            "policies": {what: list(names) for what, names in self.policy_changes},
            "summary": self.summary,
            "manifest_diff": self.manifest_diff,
        }


def _allowed(matrix: Matrix) -> dict[FlowKey, tuple[int, int]]:
    """Every allowed flow of an allowed-only matrix, with (source, target) to ask its verdict."""
    found: dict[FlowKey, tuple[int, int]] = {}
    for row in matrix.rows():
        source = matrix.sources[row.source].key
        for target in row.targets:
            destination, port, protocol = matrix.target(target)
            found[(source, destination, port, protocol)] = (row.source, target)
    return found


def _policy_key(manifest: Mapping[str, Any]) -> str:
    """``namespace/name`` for a NetworkPolicy; ``Kind name`` for a cluster-wide policy."""
    metadata = manifest.get("metadata") or {}
    if manifest.get("kind") != "NetworkPolicy":
        return f"{manifest.get('kind')} {metadata.get('name')}"
    return f"{metadata.get('namespace') or 'default'}/{metadata.get('name')}"


def diff_firewalls(
    base: PolicySet,
    head: PolicySet,
    inventory: Inventory,
    base_manifests: Sequence[Mapping[str, Any]],
    head_manifests: Sequence[Mapping[str, Any]],
    dump: Callable[[Mapping[str, Any]], str],
    externals: Iterable[Address] = (),
    ports: Sequence[tuple[int, str]] = (),
) -> FirewallDiff:
    """Compare two policy sets on one inventory.

    Args:
        base: the policies before the change.
        head: the policies after it.
        inventory: the namespaces and pods both are evaluated on.
        base_manifests: the policy manifests of ``base`` (NetworkPolicies and cluster-wide
            policies), to tell added, removed and changed policies apart and show the change.
        head_manifests: those of ``head``.
        dump: how a manifest is shown in the unified diff (YAML, say).
        externals: addresses outside the cluster, sources and destinations on both sides; the
            inventory's node addresses are evaluated too, so a change to a ``nodes`` peer shows.
        ports: extra (port, protocol) pairs probed on every destination (none by default).
    """
    externals = list(externals)
    probes = list(dict.fromkeys([*base.egress_ports(), *head.egress_ports()]))
    before, after = (
        Matrix.build(
            policies,
            inventory,
            externals,
            ports,
            allowed_only=True,
            external_ports=probes,
            nodes=True,
        )
        for policies in (base, head)
    )
    was, now = _allowed(before), _allowed(after)
    opened = tuple(
        FlowChange(after.verdict(*now[key]), _other(before, key, inventory))
        for key in now
        if key not in was
    )
    closed = tuple(
        FlowChange(before.verdict(*was[key]), _other(after, key, inventory))
        for key in was
        if key not in now
    )
    old = {_policy_key(m): m for m in base_manifests}
    new = {_policy_key(m): m for m in head_manifests}
    added = tuple(sorted(set(new) - set(old)))
    removed = tuple(sorted(set(old) - set(new)))
    changed = tuple(sorted(k for k in set(old) & set(new) if dict(old[k]) != dict(new[k])))
    text: list[str] = []
    for key in sorted((*added, *removed, *changed)):
        before_text = dump(old[key]).splitlines(keepends=True) if key in old else []
        after_text = dump(new[key]).splitlines(keepends=True) if key in new else []
        text += difflib.unified_diff(before_text, after_text, f"a/{key}", f"b/{key}")
    return FirewallDiff(opened, closed, added, removed, changed, "".join(text), before, after)


def _other(matrix: Matrix, key: FlowKey, inventory: Inventory) -> Verdict:
    """The verdict of ``key`` under ``matrix``'s policies (a flow it does not allow)."""
    source, destination, port, protocol = key
    return evaluate(
        matrix.policies, inventory, traffic(inventory, source, destination, port, protocol)
    )
