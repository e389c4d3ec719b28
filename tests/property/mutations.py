"""Invalid inputs: a valid firewall config with one mutation, and corrupted Kubernetes objects.

Config mutations come in families (one test each, so that each kind of failure is reported on
its own): values of the wrong type, values of a wrong type that a lax reader could coerce,
unknown keys, bad names and labels, bad ports, bad ipBlocks, references and duplicates,
missing or empty required parts, and line breaks inside strings. Every mutation makes the config invalid whatever the rest of
it holds; each is returned with a one-line description.

Manifest corruptions delete a key, change a value's type, inject an unknown field, swap a list
and a map, empty a string or put a huge number, anywhere in one object; each comes with whether
Kubernetes certainly refuses the result (then podfence must too) or it may still be valid.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st
from podfence.config import FirewallConfig
from property.strategies import dns_labels, firewall_configs, ip_blocks

__all__ = ["Corruption", "corruptions", "invalid_configs"]

Path = tuple[Any, ...]

# -- the config's shape --------------------------------------------------------------------

#: Object types: key -> type of its value.
OBJECTS: dict[str, dict[str, str]] = {
    "config": {
        "namespace": "dns",
        "defaultDeny": "deny",
        "tiers": "tiers",
        "flows": "flows",
        "ingressController": "controller",
        "namespaceAllows": "namespace-allows",
        "ipBlockAllows": "ip-block-allows",
        "createNamespaces": "bool",
    },
    "deny": {
        "namespaces": "dns-list",
        "ingress": "bool",
        "egress": "bool",
        "allowDns": "bool",
        "dns": "dns-egress",
    },
    "dns-egress": {
        "namespace": "dns",
        "podLabels": "labels",
        "ports": "ports",
        "policyName": "subdomain",
    },
    "tier": {"podLabels": "labels", "namespace": "dns", "ports": "ports", "egressIsolated": "bool"},
    "flow": {"from": "tier-ref", "to": "tier-ref", "ports": "ports", "name": "subdomain"},
    "controller": {
        "tier": "tier-ref",
        "namespace": "dns",
        "podSelector": "selector",
        "ports": "ports",
        "policyName": "subdomain",
    },
    "namespace-allow": {
        "name": "subdomain",
        "namespaces": "dns-list",
        "podSelector": "selector",
        "fromNamespaceSelector": "selector",
        "fromNamespaceNames": "dns-list",
        "fromPodSelector": "selector",
        "ports": "ports",
    },
    "ip-block-allow": {
        "name": "subdomain",
        "namespaces": "dns-list",
        "ipBlocks": "ip-blocks",
        "direction": "direction",
        "podSelector": "selector",
        "ports": "ports",
    },
    "ip-block": {"cidr": "cidr", "except": "cidr-list"},
    "selector": {"matchLabels": "labels", "matchExpressions": "expressions"},
    "expression": {"key": "label-key", "operator": "operator", "values": "label-values"},
    "port": {"port": "port-or-name", "endPort": "port-number", "protocol": "protocol"},
}
#: List types: type of their items.
LISTS = {
    "flows": "flow",
    "namespace-allows": "namespace-allow",
    "ip-block-allows": "ip-block-allow",
    "ip-blocks": "ip-block",
    "expressions": "expression",
    "ports": "port",
    "dns-list": "dns",
    "cidr-list": "cidr",
    "label-values": "label-value",
}
STRINGS = {
    "dns",
    "subdomain",
    "tier-ref",
    "cidr",
    "label-key",
    "label-value",
    "protocol",
    "direction",
    "operator",
}
#: What each object may not lack.
REQUIRED = {
    "config": ("namespace", "tiers"),
    "tier": ("podLabels",),
    "flow": ("from", "to"),
    "controller": ("tier",),
    "namespace-allow": ("name",),
    "ip-block-allow": ("name", "ipBlocks"),
    "ip-block": ("cidr",),
    "expression": ("key", "operator"),
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _known(kind: str) -> set[str]:
    keys = set(OBJECTS[kind])
    return keys | {_snake(k) for k in keys} | {"from_", "except_"}


def nodes(config: Any) -> list[tuple[Path, str]]:
    """Every value of the config with its type, the root first."""
    out: list[tuple[Path, str]] = []

    def walk(value: Any, kind: str, path: Path) -> None:
        out.append((path, kind))
        if kind in OBJECTS and isinstance(value, dict):
            for key, item in value.items():
                if key in OBJECTS[kind]:
                    walk(item, OBJECTS[kind][key], (*path, key))
        elif kind == "tiers":
            for name, tier in value.items():
                walk(tier, "tier", (*path, name))
        elif kind in LISTS:
            for index, item in enumerate(value):
                walk(item, LISTS[kind], (*path, index))
        elif kind == "labels":
            for key in value:
                out.append(((*path, key), "label-value"))

    walk(config, "config", ())
    return out


def _get(config: Any, path: Path) -> Any:
    for part in path:
        config = config[part]
    return config


def _set(config: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    _get(config, path[:-1])[path[-1]] = value
    return config


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _where(path: Path) -> str:
    return ".".join(str(p) for p in path) or "(the whole config)"


# -- values --------------------------------------------------------------------------------

_WRONG_FOR_STRING = [5, 1.5, True, [], {}, ["x"]]
_WRONG_FOR_BOOL = [[], {}, "maybe", 2, 1.5, ["x"]]
_WRONG_FOR_LIST = [5, "x", {}, {"a": 1}, True, 1.5]
_WRONG_FOR_MAP = ["x", 5, [], ["a"], True, 1.5]
_WRONG = {
    **dict.fromkeys(STRINGS, _WRONG_FOR_STRING),
    **dict.fromkeys(LISTS, _WRONG_FOR_LIST),
    **dict.fromkeys([*OBJECTS, "tiers", "labels"], _WRONG_FOR_MAP),
    "bool": _WRONG_FOR_BOOL,
    "port-number": [[], {}, 1.5, "x", [80]],
    "port-or-name": [[], {}, 1.5, True, [80]],
    # A port entry may be a number, a string or a map; none of these is one.
    "port": [[], 1.5, True, [80], {"port": [80]}],
}
_WRONG["config"] = [*_WRONG_FOR_MAP, None]

#: Values that are of the wrong type, but that a lax reader turns into one of the right type.
_COERCIBLE_BOOLS = ["true", "yes", "on", "1", 1, 0, "false", "no", "off", "0"]
_COERCIBLE_END_PORTS = ["65535", 65535.0, True]

_BAD_DNS_LABELS = ["Foo", "a_b", "-a", "a-", "a" * 64, "", "a.b", "app\n", "é", " a", "a b"]
_BAD_SUBDOMAINS = ["Foo", "a_b", "-a", "a..b", "a" * 254, "", "x\n", "a.-b", "a b"]
_BAD_LABEL_KEYS = [
    "-app",
    "app-",
    "a/b/c",
    "/app",
    "Foo.com/x",
    "a" * 64,
    "",
    "a b",
    "app\n",
    "ex_ample.com/app",
    "é",
    "a/",
    "x" * 254 + "/a",
]
_BAD_LABEL_VALUES = ["-x", "x-", "a b", "x" * 64, "a/b", "x\n", "é", "a,b"]
_BAD_PORTS: list[Any] = [
    0,
    70000,
    -1,
    "0/TCP",
    "70000/UDP",
    {"port": 0},
    {"port": 70000},
    "8000-70000/TCP",
    {"port": 100, "endPort": 50},
    "100-50/TCP",
    {"port": 80, "endPort": 70000},
    {"endPort": 90},
    {"port": "http", "endPort": 90},
    "80/tcp",
    "80/ICMP",
    {"port": 80, "protocol": "HTTP"},
    "a--b",
    "-http",
    "abcdefghijklmnop",
    "http_x",
    "http\n",
    "",
    "123456",
    "12345678901234567890",
]
_UNKNOWN_KEYS = [
    "podSelecter",
    "nameSpace",
    "portz",
    "matchlabels",
    "egres",
    "Name",
    "fromTier",
    "policy-name",
    "namespaceselector",
    "x",
]
_WEIRD_TIER_REFERENCES = ["Web", "a\nb", "web ", "", "-", "no such tier"]


# -- mutations -----------------------------------------------------------------------------


def _pick(draw: st.DrawFn, items: list[Any]) -> Any:
    return draw(st.sampled_from(items))


def _wrong_type(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    path, kind = _pick(draw, nodes(config))
    value = _pick(draw, _WRONG[kind])
    return _set(config, path, value), f"{_where(path)} ({kind}) set to {_show(value)}"


def _coercible_type(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    tier = _pick(draw, sorted(config["tiers"]))
    targets: list[Path] = [
        ("createNamespaces",),
        ("defaultDeny", "ingress"),
        ("defaultDeny", "egress"),
        ("defaultDeny", "allowDns"),
        ("tiers", tier, "egressIsolated"),
        ("tiers", tier, "ports"),
    ]
    path = _pick(draw, targets)
    if path[0] == "defaultDeny":
        config.setdefault("defaultDeny", {})
    if path[-1] == "ports":
        end = _pick(draw, _COERCIBLE_END_PORTS)
        value: Any = [{"port": 1, "endPort": end}]
    else:
        value = _pick(draw, _COERCIBLE_BOOLS)
    return _set(config, path, value), f"{_where(path)} set to {_show(value)}"


def _unknown_key(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    objects = [
        (path, kind)
        for path, kind in nodes(config)
        if kind in OBJECTS and isinstance(_get(config, path), dict)
    ]
    path, kind = _pick(draw, objects)
    key = _pick(draw, [k for k in _UNKNOWN_KEYS if k not in _known(kind)])
    _get(config, path)[key] = draw(st.sampled_from(["x", 1, True, [], {}]))
    return config, f"unknown key {key!r} in {_where(path)} ({kind})"


def _rename_tier(config: dict[str, Any], old: str, new: str) -> None:
    config["tiers"] = {new if k == old else k: v for k, v in config["tiers"].items()}
    for flow in config.get("flows", ()):
        for end in ("from", "to"):
            if flow[end] == old:
                flow[end] = new
    controller = config.get("ingressController")
    if controller and controller["tier"] == old:
        controller["tier"] = new


def _bad_name_or_label(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    found = nodes(config)
    choices: list[tuple[str, Any]] = [("tier-name", None)]
    choices += [(kind, path) for path, kind in found if kind in ("dns", "subdomain")]
    choices += [("label-value", path) for path, kind in found if kind == "label-value"]
    choices += [("label-key", path) for path, kind in found if kind == "label-key"]
    choices += [("label-map-key", path) for path, kind in found if kind == "labels"]
    kind, path = _pick(draw, choices)
    if kind == "tier-name":
        old = _pick(draw, sorted(config["tiers"]))
        new = _pick(draw, [n for n in _BAD_DNS_LABELS if n not in config["tiers"]])
        _rename_tier(config, old, new)
        return config, f"tier {old!r} renamed {new!r}"
    if kind == "label-map-key":
        labels = _get(config, path)
        key = _pick(draw, _BAD_LABEL_KEYS)
        labels[key] = "x"
        return config, f"label key {key!r} in {_where(path)}"
    pool = {
        "dns": _BAD_DNS_LABELS,
        "subdomain": _BAD_SUBDOMAINS,
        "label-value": _BAD_LABEL_VALUES,
        "label-key": _BAD_LABEL_KEYS,
    }[kind]
    value = _pick(draw, pool)
    return _set(config, path, value), f"{_where(path)} ({kind}) set to {_show(value)}"


_PORT_OWNERS = ("tier", "flow", "controller", "namespace-allow", "ip-block-allow", "dns-egress")


def _bad_port(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    owners = [
        path
        for path, kind in nodes(config)
        if kind in _PORT_OWNERS and isinstance(_get(config, path), dict)
    ]
    path = _pick(draw, owners)
    ports = _get(config, path).setdefault("ports", [])
    bad = _pick(draw, _BAD_PORTS)
    ports.insert(draw(st.integers(0, len(ports))), copy.deepcopy(bad))
    return config, f"port {_show(bad)} in {_where(path)}.ports"


def _bad_ip_block(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    cidr = ipaddress.ip_network(draw(ip_blocks())["cidr"])
    if cidr.prefixlen > 28:  # room for an except two bits longer that still has host bits
        cidr = cidr.supernet(new_prefix=24)
    inside = next(cidr.subnets(prefixlen_diff=2))
    outside_base = ipaddress.ip_network(
        (int(cidr.network_address) ^ (1 << (32 - cidr.prefixlen)), cidr.prefixlen)
    )
    choices: dict[str, dict[str, Any]] = {
        "cidr with host bits": {"cidr": f"{cidr.network_address + 1}/{cidr.prefixlen}"},
        "cidr without a mask": {"cidr": str(cidr.network_address)},
        "cidr /33": {"cidr": f"{cidr.network_address}/33"},
        "cidr out of range": {"cidr": "300.0.0.0/8"},
        "cidr not an address": {"cidr": "abc/8"},
        "empty cidr": {"cidr": ""},
        "except outside the cidr": {
            "cidr": str(cidr),
            "except": [str(next(outside_base.subnets(prefixlen_diff=1)))],
        },
        "except equal to the cidr": {"cidr": str(cidr), "except": [str(cidr)]},
        "except wider than the cidr": {"cidr": str(cidr), "except": [str(cidr.supernet())]},
        "except of the other family": {"cidr": str(cidr), "except": ["fd00::/64"]},
        "except with host bits": {
            "cidr": str(cidr),
            "except": [f"{inside.network_address + 1}/{inside.prefixlen}"],
        },
        "except a single string": {"cidr": str(cidr), "except": str(inside)},
        "except not a CIDR": {"cidr": str(cidr), "except": ["not-a-cidr"]},
    }
    what = _pick(draw, sorted(choices))
    block = choices[what]
    allows = config.setdefault("ipBlockAllows", [])
    if not allows or draw(st.booleans()):
        allows.append({"name": "ip-bad", "ipBlocks": [block]})
    else:
        target = _pick(draw, allows)
        target["ipBlocks"].insert(draw(st.integers(0, len(target["ipBlocks"]))), block)
    return config, f"{what}: {block}"


def _twice(draw: st.DrawFn, config: dict[str, Any]) -> None:
    """Repeat a flow (adding one, and a tier, when there are none)."""
    flows = config.setdefault("flows", [])
    if not flows:
        tiers = sorted(config["tiers"])
        if len(tiers) < 2:
            config["tiers"]["other-tier"] = {"podLabels": {"app": "other"}}
            tiers.append("other-tier")
        flows.append({"from": tiers[0], "to": tiers[1]})
    flows.append(copy.deepcopy(_pick(draw, flows)))


def _dns_named_deny_all(config: dict[str, Any]) -> None:
    deny = config.setdefault("defaultDeny", {})
    deny.update(egress=True, allowDns=True)
    deny.setdefault("dns", {})["policyName"] = "deny-all"


def _bad_reference(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    tiers = sorted(config["tiers"])
    unknown = draw(st.sampled_from(_WEIRD_TIER_REFERENCES) | dns_labels(12))
    if unknown in config["tiers"]:
        unknown += "-x"
    manifests = [
        (m["metadata"]["namespace"], m["metadata"]["name"])
        for m in FirewallConfig.parse(config).manifests()
    ]
    namespace, name = _pick(draw, manifests)
    allow = {"name": name, "namespaces": [namespace], "fromNamespaceNames": ["elsewhere"]}
    twice = {**allow, "name": "twice"}
    block = {"name": name, "namespaces": [namespace], "ipBlocks": [{"cidr": "203.0.113.0/24"}]}
    mutations: dict[str, Any] = {
        "flow from an unknown tier": lambda: config.setdefault("flows", []).append(
            {"from": unknown, "to": _pick(draw, tiers)}
        ),
        "flow to an unknown tier": lambda: config.setdefault("flows", []).append(
            {"from": _pick(draw, tiers), "to": unknown}
        ),
        "ingress controller of an unknown tier": lambda: config.update(
            ingressController={**config.get("ingressController", {}), "tier": unknown}
        ),
        "a flow twice": lambda: _twice(draw, config),
        "namespace allow named like another policy": lambda: config.setdefault(
            "namespaceAllows", []
        ).append(allow),
        "ip-block allow named like another policy": lambda: config.setdefault(
            "ipBlockAllows", []
        ).append(block),
        "two namespace allows of one name": lambda: config.setdefault("namespaceAllows", []).extend(
            [twice, copy.deepcopy(twice)]
        ),
        "a namespace twice in defaultDeny.namespaces": lambda: config.setdefault(
            "defaultDeny", {}
        ).update(namespaces=[namespace, "other", namespace]),
        "a namespace twice in a namespace allow": lambda: config.setdefault(
            "namespaceAllows", []
        ).append({**twice, "namespaces": [namespace, namespace]}),
        "dns policy named like the deny policy": lambda: _dns_named_deny_all(config),
    }
    what = _pick(draw, list(mutations))
    mutations[what]()
    shown = f" ({unknown!r})" if "unknown" in what else f" ({namespace}/{name})"
    return config, what + shown


def _missing_or_empty(draw: st.DrawFn, config: Any) -> tuple[Any, str]:
    found = nodes(config)
    choices: list[tuple[str, Any]] = [
        (f"without {key}", (path, key))
        for path, kind in found
        if kind in REQUIRED and isinstance(_get(config, path), dict)
        for key in REQUIRED[kind]
    ]
    # Empty where at least one is needed: a tier's labels, ipBlocks, lists of namespaces.
    empties = {"labels": {}, "ip-blocks": [], "dns-list": []}
    choices += [
        (f"empty {kind}", path)
        for path, kind in found
        if kind in ("ip-blocks", "dns-list") or (kind == "labels" and path[:1] == ("tiers",))
    ]
    choices += [
        ("no tiers", None),
        ("denies nothing", None),
        ("a namespace allow with no source", None),
        ("a namespace allow with two sources", None),
        ("an In expression without values", None),
        ("an Exists expression with values", None),
        ("no DNS ports", None),
        ("not a map", None),
    ]
    what, where = _pick(draw, choices)
    allow: dict[str, Any] = {"name": "odd", "fromNamespaceNames": ["x"]}
    if what.startswith("without "):
        path, key = where
        del _get(config, path)[key]
        return config, f"{_where(path)} {what}"
    if what.startswith("empty "):
        kind = what.removeprefix("empty ")
        return _set(config, where, empties[kind]), f"{_where(where)} empty"
    if what == "no tiers":
        config["tiers"] = {}
        config.pop("flows", None)
        config.pop("ingressController", None)
    elif what == "denies nothing":
        config["defaultDeny"] = {**config.get("defaultDeny", {}), "ingress": False, "egress": False}
    elif what == "a namespace allow with no source":
        del allow["fromNamespaceNames"]
    elif what == "a namespace allow with two sources":
        allow["fromNamespaceSelector"] = {"matchLabels": {"team": "x"}}
    elif what == "an In expression without values":
        allow["podSelector"] = {"matchExpressions": [{"key": "app", "operator": "In"}]}
    elif what == "an Exists expression with values":
        allow["podSelector"] = {
            "matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]
        }
    elif what == "no DNS ports":
        deny = config.setdefault("defaultDeny", {})
        deny.update(egress=True, allowDns=True)
        deny.setdefault("dns", {})["ports"] = []
    else:
        return _pick(draw, [[config], "firewall", 5, None, True]), what
    if "namespace allow" in what or "expression" in what:
        config.setdefault("namespaceAllows", []).append(allow)
    return config, what


def _line_break(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, str]:
    """A line break in a name, a reference, a label, a port or a protocol: never valid, and
    the message that names the value must still be one line. (CIDRs are left out: podfence
    strips the whitespace around them and writes the network back normalised.)"""
    found = nodes(config)
    choices: list[tuple[str, Any]] = [("tier-name", None)]
    choices += [("value", path) for path, kind in found if kind in STRINGS - {"cidr"}]
    choices += [("label-key", path) for path, kind in found if kind == "labels"]
    choices += [
        ("port", path)
        for path, kind in found
        if kind == "port" and isinstance(_get(config, path), str)
    ]
    what, path = _pick(draw, choices)
    brk = _pick(draw, ["\n", "\r\n", "\r"])

    def broken(text: str) -> str:
        at = draw(st.integers(0, len(text)))
        return text[:at] + brk + text[at:]

    if what == "tier-name":
        old = _pick(draw, sorted(config["tiers"]))
        new = broken(old)
        _rename_tier(config, old, new)
        return config, f"tier {old!r} renamed {new!r}"
    if what == "label-key":
        labels = _get(config, path)
        key = broken(_pick(draw, sorted(labels)) if labels else "app")
        labels[key] = "x"
        return config, f"label key {key!r} in {_where(path)}"
    value = broken(_get(config, path))
    return _set(config, path, value), f"{_where(path)} set to {value!r}"


FAMILIES = {
    "wrong-type": _wrong_type,
    "coercible-type": _coercible_type,
    "unknown-key": _unknown_key,
    "bad-name-or-label": _bad_name_or_label,
    "bad-port": _bad_port,
    "bad-ip-block": _bad_ip_block,
    "bad-reference": _bad_reference,
    "missing-or-empty": _missing_or_empty,
    "line-break": _line_break,
}


@st.composite
def invalid_configs(draw: st.DrawFn, family: str) -> tuple[Any, str]:
    """(config, what was broken): a valid config with one mutation of ``family``."""
    config = copy.deepcopy(draw(firewall_configs()))
    return FAMILIES[family](draw, config)


# -- corrupted Kubernetes objects ----------------------------------------------------------


def _paths(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return type(value).__name__


def _evaluated(kind: str, path: Path) -> bool:
    """Whether podfence reads the field at ``path`` of an object of ``kind``."""
    if path[:2] in (("metadata", "name"), ("metadata", "namespace"), ("metadata", "labels")):
        return kind != "Namespace" or path[1] != "namespace"
    if kind == "NetworkPolicy":
        return path[:1] == ("spec",)
    if kind == "Pod":
        return (len(path) >= 4 and path[:2] == ("spec", "containers") and path[3] == "ports") or (
            path[:2] in (("status", "podIP"), ("status", "podIPs"))
        )
    return False


# Deleting these leaves an object Kubernetes refuses.
_REQUIRED_KEYS = {"cidr", "key", "operator", "containerPort"}
# Every object needs metadata with a name.
_NAMED = (("metadata",), ("metadata", "name"))
# The operators that need values.
_SETS = ("In", "NotIn")


class Corruption:
    """A corrupted object: the objects to load, what was done, and whether it must fail."""

    def __init__(self, objects: list[dict[str, Any]], what: str, must_fail: bool) -> None:
        self.objects = objects
        self.what = what
        self.must_fail = must_fail

    def __repr__(self) -> str:
        return f"Corruption({self.what!r}, must_fail={self.must_fail})"


_OTHER_VALUES: list[Any] = [None, "", "x", 0, -1, 1.5, True, [], {}, ["x"], {"a": 1}, 10**30]


def _deleted(obj: dict[str, Any], path: Path, evaluated: bool) -> tuple[str, bool]:
    parent, key = _get(obj, path[:-1]), path[-1]
    del parent[key]
    if isinstance(parent, list):
        return "deleted (a list item)", False
    must_fail = path in _NAMED or (evaluated and key in _REQUIRED_KEYS)
    if key == "values" and parent.get("operator") in _SETS:
        must_fail = evaluated
    if key == "port" and "endPort" in parent:
        must_fail = evaluated
    return "deleted", must_fail


def _unknown_field(
    draw: st.DrawFn, kind: str, path: Path, value: dict[str, Any]
) -> tuple[str, bool]:
    extra = draw(st.sampled_from(["podSelecter", "zz-unknown", "portt"]))
    value[extra] = draw(st.sampled_from(["x", 1, {}, []]))
    # A new key in a label map is a label: valid when its value is a string.
    is_label = path[-1] in ("labels", "matchLabels") and isinstance(value[extra], str)
    must_fail = kind == "NetworkPolicy" and path[:1] == ("spec",) and not is_label
    return f"unknown field {extra!r} added", must_fail


def _emptied(obj: dict[str, Any], kind: str, path: Path, evaluated: bool) -> tuple[str, bool]:
    _set(obj, path, "")
    key = path[-1]
    # A containerPort's protocol "" defaults to TCP; a NetworkPolicy port's is refused.
    must_fail = path == ("metadata", "name") or (
        evaluated
        and key in ("cidr", "key", "port", "operator", "protocol")
        and (key != "protocol" or kind == "NetworkPolicy")
    )
    if isinstance(key, int) and path[-2] in ("except", "policyTypes"):
        must_fail = evaluated
    return "set to ''", must_fail


def _swapped(obj: dict[str, Any], path: Path, value: Any, evaluated: bool) -> tuple[str, bool]:
    if isinstance(value, list):
        new: Any = {str(i): item for i, item in enumerate(value)}
    else:
        new = [value]
    _set(obj, path, new)
    return f"{_json_type(value)} swapped for {_show(new)}", evaluated or path in _NAMED


def _retyped(
    draw: st.DrawFn, obj: dict[str, Any], path: Path, value: Any, evaluated: bool
) -> tuple[str, bool]:
    new = draw(st.sampled_from([v for v in _OTHER_VALUES if _json_type(v) != _json_type(value)]))
    parent, key = _get(obj, path[:-1]), path[-1]
    parent[key] = new
    if new is None:  # null is absent: a failure only where the field is needed
        must_fail = path in _NAMED or (evaluated and key in _REQUIRED_KEYS)
        if key in ("port", "values") and isinstance(parent, dict):
            must_fail = evaluated and ("endPort" in parent or parent.get("operator") in _SETS)
    elif key == "port" and isinstance(new, str):
        must_fail = False  # a named port
    else:
        must_fail = evaluated or path in _NAMED
    return f"{_json_type(value)} {_show(value)} set to {_show(new)}", must_fail


@st.composite
def corruptions(draw: st.DrawFn, objects: list[dict[str, Any]]) -> Corruption:
    """One object of ``objects`` corrupted at one place (see the module docstring)."""
    objects = copy.deepcopy(objects)
    obj = objects[draw(st.integers(0, len(objects) - 1))]
    kind = obj["kind"]
    name = f"{kind} {obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"
    paths = list(_paths(obj))[1:]
    # Mostly the fields podfence reads (a pod has many it ignores), sometimes any field.
    read = [(p, v) for p, v in paths if _evaluated(kind, p) or p in _NAMED]
    path, value = draw(st.sampled_from(read if read and draw(st.integers(0, 2)) else paths))
    evaluated = _evaluated(kind, path)
    operations = ["delete", "retype", "swap", "huge"]
    if isinstance(value, dict):
        operations.append("unknown field")
    if isinstance(value, str):
        operations.append("empty string")
    operation = draw(st.sampled_from(operations))
    if operation == "delete":
        what, must_fail = _deleted(obj, path, evaluated)
    elif operation == "unknown field":
        what, must_fail = _unknown_field(draw, kind, path, value)
    elif operation == "empty string":
        what, must_fail = _emptied(obj, kind, path, evaluated)
    elif operation == "swap":
        what, must_fail = _swapped(obj, path, value, evaluated)
    elif operation == "huge":
        new = draw(st.sampled_from([2**31, 2**63, 10**30, -(2**31)]))
        _set(obj, path, new)
        # Every number in these objects is a port; every other field a string, map or list.
        what, must_fail = f"set to {new}", evaluated or path in _NAMED
    else:
        what, must_fail = _retyped(draw, obj, path, value, evaluated)
    return Corruption(objects, f"{name}: {_where(path)} {what}", must_fail)
