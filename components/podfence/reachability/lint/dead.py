"""Parts of policies that match nothing: a podSelector, a peer, an ipBlock, a named port."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from podfence.reachability.admin import AdminRule, ClusterPolicy
from podfence.reachability.admin_peers import NamedPort, NodePeer
from podfence.reachability.bits import indices
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.lint.shapes import spans
from podfence.reachability.peers import IpBlockPeer, PodPeer
from podfence.reachability.policy import Policy, Rule
from podfence.reachability.ports import PortRule
from podfence.reachability.selectors import LabelSelector

__all__ = ["dead_parts", "empty_ip_block", "ignored_rules", "listing"]

#: How many names a finding lists before it counts the rest.
SHOWN = 5


def listing(names: Sequence[str], shown: int = SHOWN) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 3 more``."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def _hint(selector: LabelSelector, labels: Iterable[Mapping[str, str]]) -> str:
    """``; did you mean app=web?`` for a matchLabels value close to one the objects carry."""
    carried: dict[str, set[str]] = {}
    for found in labels:
        for key, value in found.items():
            carried.setdefault(key, set()).add(value)
    for key, value in selector.match_labels:
        values = carried.get(key)
        if values is None:
            close = difflib.get_close_matches(key, sorted(carried), n=1, cutoff=0.75)
            if close:
                return f"; did you mean the label {close[0]}?"
            continue
        if value not in values:
            close = difflib.get_close_matches(value, sorted(values), n=1, cutoff=0.6)
            if close:
                return f"; did you mean {key}={close[0]}?"
    return ""


def _labels(selector: LabelSelector) -> str:
    return selector.describe() or "(any)"


def empty_ip_block(block: IpBlockPeer) -> bool:
    """Whether the ``except`` entries of ``block`` cover its whole cidr."""
    return bool(block.excepts) and spans(block.excepts, block.cidr)


def _selects_no_pod(basis: Basis, policy: Policy) -> Finding:
    namespace = policy.namespace
    pods = [pod for pod in basis.inventory.pods if pod.namespace == namespace]
    selector = policy.pod_selector
    if not pods:
        why = (
            f"namespace {namespace} has no pod on this inventory, so the policy isolates nothing "
            "and its rules admit nothing"
        )
        fix = "delete the policy if the namespace is gone, or lint with an inventory that has its pods"
    else:
        why = (
            f"its podSelector {_labels(selector)} matches none of the {len(pods)} pods of "
            f"namespace {namespace} on this inventory, so it isolates nothing and its rules "
            "admit nothing"
        )
        hint = _hint(selector, (pod.labels for pod in pods))
        fix = (
            f"correct the podSelector to the labels of the pods it is meant for{hint}, or "
            "delete the policy if those pods are gone"
        )
    return Finding(CHECKS["selects-no-pod"], namespace, why, fix, (policy.ref,))


def _unmatched_peer(basis: Basis, peer: PodPeer, drop: str = "remove the peer") -> tuple[str, str]:
    """Why a pod peer (or a cluster-wide policy's subject) matches no pod, and the fix, which
    ends with ``drop``."""
    inventory = basis.inventory
    pod_part = _labels(peer.pod_selector)
    if peer.namespace_selector is None:
        names = [peer.namespace or ""]
        where = f"namespace {peer.namespace}"
    else:
        names = [
            name
            for name, namespace in inventory.namespaces.items()
            if peer.namespace_matches(name, namespace.labels)
        ]
        if not names:
            ns_labels = [namespace.labels for namespace in inventory.namespaces.values()]
            hint = _hint(peer.namespace_selector, ns_labels)
            return (
                f"no namespace of the inventory has the labels {_labels(peer.namespace_selector)}",
                f"correct the namespaceSelector to labels the namespaces carry{hint} "
                f"(kubectl get namespaces --show-labels), or {drop}",
            )
        where = f"namespace{'s' if len(names) > 1 else ''} {listing(names)}"
    pods = [pod for pod in inventory.pods if pod.namespace in names]
    if not pods:
        return (
            f"{where} {'has' if len(names) == 1 else 'have'} no pod on this inventory",
            f"{drop} if nothing runs there any more, or lint with an inventory that has those pods",
        )
    hint = _hint(peer.pod_selector, (pod.labels for pod in pods))
    return (
        f"no pod of {where} has the labels {pod_part}",
        f"correct the podSelector to the labels of the pods it is meant for{hint}, or {drop}",
    )


def _peers(basis: Basis, policy: Policy, rule: Rule) -> list[Finding]:
    """unmatched-peer and empty-ip-block for each peer of ``rule``."""
    found: list[Finding] = []
    peers = rule.peers or ()
    dead: list[tuple[int, str, str, bool]] = []  # index, why, fix, is an ipBlock
    live = False
    selects_pods = bool(basis.selected.get(policy))
    for index, peer in enumerate(peers):
        if isinstance(peer, IpBlockPeer):
            if empty_ip_block(peer):
                dead.append(
                    (
                        index,
                        "its except entries cover all of its cidr, so it matches no address",
                        f"remove the except entries that cover the block, or the peer if "
                        f"{peer.cidr} should not be admitted",
                        True,
                    )
                )
            else:
                live = True
        elif selects_pods and not basis.pod_classes(basis.grid.peer_classes(peer)):
            why, fix = _unmatched_peer(basis, peer)
            dead.append((index, why, fix, False))
        else:
            live = True
    for index, why, fix, block in dead:
        check = CHECKS["empty-ip-block" if block else "unmatched-peer"]
        what = f"peer {index} ({peers[index].describe()})"
        tail = _tail(len(peers), live, "admits nothing")
        found.append(
            Finding(
                check,
                policy.namespace,
                f"{what}: {why}{tail}",
                fix,
                (policy.ref,),
                rule.ref,
                peer=index,
            )
        )
    return found


def _tail(peers: int, live: bool, outcome: str) -> str:
    """What a dead peer does to its rule: ``; it is the rule's only peer, so the rule
    <outcome>``, the same when no other peer matches, else nothing."""
    if peers == 1:
        return f"; it is the rule's only peer, so the rule {outcome}"
    if not live:
        return f"; no other peer of the rule matches either, so the rule {outcome}"
    return ""


def _destinations(basis: Basis, rule: Rule | AdminRule, subject: int) -> int | None:
    """The pod classes a named port of ``rule`` resolves on: ``subject`` (the classes the
    policy applies to) for ingress, the pod classes the peers match for egress; None when they
    cannot be known without another finding (no selected pod, an unmatched pod peer)."""
    if rule.direction == "ingress":
        return subject or None
    if rule.peers is None:
        return basis.grid.table.pod_classes_mask
    classes = basis.pod_classes(basis.grid.peer_mask(rule))
    if not classes and any(isinstance(peer, PodPeer) for peer in rule.peers):
        return None  # the unmatched peers say it
    return classes


def _port_name(port: PortRule | NamedPort) -> tuple[str, str | None] | None:
    """The name and protocol of a named port (None for a cluster-wide ``namedPort``, which takes
    the pod's protocol); None for a port given by number."""
    if isinstance(port, NamedPort):
        return port.name, None
    if isinstance(port.port, str):
        return port.port, port.protocol
    return None


def _named_ports(
    basis: Basis, policy: Policy | ClusterPolicy, rule: Rule | AdminRule, subject: int
) -> list[Finding]:
    """undeclared-named-port for each named port of ``rule`` no destination pod declares: a
    ``port`` by name of a NetworkPolicy rule; a ``namedPort`` or ``destinationNamedPort`` of a
    cluster-wide rule.

    Args:
        basis: the lint basis.
        policy: the rule's policy.
        rule: a rule of ``policy``.
        subject: the classes of the pods the policy applies to (the destinations of ingress;
            an egress rule's destinations are the pods its peers match).
    """
    if isinstance(policy, Policy):
        namespace: str | None = policy.namespace
        whose, outcome = "no pod this policy selects", "admits nothing"
    else:
        namespace = None
        whose, outcome = "no pod the policy's subject selects", "never matches"
    classes = _destinations(basis, rule, subject)
    if classes is None:
        return []
    table = basis.grid.table
    declared = [port for number in indices(classes) for port in table.ports_of[number]]
    if rule.direction == "egress":
        whose = "no pod the rule's peers match"
    found: list[Finding] = []
    for index, port in enumerate(rule.ports or ()):
        named = _port_name(port)
        if named is None:
            continue
        name, protocol = named
        if any(p.name == name and protocol in (None, p.protocol) for p in declared):
            continue
        if not classes:
            why = (
                f"{port.describe()}: the rule's peers are addresses outside the cluster, "
                "which declare no ports, so a named port matches nothing"
            )
            fix = "give the port number instead of its name"
        else:
            others = sorted({p.describe() for p in declared if p.name == name})
            names = sorted({p.name for p in declared if p.name})
            if others:
                seen = f"; they declare {name} as {', '.join(others)} only"
            elif names:
                seen = f"; they name {listing(names)}"
            else:
                seen = "; they name no port"
            kind = f"a {protocol} port" if protocol is not None else "a port"
            why = f"{port.describe()}: {whose} declares {kind} named {name}{seen}"
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            fix = (
                f"did you mean port {close[0]}? Name a port the pods declare, or give the number"
                if close
                else "name a port the pods declare, or give the number"
            )
        tail = (
            f" (the rule's only port, so the rule {outcome})" if len(rule.ports or ()) == 1 else ""
        )
        found.append(
            Finding(
                CHECKS["undeclared-named-port"],
                namespace,
                why + tail,
                fix,
                (policy.ref,),
                rule.ref,
                port=index,
            )
        )
    return found


def _subject_selects_no_pod(basis: Basis, policy: ClusterPolicy) -> Finding:
    reason, fix = _unmatched_peer(basis, policy.subject, "delete the policy")
    pods = len(basis.inventory.pods)
    why = (
        f"its subject ({policy.subject.describe()}) selects none of the {pods} "
        f"pod{'' if pods == 1 else 's'} of this inventory: {reason}; none of its rules applies"
    )
    fix = fix.replace("the namespaceSelector", "the subject's namespace selector", 1)
    fix = fix.replace("the podSelector", "the subject's podSelector", 1)
    return Finding(CHECKS["selects-no-pod"], None, why, fix, (policy.ref,))


def _node_peer(basis: Basis, peer: NodePeer) -> tuple[str, str] | None:
    """Why a ``nodes`` peer matches no node, and the fix; None when it matches one, or when
    the inventory has no Node objects (nothing can be said)."""
    nodes = basis.inventory.nodes.values()
    if not nodes or any(peer.selector.matches(node.labels) for node in nodes):
        return None
    hint = _hint(peer.selector, (node.labels for node in nodes))
    return (
        f"no node of the inventory has the labels {_labels(peer.selector)}",
        f"correct the node selector to labels the nodes carry{hint} (kubectl get nodes "
        "--show-labels), or remove the peer",
    )


def _cluster_peers(basis: Basis, policy: ClusterPolicy, rule: AdminRule) -> list[Finding]:
    """unmatched-peer for each ``namespaces``/``pods`` peer of ``rule`` that matches no pod, and
    each ``nodes`` peer that matches no node (when the inventory has nodes). ``networks`` are
    never empty; ``domainNames`` are not resolved offline (the loader warns)."""
    dead: list[tuple[int, str, str]] = []
    live = False
    for index, peer in enumerate(rule.peers):
        if isinstance(peer, PodPeer) and not basis.pod_classes(basis.grid.peer_classes(peer)):
            dead.append((index, *_unmatched_peer(basis, peer)))
        elif isinstance(peer, NodePeer) and (unmatched := _node_peer(basis, peer)) is not None:
            dead.append((index, *unmatched))
        else:
            live = True
    return [
        Finding(
            CHECKS["unmatched-peer"],
            None,
            f"peer {index} ({rule.peers[index].describe()}): {why}"
            + _tail(len(rule.peers), live, "never matches"),
            fix,
            (policy.ref,),
            rule.ref,
            peer=index,
        )
        for index, why, fix in dead
    ]


def dead_parts(basis: Basis) -> list[Finding]:
    """selects-no-pod, unmatched-peer, empty-ip-block and undeclared-named-port.

    A policy that selects no pod gets that one finding: what its peers and ports would match
    on pods it does not select is moot. An ipBlock's emptiness needs no inventory and is
    reported whatever the policy selects. The cluster-wide policies get selects-no-pod (a
    subject that selects no pod of the inventory) and unmatched-peer (a ``namespaces`` or
    ``pods`` peer that matches no pod, a ``nodes`` peer that matches no node) and
    undeclared-named-port (a ``namedPort`` or ``destinationNamedPort`` that no pod the rule can
    reach declares: the subject's pods for ingress, the pods the peers match for egress).
    """
    found: list[Finding] = []
    for cluster_policy in basis.policies.cluster_policies:
        subject = basis.pod_classes(basis.grid.peer_classes(cluster_policy.subject))
        if not subject:
            found.append(_subject_selects_no_pod(basis, cluster_policy))
            continue
        for admin_rule in (*cluster_policy.ingress, *cluster_policy.egress):
            found += _cluster_peers(basis, cluster_policy, admin_rule)
            found += _named_ports(basis, cluster_policy, admin_rule, subject)
    for policy in basis.policies:
        selects = bool(basis.selected.get(policy))
        if not selects:
            found.append(_selects_no_pod(basis, policy))
        for direction in ("ingress", "egress"):
            for rule in policy.rules(direction) or ():
                found += _peers(basis, policy, rule)
                if selects:
                    found += _named_ports(basis, policy, rule, basis.selected[policy])
    return found


def ignored_rules(policies: Iterable[Policy]) -> list[Finding]:
    """ignored-rules: rules written for a direction the policy's policyTypes leave out.

    Semantics relied on: a policy isolates, and its rules admit, only for the directions in its
    policyTypes; the API server accepts rules for the other direction and ignores them. So
    ``policyTypes: [Ingress]`` next to egress rules is a policy whose author meant those rules
    and gets none of them (read from the spec alone, on any inventory).
    """
    found: list[Finding] = []
    for policy in policies:
        for direction, count in policy.ignored:
            kind = direction.capitalize()
            rules, them = (
                (f"its {direction} rule is", "it")
                if count == 1
                else (f"its {count} {direction} rules are", "them")
            )
            why = (
                f"spec.policyTypes leaves out {kind}, so {rules} ignored (spec.{direction}): "
                f"the API server accepts {them} and no network plugin enforces {them}; this "
                f"policy does not isolate the pods it selects for {direction}"
            )
            fix = (
                f"add {kind} to spec.policyTypes if the rules are meant (the pods it selects "
                f"are then isolated for {direction}, and only what the rules admit gets "
                f"{'in' if direction == 'ingress' else 'out'}), or delete spec.{direction}"
            )
            found.append(
                Finding(CHECKS["ignored-rules"], policy.namespace, why, fix, (policy.ref,))
            )
    return found
