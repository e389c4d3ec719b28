"""Hypothesis strategies: random VALID firewall configs, as plain dicts in the stack-file form.

A config drawn here is what a person could write under ``firewall:`` in a stack file
(camelCase keys, port shorthands, omitted keys left out) and passes ``FirewallConfig.parse``:

* 1-5 tiers with DNS-label names, label maps that follow the Kubernetes label rules (keys with
  and without a prefix, empty values, 63-character names), an optional namespace, and numeric
  ports only (``80``, ``"53/UDP"``, ``"8000-8100/TCP"``, maps, ``all/SCTP``): the derived
  inventory refuses named tier ports;
* flows between distinct tiers, each pair once, with or without ports (named ports too) and
  names;
* ``defaultDeny`` omitted or with ingress/egress/allowDns/namespaces/dns choices;
* an optional ``ingressController``;
* ``namespaceAllows`` by names or by a namespaceSelector with matchLabels;
* ``ipBlockAllows`` with IPv4 CIDRs and excepts strictly inside them.

Label keys and values, tier names and namespaces are drawn partly from small pools, so that
tiers share labels (a pod of one tier selected by another tier's selector) and namespaces.
Policy names are chosen so that no two policies collide.

The strategies are built once, at import: building them inside every draw costs more than the
tests themselves.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "NAMESPACE_POOL",
    "PROTOCOLS",
    "dns_labels",
    "firewall_configs",
    "ip_blocks",
    "numeric_ports",
]

PROTOCOLS = ("TCP", "UDP", "SCTP")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM = _LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Namespaces tiers and allows pick from besides the firewall's own: some are special to the
#: derived inventory (default holds the outsider, kube-system the DNS pods, ingress-nginx the
#: ingress controller).
NAMESPACE_POOL = ("team-a", "team-b", "monitoring", "default", "kube-system", "ingress-nginx")
_TIER_NAMES = ("web", "api", "db", "ui", "cache", "worker")
_KEY_POOL = ("app", "tier", "role", "app.kubernetes.io/name", "example.com/team", "Team_1.x")
_VALUE_POOL = ("web", "api", "db", "", "frontend", "v1.2_3", "A")
_COMMON_PORTS = (53, 80, 443, 5432, 6379, 8080, 9090)
_PORT_NAMES = ("http", "metrics", "dns-tcp", "grpc2")


def _token(first_last: str, middle: str, max_size: int) -> st.SearchStrategy[str]:
    """1 to ``max_size`` characters: first and last from ``first_last``, the rest from ``middle``."""
    ends = st.sampled_from(first_last)
    longer = st.builds(
        lambda a, body, z: a + body + z, ends, st.text(alphabet=middle, max_size=max_size - 2), ends
    )
    return ends | longer


_DNS_LABELS = {size: _token(_LOWER_ALNUM, _LOWER_ALNUM + "-", size) for size in (12, 20, 63)}


def dns_labels(max_size: int = 63) -> st.SearchStrategy[str]:
    """RFC 1123 labels (what namespace and tier names must be), of 12, 20 or 63 characters at most."""
    return _DNS_LABELS[max_size]


_LABEL_NAME = _token(_ALNUM, _ALNUM + "-_.", 63)
_SUBDOMAIN = st.lists(_DNS_LABELS[12], min_size=1, max_size=3).map(".".join)
#: Label keys: a pool, a name of 1-63 characters, or a DNS-subdomain prefix, '/' and a name.
LABEL_KEYS = (
    st.sampled_from(_KEY_POOL)
    | _LABEL_NAME
    | st.builds(lambda prefix, name: f"{prefix}/{name}", _SUBDOMAIN, _LABEL_NAME)
)
#: Label values: empty, or 1-63 characters of letters, digits, '-', '_' and '.'.
LABEL_VALUES = st.sampled_from(_VALUE_POOL) | _LABEL_NAME
_LABEL_MAPS = {
    (low, high): st.dictionaries(LABEL_KEYS, LABEL_VALUES, min_size=low, max_size=high)
    for low, high in ((0, 1), (0, 2), (1, 2), (1, 3))
}
_NUMERIC_PORTS = st.sampled_from(_COMMON_PORTS) | st.integers(1, 65535)


def numeric_ports() -> st.SearchStrategy[int]:
    return _NUMERIC_PORTS


_SPANS = st.sampled_from((0, 5, 100, 70000))
_FORMS = st.integers(0, 7)
_NAMED_FORMS = st.integers(0, 10)
_INDEX = st.integers(0, 1 << 16)
_COIN = st.booleans()
_CHANCE = {n: st.integers(0, n) for n in (2, 3, 4, 5, 7)}


def _choose(draw: st.DrawFn, items: Any) -> Any:
    """One of ``items`` (any sequence), shrinking toward the first."""
    items = list(items)
    return items[draw(_INDEX) % len(items)]


def _one_in(draw: st.DrawFn, n: int) -> bool:
    return draw(_CHANCE[n - 1]) == 0


@st.composite
def _port_entry(draw: st.DrawFn, named: bool) -> Any:
    """One entry of a ``ports`` list in any of its config spellings (numeric unless ``named``)."""
    protocol = _choose(draw, PROTOCOLS)
    low = draw(_NUMERIC_PORTS)
    high = min(65535, low + draw(_SPANS))
    high = low + draw(_INDEX) % (high - low + 1)
    forms: list[Any] = [
        low,
        f"{low}/{protocol}",
        f"{low}-{high}/{protocol}",
        {"port": low, "protocol": protocol},
        {"port": low, "endPort": high, "protocol": protocol},
        {"port": low},
        f"all/{protocol}",
        {"protocol": protocol},
    ]
    if named:
        name = _choose(draw, _PORT_NAMES)
        forms += [name, f"{name}/{protocol}", {"port": name, "protocol": protocol}]
    return forms[draw(_NAMED_FORMS if named else _FORMS)]


_PORT_LISTS = {
    (named, low): st.lists(_port_entry(named), min_size=low, max_size=3)
    for named in (False, True)
    for low in (0, 1)
}


def _ports(draw: st.DrawFn, named: bool = False, min_size: int = 0) -> list[Any]:
    return draw(_PORT_LISTS[(named, min_size)])


def _selector(draw: st.DrawFn, pods: list[dict[str, str]]) -> dict[str, Any]:
    """A label selector: a tier's labels, a subset of them, random labels, or expressions."""
    choice = _choose(draw, ("tier", "subset", "random", "empty", "expressions"))
    if choice == "tier" and pods:
        return {"matchLabels": dict(_choose(draw, pods))}
    if choice == "subset" and pods:
        labels = _choose(draw, pods)
        return {"matchLabels": {k: v for k, v in sorted(labels.items()) if draw(_COIN)}}
    if choice == "empty":
        return {}
    out: dict[str, Any] = {}
    labels = draw(_LABEL_MAPS[(0, 2)])
    if labels:
        out["matchLabels"] = labels
    if choice == "expressions":
        expressions = []
        for _ in range(1 + draw(_COIN)):
            operator = _choose(draw, ("In", "NotIn", "Exists", "DoesNotExist"))
            expression: dict[str, Any] = {"key": draw(LABEL_KEYS), "operator": operator}
            if operator in ("In", "NotIn"):
                expression["values"] = [draw(LABEL_VALUES) for _ in range(1 + draw(_COIN))]
            expressions.append(expression)
        out["matchExpressions"] = expressions
    return out


