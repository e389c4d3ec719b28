"""Bad stack config, expectations, Python API calls and command lines, and podfence's one line.

``CASES`` is a flat list of ``(path_kind, description, input, expected_message)`` tuples, as in
``tests/bad_inputs.py``:

* ``path_kind``: where the input goes, one of :data:`PATH_KINDS`.
* ``description``: what is wrong, as a sentence.
* ``input``: see :data:`PATH_KINDS`.
* ``expected_message``: for a command (stack config, expectations file, arguments), the one
  line on stderr after ``podfence: `` (``error: ...``; the run exits 2); for a usage error that
  argparse reports, the last line after ``podfence `` (``diff: error: ...``). For the Python API
  and the components, the message of the :class:`~podfence.errors.SpecError` raised.
  ``{file}`` stands for the file the input was written to, ``{tmp}`` for the case's temporary
  directory, ``{repo}`` for the repository.

``tests/test_bad_inputs_config.py`` runs every case through its real path.
"""

from __future__ import annotations

from typing import Any

from bad_inputs import DNS_LABEL, LABEL_CHARS, VALUE_CHARS

__all__ = ["CASES", "PATH_KINDS", "stack_file"]

#: Every path kind, with what its ``input`` is and how it is run.
PATH_KINDS = {
    "stack config": (
        "a stack file (stacks/Pulumi.case.yaml) in a copy of the project, rendered with "
        "`podfence render --stack case`: the program runs under Pulumi mocks"
    ),
    "expectations file": "an expectations file, checked with `podfence check --stack dev --expect`",
    "python api": "a Python expression over podfence.spec and podfence.config, evaluated",
    "component": (
        "a Python expression creating a podfence component, run as a Pulumi program under "
        "mocks (it must register nothing)"
    ),
    "arguments": (
        "the command line after `podfence` ({repo}: the repository; {tmp}: an empty temporary "
        "directory holding only the file `a-file`)"
    ),
}

NOT_A_PORT = "is not a port number (1-65535)"
UNKNOWN_TIER_KEY = "unknown key (known keys: podLabels, namespace, ports, egressIsolated)"


def stack_file(firewall: str, key: str = "guestbook:firewall") -> str:
    """A stack file whose firewall object is ``firewall`` (YAML, indented under the key)."""
    body = "".join(f"    {line}\n" for line in firewall.strip("\n").splitlines())
    return f"config:\n  kubernetes:context: test\n  {key}:\n{body}"


def tiers(ui: str = "{podLabels: {app: ui}, ports: [80]}", extra: str = "") -> str:
    """A firewall of two tiers, ``ui`` as given, and a flow ui -> api."""
    return (
        "namespace: guestbook\n"
        "tiers:\n"
        f"  ui: {ui}\n"
        "  api: {podLabels: {app: api}, ports: [8080]}\n"
        "flows:\n"
        "  - {from: ui, to: api}\n" + extra
    )


def expectations(entry: str, section: str = "allow") -> str:
    """An expectations file with one entry (flow-style YAML)."""
    return f"{section}:\n  - {entry}\n"


