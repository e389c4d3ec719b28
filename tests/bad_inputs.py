"""Bad inputs, and the one line podfence answers each with.

``CASES`` is a flat list of ``(path_kind, description, input, expected_message)`` tuples:

* ``path_kind``: where the input goes, one of :data:`PATH_KINDS` (the keys of
  :func:`arguments`' table). To add a kind (stack config, the Python API ...), add it to
  ``PATH_KINDS`` with a line saying what ``input`` is, and teach :func:`arguments` (or, for a
  kind that is not a command line, ``tests/test_bad_inputs.py``) to run it.
* ``description``: what is wrong, as a sentence.
* ``input``: for a file kind, the file's text; for a directory kind, ``{name: text}`` (the
  files in it); for ``arguments``, the command line after ``podfence`` (split on spaces;
  ``{policies}`` and ``{inventory}`` are the guestbook fixture's files).
* ``expected_message``: everything after ``podfence: `` on stderr: ``error: ...`` (the run
  exits 2 with that one line) or ``warning: ...`` (the run exits 0, and that line is among
  its warnings). ``{file}`` stands for the path of the file (or directory) the input was
  written to.

``tests/test_bad_inputs.py`` runs every case; ``scripts/bad_inputs_table.py`` prints them as a
Markdown table.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from paths import GUESTBOOK_FIXTURE

__all__ = ["CASES", "PATH_KINDS", "arguments", "run"]

#: Every path kind, with what its ``input`` is.
PATH_KINDS = {
    "policy file": "a --policies YAML file (the guestbook inventory is the --inventory)",
    "policy file (JSON)": "a --policies JSON file",
    "policy directory": "a --policies directory: {file name: text}",
    "inventory file": "an --inventory YAML file, read after the guestbook inventory",
    "inventory file (JSON)": "an --inventory JSON file, read after the guestbook inventory",
    "arguments": "the command line after `podfence`",
}

POLICIES = GUESTBOOK_FIXTURE / "policies.yaml"
INVENTORY = GUESTBOOK_FIXTURE / "inventory.yaml"

LABEL_CHARS = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
VALUE_CHARS = (
    "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character"
)
DNS_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
DNS_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)
READS = (
    "podfence reads NetworkPolicy (networking.k8s.io/v1), AdminNetworkPolicy and "
    "BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy "
    "(policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1) objects only"
)
HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
NP = "error: {file}: NetworkPolicy guestbook/p: "


def policy(spec: str, name: str = "p", namespace: str = "guestbook") -> str:
    """A NetworkPolicy document with ``spec`` (YAML, one flow-style line or an indented block)."""
    return f"{HEAD}metadata: {{name: {name}, namespace: {namespace}}}\nspec: {spec}\n"


def ingress(rule: str) -> str:
    """A policy of one ingress rule (flow-style YAML)."""
    return policy(f"{{podSelector: {{}}, ingress: [{rule}]}}")


def selector(body: str) -> str:
    """A policy whose podSelector is ``body``."""
    return policy(f"{{podSelector: {body}}}")


def anp(spec: str, name: str = "a") -> str:
    """An AdminNetworkPolicy document with ``spec`` (flow-style YAML)."""
    return (
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
        f"metadata: {{name: {name}}}\nspec: {spec}\n"
    )


def banp(spec: str) -> str:
    """The BaselineAdminNetworkPolicy ``default`` with ``spec``."""
    return (
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
        f"metadata: {{name: default}}\nspec: {spec}\n"
    )


ANP = "error: {file}: AdminNetworkPolicy a: "


def pod(metadata: str = "{name: web, namespace: guestbook}", rest: str = "") -> str:
    """A Pod document."""
    return f"apiVersion: v1\nkind: Pod\nmetadata: {metadata}\n{rest}"


BOMB = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\n  namespace: guestbook\n"
    "  annotations:\n"
    '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"    {this}: &{this} [{','.join(['*' + last] * 9)}]\n"
        for last, this in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "  labels:\n    app: *i\n"
)

HUGE_POD = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "huge",
            "namespace": "guestbook",
            "annotations": {"blob": "x" * (3 * 1024 * 1024)},
        },
    }
)

CASES: list[tuple[str, str, Any, str]] = [
    # -- wrong types: an error naming the field and the value, never "absent" ------------------
    (
        "policy file",
        "A map where the peers' list goes is not 'from anywhere'.",
        ingress("{from: {}}"),
        NP + "spec.ingress[0].from: expected a list of peers, got {}",
    ),
    (
        "policy file",
        "An empty string where the peers' list goes is not 'from anywhere'.",
        ingress("{from: ''}"),
        NP + "spec.ingress[0].from: expected a list of peers, got ''",
    ),
    (
        "policy file",
        "A map where the ports' list goes is not 'any port'.",
        ingress("{ports: {}}"),
        NP + "spec.ingress[0].ports: expected a list of ports, got {}",
    ),
    (
        "policy file",
        "A map where the except list goes is not 'no exception'.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.0/8, except: {}}}]}"),
        NP + "spec.ingress[0].from[0].ipBlock.except: expected a list of CIDRs, got {}",
    ),
    (
        "policy file",
        "A list where the spec goes is not a deny-all.",
        policy("[]"),
        NP + "spec: expected a map, got []",
    ),
    (
        "policy file",
        "A map where the ingress rules go.",
        policy("{ingress: {from: []}}"),
        NP + "spec.ingress: expected a list of rules, got {'from': []}",
    ),
    (
        "policy file",
        "A list where the podSelector goes.",
        policy("{podSelector: []}"),
        NP + "spec.podSelector: expected a label selector map, got []",
    ),
    (
        "policy file",
        "An empty string where matchLabels goes.",
        selector("{matchLabels: ''}"),
        NP + "spec.podSelector.matchLabels: expected a map of labels, got ''",
    ),
    (
        "policy file",
        "A map where matchExpressions goes.",
        selector("{matchExpressions: {}}"),
        NP + "spec.podSelector.matchExpressions: expected a list of requirements, got {}",
    ),
    (
        "policy file",
        "policyTypes as a string instead of a list.",
        policy("{podSelector: {}, policyTypes: Ingress}"),
        NP + "spec.policyTypes: expected a list, got 'Ingress'",
    ),
    # -- what the API server's validation refuses ------------------------------------------------
    (
        "policy file",
        "More than two policyTypes.",
        policy("{podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}"),
        NP + "spec.policyTypes: ['Ingress', 'Egress', 'Ingress']: may not specify more than two "
        "policyTypes",
    ),
    (
        "policy file",
        "A policyType in lower case.",
        policy("{podSelector: {}, policyTypes: [ingress]}"),
        NP + "spec.policyTypes[0]: 'ingress': must be one of Ingress, Egress",
    ),
    (
        "policy file",
        "A policy name with capitals and an underscore.",
        policy("{podSelector: {}}", name="Allow_API"),
        "error: {file}: NetworkPolicy guestbook/Allow_API: metadata.name: 'Allow_API': "
        + DNS_SUBDOMAIN,
    ),
    (
        "policy file",
        "A namespace name with capitals and an underscore.",
        policy("{podSelector: {}}", namespace="Guest_Book"),
        "error: {file}: NetworkPolicy Guest_Book/p: metadata.namespace: 'Guest_Book': " + DNS_LABEL,
    ),
    (
        "policy file",
        "A label key that starts with a hyphen.",
        selector("{matchLabels: {-app: web}}"),
        NP + f"spec.podSelector.matchLabels: label key '-app': name part {LABEL_CHARS}",
    ),
    (
        "policy file",
        "A label key with an empty prefix.",
        selector("{matchLabels: {/app: web}}"),
        NP + "spec.podSelector.matchLabels: label key '/app': prefix part must be non-empty",
    ),
    (
        "policy file",
        "A label key with two slashes.",
        selector("{matchLabels: {a/b/c: web}}"),
        NP + "spec.podSelector.matchLabels: label key 'a/b/c': must be a name part with an "
        "optional DNS subdomain prefix and one '/' (e.g. 'example.com/MyName')",
    ),
    (
        "policy file",
        "A label value with a space.",
        selector("{matchLabels: {app: guestbook db}}"),
        NP + f"spec.podSelector.matchLabels.app: label value 'guestbook db': {VALUE_CHARS}",
    ),
    (
        "policy file",
        "A label value of 64 characters.",
        selector("{matchLabels: {app: " + "a" * 64 + "}}"),
        NP
        + "spec.podSelector.matchLabels.app: label value '"
        + "a" * 56
        + "...: must be no more than 63 characters",
    ),
    (
        "policy file",
        "A label value that YAML reads as a boolean.",
        selector("{matchLabels: {canary: yes}}"),
        NP + "spec.podSelector.matchLabels.canary: label value True is not a string (quote it)",
    ),
    (
        "policy file",
        "A matchExpressions value the API server refuses.",
        selector("{matchExpressions: [{key: tier, operator: In, values: [a b]}]}"),
        NP + f"spec.podSelector.matchExpressions[0].values[0]: 'a b': {VALUE_CHARS}",
    ),
    (
        "policy file",
        "An operator that does not exist.",
        selector("{matchExpressions: [{key: tier, operator: Equals, values: [db]}]}"),
        NP + "spec.podSelector.matchExpressions[0].operator: unknown operator 'Equals' (expected "
        "one of In, NotIn, Exists, DoesNotExist)",
    ),
    (
        "policy file",
        "A named port in capitals.",
        ingress("{ports: [{port: HTTP}]}"),
        NP + "spec.ingress[0].ports[0].port: port name 'HTTP': must contain only alpha-numeric "
        "characters (a-z, 0-9), and hyphens (-)",
    ),
    (
        "policy file",
        "A named port of 16 characters.",
        ingress("{ports: [{port: metrics-exporter}]}"),
        NP + "spec.ingress[0].ports[0].port: port name 'metrics-exporter': must be no more than "
        "15 characters",
    ),
    (
        "policy file",
        "A port number in quotes.",
        ingress("{ports: [{port: '8080'}]}"),
        NP + "spec.ingress[0].ports[0].port: '8080' is a string; write the port number unquoted: "
        "8080",
    ),
    (
        "policy file",
        "Port 0.",
        ingress("{ports: [{port: 0}]}"),
        NP + "spec.ingress[0].ports[0].port: 0: must be between 1 and 65535, inclusive",
    ),
    (
        "policy file",
        "An endPort without a port.",
        ingress("{ports: [{endPort: 90}]}"),
        NP + "spec.ingress[0].ports[0].endPort: 90: may not be specified when `port` is not "
        "specified",
    ),
    (
        "policy file",
        "An endPort below its port.",
        ingress("{ports: [{port: 8100, endPort: 8000}]}"),
        NP + "spec.ingress[0].ports[0].endPort: 8000: must be greater than or equal to `port`",
    ),
    (
        "policy file",
        "A protocol NetworkPolicy cannot express.",
        ingress("{ports: [{protocol: ICMP}]}"),
        NP + "spec.ingress[0].ports[0].protocol: 'ICMP': must be one of TCP, UDP, SCTP",
    ),
    (
        "policy file",
        "A CIDR without its mask.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.1}}]}"),
        NP + "spec.ingress[0].from[0].ipBlock.cidr: '10.0.0.1': must be a CIDR: the mask is "
        "missing (did you mean '10.0.0.1/32'?)",
    ),
    (
        "policy file",
        "A CIDR with a netmask instead of a prefix length.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.0/255.0.0.0}}]}"),
        NP + "spec.ingress[0].from[0].ipBlock.cidr: '10.0.0.0/255.0.0.0': must be a valid CIDR "
        "(e.g. 10.0.0.0/8 or 2001:db8::/32)",
    ),
    (
        "policy file",
        "An except outside its cidr.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}"),
        NP + "spec.ingress[0].from[0].ipBlock.except[0]: '192.168.0.0/16': must be a strict "
        "subset of cidr 10.0.0.0/8",
    ),
    (
        "policy file",
        "An IPv6 except of an IPv4 cidr.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/8']}}]}"),
        NP + "spec.ingress[0].from[0].ipBlock.except[0]: 'fd00::/8': must be IPv4 like cidr "
        "10.0.0.0/8, not IPv6",
    ),
    (
        "policy file",
        "An ipBlock together with a podSelector in one peer.",
        ingress("{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}"),
        NP + "spec.ingress[0].from[0]: ipBlock cannot be combined with podSelector or "
        "namespaceSelector",
    ),
    (
        "policy file",
        "An empty peer.",
        ingress("{from: [{}]}"),
        NP + "spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock",
    ),
    (
        "policy file",
        "A misspelt spec field (which would otherwise deny everything).",
        policy("{podSelector: {}, ingres: [{}]}"),
        NP + "spec.ingres: unknown field (expected egress, ingress, podSelector, policyTypes)",
    ),
    (
        "policy file",
        "The same policy twice.",
        policy("{podSelector: {}}") + "---\n" + policy("{podSelector: {}}"),
        "error: NetworkPolicy guestbook/p appears twice (in {file} and {file})",
    ),
    # -- objects that are not evaluated: warnings naming them ------------------------------------
    (
        "policy file",
        "A misspelt kind.",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy\n"
        "metadata: {name: p, namespace: guestbook}\nspec: {podSelector: {}}\n",
        "warning: {file}: networking.k8s.io/v1 NetworkPolcy guestbook/p is not evaluated: "
        f"{READS}; did you mean NetworkPolicy?",
    ),
    (
        "policy file",
        "A NetworkPolicy of an apiVersion the API server does not serve.",
        policy("{podSelector: {}}").replace("networking.k8s.io/v1", "networking.k8s.io/v1beta1"),
        "warning: {file}: networking.k8s.io/v1beta1 NetworkPolicy guestbook/p is not evaluated: "
        "the API server serves NetworkPolicy as networking.k8s.io/v1 only; write it so",
    ),
    (
        "policy file",
        "A document with no kind.",
        policy("{podSelector: {}}") + "---\nmetadata: {name: q}\n",
        f"warning: {{file}} (document 2): an object with no kind (q) is not evaluated: {READS}",
    ),
    (
        "policy file",
        "Policy files that hold no NetworkPolicy: every flow is allowed, and said so.",
        "apiVersion: v1\nkind: List\nitems: []\n",
        "warning: no NetworkPolicy in --policies {file}: every flow is allowed",
    ),
    # -- inputs that hold nothing ----------------------------------------------------------------
    (
        "policy file",
        "An empty file.",
        "",
        "error: {file}: no Kubernetes object: the file is empty or holds only comments (an empty "
        "kind: List says nothing on purpose)",
    ),
    (
        "policy file",
        "A file of comments only.",
        "# apiVersion: networking.k8s.io/v1\n# kind: NetworkPolicy\n",
        "error: {file}: no Kubernetes object: the file is empty or holds only comments (an empty "
        "kind: List says nothing on purpose)",
    ),
    (
        "policy directory",
        "A directory with no YAML or JSON file.",
        {"README.md": "policies go here\n"},
        "error: {file}: no Kubernetes object: the directory has no *.yaml, *.yml or *.json file",
    ),
    (
        "policy file (JSON)",
        "An empty JSON file.",
        "",
        "error: {file}: no Kubernetes object: the file is empty or holds only comments (an empty "
        "kind: List says nothing on purpose)",
    ),
    # -- YAML and JSON that do not parse, or that kubectl refuses --------------------------------
    (
        "policy file",
        f"A 'billion laughs': {len(BOMB)} bytes of aliases standing for 9**9 = 387,420,489 "
        "strings.",
        BOMB,
        "error: {file}:9: invalid YAML: document contains excessive aliasing: 5,540 of its "
        "first 5,593 nodes come from aliases, over the 99% kubectl allows",
    ),
    (
        "policy file",
        "An alias inside its own anchor.",
        "apiVersion: v1\nkind: Pod\nmetadata: &m {name: a, labels: *m}\n",
        "error: {file}:3: invalid YAML: anchor 'm' value contains itself",
    ),
    (
        "policy file",
        "A scalar PyYAML cannot construct.",
        policy("{podSelector: {matchLabels: {app: !!int web}}}"),
        "error: {file}: invalid YAML: invalid literal for int() with base 10: 'web'",
    ),
    (
        "policy file",
        "A YAML syntax error.",
        policy("{podSelector: {matchLabels: {app: [web}}"),
        "error: {file}:4: invalid YAML: while parsing a flow sequence: did not find expected ',' "
        "or ']'",
    ),
    (
        "policy file",
        "kind: List with items that are not a list.",
        "apiVersion: v1\nkind: List\nitems: {}\n",
        "error: {file}: List.items: expected a list, got {}",
    ),
    (
        "policy file (JSON)",
        "Invalid JSON.",
        '{"apiVersion": "networking.k8s.io/v1",\n "kind": }',
        "error: {file}:2: invalid JSON: Expecting value",
    ),
    (
        "inventory file (JSON)",
        "A pod over the API server's 3 MiB request limit.",
        HUGE_POD,
        "error: {file}:1: document 1 is 3.0 MiB, over the API server's 3 MiB limit on a request: "
        "no cluster can hold it",
    ),
    # -- the inventory ---------------------------------------------------------------------------
    (
        "inventory file",
        "A pod name with a space.",
        pod("{name: guestbook db, namespace: guestbook}"),
        "error: {file}: Pod guestbook/guestbook db: metadata.name: 'guestbook db': "
        + DNS_SUBDOMAIN,
    ),
    (
        "inventory file",
        "A namespace name with capitals.",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: Payments}\n",
        "error: {file}: Namespace Payments: metadata.name: 'Payments': " + DNS_LABEL,
    ),
    (
        "inventory file",
        "A pod name of 254 characters.",
        pod("{name: " + "p" * 254 + ", namespace: guestbook}"),
        "error: {file}: Pod guestbook/"
        + "p" * 57
        + "...: metadata.name: '"
        + "p" * 56
        + "...: must be no more than 253 characters",
    ),
    (
        "inventory file",
        "A pod spec that is a list.",
        pod(rest="spec: []\n"),
        "error: {file}: Pod guestbook/web: spec: expected a map, got []",
    ),
    (
        "inventory file",
        "Containers as a map.",
        pod(rest="spec: {containers: {}}\n"),
        "error: {file}: Pod guestbook/web: spec.containers: expected a list, got {}",
    ),
    (
        "inventory file",
        "Container ports as a map.",
        pod(rest="spec: {containers: [{name: web, ports: {}}]}\n"),
        "error: {file}: Pod guestbook/web: spec.containers[0].ports: expected a list, got {}",
    ),
    (
        "inventory file",
        "A containerPort name with an underscore.",
        pod(rest="spec: {containers: [{name: web, ports: [{containerPort: 80, name: web_ui}]}]}\n"),
        "error: {file}: Pod guestbook/web: spec.containers[0].ports[0].name: port name 'web_ui': "
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
    ),
    (
        "inventory file",
        "A containerPort out of range.",
        pod(rest="spec: {containers: [{name: web, ports: [{containerPort: 70000}]}]}\n"),
        "error: {file}: Pod guestbook/web: spec.containers[0].ports[0].containerPort: 70000: must "
        "be between 1 and 65535, inclusive",
    ),
    (
        "inventory file",
        "A pod label key of two slashes.",
        pod("{name: web, namespace: guestbook, labels: {a/b/c: x}}"),
        "error: {file}: Pod guestbook/web: metadata.labels: label key 'a/b/c': must be a name "
        "part with an optional DNS subdomain prefix and one '/' (e.g. 'example.com/MyName')",
    ),
    (
        "inventory file",
        "A pod IP that is not an address.",
        pod(rest="status: {podIP: 10.72.1.300}\n"),
        "error: {file}: Pod guestbook/web: status.podIP: '10.72.1.300' is not an IPv4 or IPv6 "
        "address",
    ),
    (
        "inventory file",
        "A pod whose namespace the inventory does not define (as `kubectl get pods -A` gives).",
        pod("{name: api, namespace: payments}"),
        "warning: namespace payments is not in the inventory: its labels are taken to be only "
        "kubernetes.io/metadata.name=payments; add its Namespace object (kubectl get namespaces "
        "-o yaml), or pass --namespaces-from-pods to say so on purpose",
    ),
    (
        "inventory file",
        "Another kind in the inventory.",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: guestbook}\n",
        f"warning: {{file}}: v1 Service guestbook/web is not evaluated: {READS}",
    ),
    # -- the command line ------------------------------------------------------------------------
    (
        "arguments",
        "A destination that looks like an address but is not one.",
        "explain --policies {policies} --inventory {inventory} --from guestbook/ui-0 --to "
        "8.8.8.300 --port 80",
        "error: --to '8.8.8.300' is not a valid IP address",
    ),
    (
        "arguments",
        "A pod that is not in the inventory.",
        "explain --policies {policies} --inventory {inventory} --from guestbook/ui-9 --to "
        "guestbook/api-0 --port 80",
        "error: --from no pod 'guestbook/ui-9' in the inventory; did you mean guestbook/ui-1, "
        "guestbook/ui-0, guestbook/api-0?",
    ),
    (
        "arguments",
        "A port name the destination does not declare.",
        "explain --policies {policies} --inventory {inventory} --from guestbook/ui-0 --to "
        "guestbook/api-0 --port http",
        "error: --port: pod guestbook/api-0 has no port named 'http' (it names: api)",
    ),
    (
        "arguments",
        "An --external that is neither an address nor a CIDR.",
        "matrix --policies {policies} --inventory {inventory} --external 10.0.0.0/33",
        "error: --external '10.0.0.0/33' is not an address or a CIDR",
    ),
    (
        "arguments",
        "--policies without --inventory.",
        "matrix --policies {policies}",
        "error: --policies needs --inventory PATH... (the namespaces and pods to evaluate)",
    ),
    # -- cluster-wide policies: AdminNetworkPolicy, BaselineAdminNetworkPolicy ---------------
    (
        "policy file",
        "An AdminNetworkPolicy action that is not Allow, Deny or Pass.",
        anp(
            "{priority: 5, subject: {namespaces: {}}, ingress: [{action: Drop, from: [{namespaces: {}}]}]}"
        ),
        ANP + "spec.ingress[0].action: unknown action 'Drop' (expected one of Allow, Deny, Pass)",
    ),
    (
        "policy file",
        "Pass in the BaselineAdminNetworkPolicy, which has no lower tier to pass to.",
        banp("{subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {}}]}]}"),
        "error: {file}: BaselineAdminNetworkPolicy default: spec.ingress[0].action: 'Pass' is not "
        "an action of the BaselineAdminNetworkPolicy: it has no lower tier to pass to (expected "
        "Allow, Deny)",
    ),
    (
        "policy file",
        "An AdminNetworkPolicy priority above 1000.",
        anp("{priority: 1001, subject: {namespaces: {}}}"),
        ANP + "spec.priority: 1001: must be a whole number from 0 (first) to 1000",
    ),
    (
        "policy file",
        "An AdminNetworkPolicy subject with both namespaces and pods.",
        anp(
            "{priority: 5, subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}}"
        ),
        ANP + "spec.subject: set exactly one of namespaces, pods (got namespaces and pods)",
    ),
    (
        "policy file",
        "An AdminNetworkPolicy ingress peer that only egress has (networks).",
        anp(
            "{priority: 5, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{networks: [10.0.0.0/8]}]}]}"
        ),
        ANP + "spec.ingress[0].from[0].networks: unknown field (expected namespaces, pods)",
    ),
    (
        "policy file",
        "An AdminNetworkPolicy that shares its priority with another: their order is undefined.",
        anp("{priority: 5, subject: {namespaces: {}}}")
        + "---\n"
        + anp("{priority: 5, subject: {namespaces: {}}}", "b"),
        "warning: AdminNetworkPolicy a, AdminNetworkPolicy b (Admin tier) share priority 5: the "
        "API leaves their order undefined, so a cluster may decide overlapping rules either way; "
        "podfence evaluates them in this order (by name)",
    ),
    (
        "arguments",
        "A path that does not exist.",
        "matrix --policies {policies} --inventory nowhere.yaml",
        "error: nowhere.yaml: no such file or directory",
    ),
]


def _write(kind: str, value: Any, directory: Path) -> Path:
    """Write a case's input where its kind says; the path it stands at."""
    if kind == "policy directory":
        target = directory / "policies"
        target.mkdir()
        for name, text in value.items():
            (target / name).write_text(text, encoding="utf-8")
        return target
    suffix = ".json" if kind.endswith("(JSON)") else ".yaml"
    target = directory / f"{kind.split()[0].replace('policy', 'policies')}{suffix}"
    target.write_text(value, encoding="utf-8")
    return target


def arguments(case: tuple[str, str, Any, str], directory: Path) -> tuple[list[str], str]:
    """The ``podfence`` command line of a case (its input written into ``directory``), and its
    expected stderr line with the ``{file}`` placeholder filled in."""
    kind, _, value, expected = case
    if kind == "arguments":
        line = value.format(policies=POLICIES, inventory=INVENTORY)
        return line.split(), expected
    if kind not in PATH_KINDS:
        raise ValueError(f"unknown path kind {kind!r}: see PATH_KINDS")
    path = _write(kind, value, directory)
    if kind.startswith("policy"):
        argv = ["matrix", "--policies", str(path), "--inventory", str(INVENTORY)]
    else:
        argv = ["matrix", "--policies", str(POLICIES), "--inventory", str(INVENTORY), str(path)]
    return [*argv, "--output", "csv"], expected.replace("{file}", str(path))


def run(case: tuple[str, str, Any, str], directory: Path) -> tuple[int, str, str]:
    """Run a case through ``podfence.cli.app.main``: (exit status, stderr, expected line)."""
    from podfence.cli.app import main

    argv, expected = arguments(case, directory)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, err.getvalue(), expected