# First octets that never cover all four of the derived inventory's pod ranges (10.244/16,
# 172.20/16, 100.64/16, 192.168.240/20): 192 is left out.
_FIRST_OCTETS = st.sampled_from((10, 100, 172, 203, 198, 8, 1, 55, 250))
_LOW_BITS = st.integers(0, (1 << 24) - 1)
_PREFIXES = st.integers(8, 32)


@st.composite
def ip_blocks(draw: st.DrawFn) -> dict[str, Any]:
    """An ipBlock: an IPv4 CIDR and 0-2 excepts strictly inside it."""
    address = draw(_FIRST_OCTETS) << 24 | draw(_LOW_BITS)
    cidr = ipaddress.ip_network((address, draw(_PREFIXES)), strict=False)
    block: dict[str, Any] = {"cidr": str(cidr)}
    if cidr.prefixlen < 32 and draw(_COIN):
        excepts = []
        for _ in range(1 + draw(_COIN)):
            prefix = cidr.prefixlen + 1 + draw(_INDEX) % (32 - cidr.prefixlen)
            offset = draw(_LOW_BITS) % (1 << (prefix - cidr.prefixlen))
            base = int(cidr.network_address) + (offset << (32 - prefix))
            excepts.append(str(ipaddress.ip_network((base, prefix))))
        block["except"] = excepts
    return block