CASES: list[tuple[str, str, Any, str]] = [
    # --- stack config -----------------------------------------------------------------------
    (
        "stack config",
        "A misspelt podLabels, which leaves the required podLabels unset.",
        stack_file(tiers("{podLabel: {app: ui}, ports: [80]}")),
        "error: {file}: firewall.tiers.ui.podLabel: unknown key; did you mean podLabels?",
    ),
    (
        "stack config",
        "A misspelt top-level key of the firewall.",
        stack_file(tiers(extra="defaultDenny: {egress: true}\n")),
        "error: {file}: firewall.defaultDenny: unknown key; did you mean defaultDeny?",
    ),
    (
        "stack config",
        "A key nothing like a field: the fields are listed.",
        stack_file(tiers("{podLabels: {app: ui}, selector: {app: ui}}")),
        f"error: {{file}}: firewall.tiers.ui.selector: {UNKNOWN_TIER_KEY}",
    ),
    (
        "stack config",
        "One field in both spellings, camelCase and snake_case.",
        stack_file(tiers("{podLabels: {app: ui}, pod_labels: {app: web}}")),
        "error: {file}: firewall.tiers.ui.pod_labels: podLabels and pod_labels are the same key; "
        "keep one",
    ),
    (
        "stack config",
        "A mapping key given twice, which YAML would silently resolve to the last.",
        stack_file(tiers(extra="namespace: shop\n")),
        "error: {file}: line 10: duplicate key 'namespace' (first on line 4): YAML keeps only the "
        "last one; merge them or remove one",
    ),
    (
        "stack config",
        "The firewall key misspelt.",
        stack_file(tiers(), key="guestbook:firewal"),
        "error: {file}: no guestbook:firewall in the stack's config; it has guestbook:firewal: "
        "did you mean guestbook:firewall?",
    ),
    (
        "stack config",
        "The firewall under another project's name.",
        stack_file(tiers(), key="shop:firewall"),
        "error: {file}: no guestbook:firewall in the stack's config; it has shop:firewall, but "
        "this project is 'guestbook' (the name in Pulumi.yaml): rename the key to "
        "guestbook:firewall",
    ),
    (
        "stack config",
        "No firewall at all.",
        "config:\n  kubernetes:context: test\n",
        "error: {file}: no guestbook:firewall in the stack's config (it has kubernetes:context): "
        "put the firewall object under config: guestbook:firewall:",
    ),
    (
        "stack config",
        "The firewall is a string, not an object.",
        "config:\n  guestbook:firewall: guestbook\n",
        "error: {file}: config guestbook:firewall: 'guestbook' is not an object: write the "
        "firewall object as a YAML mapping (namespace:, tiers:, ...)",
    ),
    (
        "stack config",
        "The config section misspelt.",
        "conifg:\n  guestbook:firewall: {}\n",
        "error: {file}: unknown key 'conifg'; did you mean config?",
    ),
    (
        "stack config",
        "A label key with an empty prefix.",
        stack_file(tiers("{podLabels: {/app: ui}}")),
        "error: {file}: firewall.tiers.ui.podLabels: label key '/app' is invalid: prefix part "
        "must be non-empty",
    ),
    (
        "stack config",
        "A label key starting with a dash.",
        stack_file(tiers("{podLabels: {-app: ui}}")),
        f"error: {{file}}: firewall.tiers.ui.podLabels: label key '-app' is invalid: name part "
        f"{LABEL_CHARS}",
    ),
    (
        "stack config",
        "A label key with two slashes.",
        stack_file(tiers("{podLabels: {a/b/c: ui}}")),
        "error: {file}: firewall.tiers.ui.podLabels: label key 'a/b/c' is invalid: must be a "
        "name part with an optional DNS subdomain prefix and one '/' (e.g. 'example.com/MyName')",
    ),
    (
        "stack config",
        "A label value with a space.",
        stack_file(tiers("{podLabels: {app: a b}}")),
        f"error: {{file}}: firewall.tiers.ui.podLabels: label value 'a b' of key 'app' is "
        f"invalid: {VALUE_CHARS}",
    ),
    (
        "stack config",
        "A label value YAML reads as a boolean.",
        stack_file(tiers("{podLabels: {app: ui, canary: on}}")),
        "error: {file}: firewall.tiers.ui.podLabels: label value True of key 'canary' is not a "
        "string; quote it in YAML",
    ),
    (
        "stack config",
        "A CIDR that is a word, not an address: no mask is suggested.",
        stack_file(
            tiers(extra="ipBlockAllows:\n  - {name: allow-office, ipBlocks: [{cidr: office}]}\n")
        ),
        "error: {file}: firewall.ipBlockAllows[0].ipBlocks[0].cidr: cidr 'office' is not an IPv4 "
        'or IPv6 CIDR such as "10.0.0.0/16" or "fd00::/64"',
    ),
    (
        "stack config",
        "A misspelt public-internet keyword: the fix is named.",
        stack_file(tiers(extra="ipBlockAllows:\n  - {name: allow-apis, to: public-internt}\n")),
        "error: {file}: firewall.ipBlockAllows[0].to: 'public-internt' is not a destination "
        "podfence knows; did you mean public-internet?",
    ),
    (
        "stack config",
        "to: public-internet with direction: Ingress.",
        stack_file(
            tiers(
                extra="ipBlockAllows:\n"
                "  - {name: allow-apis, to: public-internet, direction: Ingress}\n"
            )
        ),
        "error: {file}: firewall.ipBlockAllows[0].direction: 'Ingress' does not go with to: "
        "public-internet, which is egress; drop direction",
    ),
    (
        "stack config",
        "Port 0.",
        stack_file(tiers("{podLabels: {app: ui}, ports: [0]}")),
        f"error: {{file}}: firewall.tiers.ui.ports[0].port: port 0 {NOT_A_PORT}",
    ),
    (
        "stack config",
        "A negative port in the shorthand, which is no port name.",
        stack_file(tiers("{podLabels: {app: ui}, ports: [-1/TCP]}")),
        f"error: {{file}}: firewall.tiers.ui.ports[0].port: port '-1' {NOT_A_PORT}",
    ),
    (
        "stack config",
        "A tier name that is no DNS label.",
        stack_file(tiers().replace("  api:", "  API:").replace("to: api", "to: API")),
        f"error: {{file}}: firewall.tiers: tier name 'API' is not a valid name: {DNS_LABEL}; "
        'did you mean "api"?',
    ),
    # --- expectations files -----------------------------------------------------------------
    (
        "expectations file",
        "A misspelt protocol key.",
        expectations("{from: guestbook/ui, to: guestbook/api, port: 8080, proto: UDP}"),
        "error: {file}: allow[0] (guestbook/ui -> guestbook/api 8080): proto: unknown key; did "
        "you mean protocol?",
    ),
    (
        "expectations file",
        "A misspelt section.",
        expectations("{from: guestbook/ui, to: guestbook/api, port: 8080}", "denny"),
        "error: {file}: denny: unknown key; did you mean deny?",
    ),
    (
        "expectations file",
        "A source that is neither namespace/pod nor an address.",
        expectations("{from: ui, to: guestbook/api, port: 8080}", "deny"),
        "error: {file}: deny[0] (ui -> guestbook/api 8080): from: 'ui' must be namespace/pod or "
        "an IP address",
    ),
    (
        "expectations file",
        "A destination without its pod.",
        expectations("{from: guestbook/ui, to: guestbook, port: 8080}"),
        "error: {file}: allow[0] (guestbook/ui -> guestbook 8080): to: 'guestbook' must be "
        "namespace/pod or an IP address",
    ),
    (
        "expectations file",
        "A negative port.",
        expectations("{from: guestbook/ui, to: guestbook/api, port: -1}"),
        f"error: {{file}}: allow[0] (guestbook/ui -> guestbook/api -1): port: port -1 {NOT_A_PORT}",
    ),
    (
        "expectations file",
        "Port zero, quoted.",
        expectations("{from: guestbook/ui, to: guestbook/api, port: '0'}"),
        f"error: {{file}}: allow[0] (guestbook/ui -> guestbook/api 0): port: port '0' {NOT_A_PORT}",
    ),
    (
        "expectations file",
        "The allow list given twice.",
        "allow:\n  - {from: guestbook/ui, to: guestbook/api, port: 8080}\n"
        "allow:\n  - {from: guestbook/api, to: guestbook/db, port: 6379}\n",
        "error: {file}: line 3: duplicate key 'allow' (first on line 1): YAML keeps only the last "
        "one; merge them or remove one",
    ),
    # --- the Python API -----------------------------------------------------------------------
    ("python api", "Port zero.", "Port(port=0)", f"Port.port: port 0 {NOT_A_PORT}"),
    (
        "python api",
        "A negative port to a factory.",
        "Port.tcp(-1)",
        f"Port.port: port -1 {NOT_A_PORT}",
    ),
    (
        "python api",
        "A range that ends below its start.",
        "Port.tcp_range(9000, 8000)",
        "Port: endPort 8000 is below port 9000",
    ),
    (
        "python api",
        "A port name in capitals.",
        "Port.named('HTTP')",
        "Port.port: port name 'HTTP' is not a valid port name: must contain only alpha-numeric "
        "characters (a-z, 0-9), and hyphens (-)",
    ),
    (
        "python api",
        "A tier without labels.",
        "Tier(pod_labels={})",
        "Tier.pod_labels: a tier needs at least one pod label: an empty selector is every pod "
        "of the namespace",
    ),
    (
        "python api",
        "A misspelt keyword.",
        "Tier(pod_labels={'app': 'ui'}, egress_isolatd=True)",
        "Tier.egress_isolatd: unknown key; did you mean egress_isolated?",
    ),
    (
        "python api",
        "A label value with a space.",
        "LabelSelector.of(app='a b')",
        f"LabelSelector.match_labels: label value 'a b' of key 'app' is invalid: {VALUE_CHARS}",
    ),
    (
        "python api",
        "A label key with an empty prefix.",
        "LabelSelector.of({'/app': 'x'})",
        "LabelSelector.match_labels: label key '/app' is invalid: prefix part must be non-empty",
    ),
    (
        "python api",
        "An In requirement without values.",
        "LabelSelectorRequirement(key='tier', operator='In')",
        "LabelSelectorRequirement: operator In on key 'tier' needs values",
    ),
    (
        "python api",
        "No namespace names.",
        "LabelSelector.namespace_names()",
        "LabelSelector.namespace_names: name at least one namespace",
    ),
    (
        "python api",
        "except_ as one string, which list() would split into characters.",
        "IpBlock.ipv4('10.72.0.0/16', except_='10.72.10.0/24')",
        "IpBlock.ipv4: except_ takes a list of CIDRs, not the string '10.72.10.0/24'; did you "
        'mean except_=["10.72.10.0/24"]?',
    ),
    (
        "python api",
        "The blog's except as one string, with a mask wider than the CIDR's.",
        "IpBlock.ipv4('10.72.0.0/16', except_='10.72.10.0/8')",
        "IpBlock.ipv4: except_ takes a list of CIDRs, not the string '10.72.10.0/8'; did you "
        'mean except_=["10.72.10.0/24"]?',
    ),
    (
        "python api",
        "An IPv6 CIDR to the IPv4 factory.",
        "IpBlock.ipv4('fd00::/64')",
        "IpBlock.cidr: 'fd00::/64' is not IPv4 (use IpBlock.ipv6)",
    ),
    (
        "python api",
        "An address without a mask.",
        "IpBlock(cidr='10.0.0.1')",
        "IpBlock.cidr: CIDR mask is missing in IPv4: cidr '10.0.0.1'. Did you mean "
        '"10.0.0.1/32"?',
    ),
    (
        "python api",
        "A flow without its destination.",
        "Flow(from_='ui')",
        "Flow.to: Field required",
    ),
    (
        "python api",
        "A tier firewall without tiers.",
        "TierFirewallSpec(namespace='guestbook', tiers={})",
        "TierFirewallSpec.tiers: define at least one tier",
    ),
    (
        "python api",
        "A default deny that denies nothing.",
        "DefaultDenySpec(namespaces=['guestbook'], ingress=False)",
        "DefaultDenySpec: DefaultDeny with ingress: false and egress: false denies nothing",
    ),
    (
        "python api",
        "DNS egress without ports.",
        "DnsEgress(ports=[])",
        "DnsEgress.ports: DNS needs at least one port; to allow no DNS set allowDns: false",
    ),
    (
        "python api",
        "A namespace allowance naming no source.",
        "NamespaceAllowSpec(name='allow-m', namespaces=['guestbook'])",
        "NamespaceAllowSpec: say which namespaces to admit with exactly one of "
        "fromNamespaceSelector and fromNamespaceNames",
    ),
    (
        "python api",
        "An ipBlock allowance without blocks.",
        "IpBlockAllowSpec(name='allow-ip', namespaces=['guestbook'], ip_blocks=[])",
        "IpBlockAllowSpec.ip_blocks: name at least one ipBlock",
    ),
    (
        "python api",
        "A firewall config with a namespace in capitals.",
        "FirewallConfig(namespace='Guestbook', tiers={'ui': {'podLabels': {'app': 'ui'}}})",
        f"FirewallConfig.namespace: namespace 'Guestbook' is not a valid name: {DNS_LABEL}; did "
        'you mean "guestbook"?',
    ),
    # --- components -----------------------------------------------------------------------------
    (
        "component",
        "A TierFirewall with a misspelt podLabels.",
        "TierFirewall('fw', {'namespace': 'guestbook', 'tiers': {'ui': {'podLabel': {'app': 'ui'}}}})",
        "fw.tiers.ui.podLabel: unknown key; did you mean podLabels?",
    ),
    (
        "component",
        "A DefaultDeny of a namespace that is no DNS label.",
        "DefaultDeny('deny', {'namespaces': ['Guest_Book']})",
        f"deny.namespaces: namespace 'Guest_Book' is not a valid name: {DNS_LABEL}; did you mean "
        '"guest-book"?',
    ),
    (
        "component",
        "A NamespaceAllow whose selector has a bad label key.",
        "NamespaceAllow('m', {'name': 'allow-m', 'namespaces': ['guestbook'], "
        "'fromNamespaceSelector': {'matchLabels': {'a/b/c': 'x'}}})",
        "m.fromNamespaceSelector.matchLabels: label key 'a/b/c' is invalid: must be a name part "
        "with an optional DNS subdomain prefix and one '/' (e.g. 'example.com/MyName')",
    ),
    (
        "component",
        "A Firewall with the blog's except as a string.",
        "Firewall('fw', {'namespace': 'guestbook', 'tiers': {'ui': {'podLabels': {'app': 'ui'}}}, "
        "'ipBlockAllows': [{'name': 'allow-ip', 'ipBlocks': [{'cidr': '10.72.0.0/16', "
        "'except': '10.72.10.0/24'}]}]})",
        "fw.ipBlockAllows[0].ipBlocks[0].except: except '10.72.10.0/24' must be a list of CIDRs, "
        'not a single string; did you mean except: ["10.72.10.0/24"]?',
    ),
    (
        "component",
        "An IpBlockAllow given typed specs, one of them built badly.",
        "IpBlockAllow('ip', IpBlockAllowSpec(name='allow-ip', namespaces=['guestbook'], "
        "ip_blocks=[IpBlock.ipv4('office')]))",
        "IpBlock.cidr: cidr 'office' is not an IPv4 or IPv6 CIDR such as \"10.0.0.0/16\" or "
        '"fd00::/64"',
    ),
    # --- command lines --------------------------------------------------------------------------
    (
        "arguments",
        "render of a stack that does not exist.",
        "render --stack qa --project-dir {repo}",
        "error: no stack 'qa': {repo}/stacks/Pulumi.qa.yaml does not exist (stacks: dev, local, "
        "prod, staging)",
    ),
    (
        "arguments",
        "render --out onto a file.",
        "render --stack dev --project-dir {repo} --out {tmp}/a-file",
        "error: --out {tmp}/a-file: is a file, not a directory",
    ),
    (
        "arguments",
        "render outside any project.",
        "render --stack dev --project-dir {tmp}",
        "error: no Pulumi.yaml in {tmp} or above it: run inside the project or pass --project-dir",
    ),
    (
        "arguments",
        "check with an expectations file that does not exist.",
        "check --stack dev --project-dir {repo} --expect {tmp}/nowhere.yaml",
        "error: {tmp}/nowhere.yaml: cannot read expectations: No such file or directory",
    ),
    (
        "arguments",
        "check with neither a stack nor policies.",
        "check --expect {repo}/stacks/dev.expect.yaml",
        "error: say what to analyse: --stack STACK, or --policies PATH... --inventory PATH...",
    ),
    (
        "arguments",
        "diff of a stack without a base revision.",
        "diff --stack dev --project-dir {repo}",
        "error: --stack needs --base GIT_REF: the revision to compare the stack with",
    ),
    (
        "arguments",
        "diff --port of a negative number.",
        "diff --stack dev --project-dir {repo} --base HEAD --port -1",
        "diff: error: argument --port: '-1': expected a port number 1-65535, e.g. 8080/TCP",
    ),
    (
        "arguments",
        "diff --port 0.",
        "diff --stack dev --project-dir {repo} --base HEAD --port 0",
        "diff: error: argument --port: '0': expected a port number 1-65535, e.g. 8080/TCP",
    ),
]
