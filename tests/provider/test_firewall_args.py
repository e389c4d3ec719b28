"""Firewall's args mirror FirewallConfig; its allow entries differ from the components' args
only in ``namespaces``, which the firewall fills in."""

from __future__ import annotations

from podfence import config, spec
from podfence.provider import args, firewall_args
from typed_dicts import mirror_problems

FILLED = {
    firewall_args.NamespaceAllowEntry: {"namespaces"},
    firewall_args.IpBlockAllowEntry: {"namespaces"},
}


def test_firewall_args_mirror_the_firewall_config_all_the_way_down() -> None:
    assert mirror_problems(firewall_args.FirewallArgs, config.FirewallConfig, FILLED) == []


def test_the_allow_entries_may_omit_namespaces_which_the_firewall_fills_in() -> None:
    assert mirror_problems(firewall_args.NamespaceAllowEntry, spec.NamespaceAllowSpec) == [
        "NamespaceAllowEntry (NamespaceAllowSpec): required ['name'] here, "
        "['name', 'namespaces'] expected"
    ]
    for entry, component in [
        (firewall_args.NamespaceAllowEntry, args.NamespaceAllowArgs),
        (firewall_args.IpBlockAllowEntry, args.IpBlockAllowArgs),
    ]:
        assert entry.__annotations__.keys() == component.__annotations__.keys()
        assert component.__required_keys__ - entry.__required_keys__ == {"namespaces"}