_IP_BLOCK_LISTS = st.lists(ip_blocks(), min_size=1, max_size=2)
_FIREWALL_NAMESPACES = st.sampled_from(("guestbook", "shop")) | _DNS_LABELS[20]
_TIER_NAME_LISTS = st.lists(
    st.sampled_from(_TIER_NAMES) | _DNS_LABELS[12], min_size=1, max_size=5, unique=True
)
_MAYBE_BOOL = st.sampled_from((None, True, False))


def _namespaces(draw: st.DrawFn, namespaces: list[str]) -> list[str]:
    """1-3 distinct namespaces of ``namespaces``."""
    return list(dict.fromkeys(_choose(draw, namespaces) for _ in range(1 + draw(_CHANCE[2]))))


def _tiers(draw: st.DrawFn, names: list[str], namespaces: list[str]) -> dict[str, Any]:
    tiers: dict[str, Any] = {}
    labels_so_far: list[dict[str, str]] = []
    for name in names:
        if labels_so_far and _one_in(draw, 5):  # share or extend another tier's labels
            labels = {**_choose(draw, labels_so_far), **draw(_LABEL_MAPS[(0, 1)])}
        else:
            labels = draw(_LABEL_MAPS[(1, 3)])
        labels_so_far.append(labels)
        tier: dict[str, Any] = {"podLabels": labels}
        if _one_in(draw, 3):
            tier["namespace"] = _choose(draw, namespaces)
        if draw(_COIN):
            tier["ports"] = _ports(draw)
        if _one_in(draw, 8):
            tier["egressIsolated"] = draw(_COIN)
        tiers[name] = tier
    return tiers


def _flows(draw: st.DrawFn, names: list[str], tier_namespace: dict[str, str]) -> list[Any]:
    pairs = [(a, b) for a in names for b in names if a != b]
    chosen = (
        list(dict.fromkeys(_choose(draw, pairs) for _ in range(draw(_CHANCE[5])))) if pairs else []
    )
    flows = []
    made: set[tuple[str, str]] = set()
    for index, (source, destination) in enumerate(chosen):
        flow: dict[str, Any] = {"from": source, "to": destination}
        name = f"allow-{source}-to-{destination}"
        # A tier name holding "-to-" can make two flows' default names equal: name one.
        if _one_in(draw, 6) or (tier_namespace[destination], name) in made:
            name = flow["name"] = f"flow-{index}"
        made.add((tier_namespace[destination], name))
        if draw(_COIN):
            flow["ports"] = _ports(draw, named=True)
        flows.append(flow)
    return flows


def _default_deny(draw: st.DrawFn, namespaces: list[str]) -> dict[str, Any]:
    deny: dict[str, Any] = {}
    ingress, egress = draw(_MAYBE_BOOL), draw(_MAYBE_BOOL)
    if ingress is False and egress in (None, False):
        egress = True
    if ingress is not None:
        deny["ingress"] = ingress
    if egress is not None:
        deny["egress"] = egress
    allow_dns = draw(_MAYBE_BOOL)
    if allow_dns is not None:
        deny["allowDns"] = allow_dns
    if _one_in(draw, 4):
        deny["namespaces"] = _namespaces(draw, namespaces)
    if _one_in(draw, 4):
        dns: dict[str, Any] = {}
        if draw(_COIN):
            dns["namespace"] = _choose(draw, namespaces)
        if draw(_COIN):
            dns["podLabels"] = draw(_LABEL_MAPS[(0, 2)])
        if draw(_COIN):
            dns["ports"] = _ports(draw, min_size=1)
        if draw(_COIN):
            dns["policyName"] = "dns-egress"
        deny["dns"] = dns
    return deny


def _controller(
    draw: st.DrawFn, names: list[str], namespaces: list[str], pods: list[dict[str, str]]
) -> dict[str, Any]:
    controller: dict[str, Any] = {"tier": _choose(draw, names)}
    if draw(_COIN):
        controller["namespace"] = _choose(draw, namespaces)
    if draw(_COIN):
        controller["podSelector"] = _selector(draw, pods)
    if draw(_COIN):
        controller["ports"] = _ports(draw, named=True)
    if draw(_COIN):
        controller["policyName"] = "ingress-controller"
    return controller


def _namespace_allow(
    draw: st.DrawFn, index: int, namespaces: list[str], pods: list[dict[str, str]]
) -> dict[str, Any]:
    allow: dict[str, Any] = {"name": f"ns-allow-{index}"}
    if draw(_COIN):
        allow["namespaces"] = _namespaces(draw, namespaces)
    if draw(_COIN):
        allow["podSelector"] = _selector(draw, pods)
    how = _choose(draw, ("names", "labels", "by-name", "everything"))
    if how == "names":
        allow["fromNamespaceNames"] = _namespaces(draw, [*namespaces, "partners"])
    elif how == "labels":
        allow["fromNamespaceSelector"] = {"matchLabels": draw(_LABEL_MAPS[(1, 2)])}
    elif how == "by-name":
        name = _choose(draw, namespaces)
        allow["fromNamespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": name}}
    else:
        allow["fromNamespaceSelector"] = {}
    if draw(_COIN):
        allow["fromPodSelector"] = _selector(draw, pods)
    if draw(_COIN):
        allow["ports"] = _ports(draw, named=True)
    return allow


def _ip_block_allow(
    draw: st.DrawFn, index: int, namespaces: list[str], pods: list[dict[str, str]]
) -> dict[str, Any]:
    allow: dict[str, Any] = {"name": f"ip-allow-{index}", "ipBlocks": draw(_IP_BLOCK_LISTS)}
    if draw(_COIN):
        allow["namespaces"] = _namespaces(draw, namespaces)
    if draw(_COIN):
        allow["direction"] = _choose(draw, ("Ingress", "Egress"))
    if draw(_COIN):
        allow["podSelector"] = _selector(draw, pods)
    if draw(_COIN):
        allow["ports"] = _ports(draw, named=True)
    return allow


@st.composite
def firewall_configs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``firewall`` object (see the module docstring)."""
    namespace = draw(_FIREWALL_NAMESPACES)
    namespaces = list(dict.fromkeys([namespace, *NAMESPACE_POOL]))
    names = draw(_TIER_NAME_LISTS)
    tiers = _tiers(draw, names, namespaces)
    pods = [tier["podLabels"] for tier in tiers.values()]
    config: dict[str, Any] = {"namespace": namespace, "tiers": tiers}
    flows = _flows(draw, names, {n: tiers[n].get("namespace", namespace) for n in names})
    if flows:
        config["flows"] = flows
    if not _one_in(draw, 5):
        config["defaultDeny"] = _default_deny(draw, namespaces)
    if _one_in(draw, 3):
        config["ingressController"] = _controller(draw, names, namespaces, pods)
    allows = [_namespace_allow(draw, i, namespaces, pods) for i in range(draw(_CHANCE[3]))]
    if allows:
        config["namespaceAllows"] = allows
    blocks = [_ip_block_allow(draw, i, namespaces, pods) for i in range(draw(_CHANCE[2]))]
    if blocks:
        config["ipBlockAllows"] = blocks
    if _one_in(draw, 6):
        config["createNamespaces"] = draw(_COIN)
    return config
