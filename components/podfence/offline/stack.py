"""A stack of the program, offline: the manifests it would apply and the inputs to analyse it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podfence.errors import ConfigError
from podfence.offline.project import Project, find_project
from podfence.offline.recorder import RecordedResource, record_program
from podfence.offline.scope import object_id

__all__ = [
    "NETWORK_POLICY",
    "StackInputs",
    "bulk_import",
    "import_file",
    "kubernetes_objects",
    "load_stack_inputs",
    "record_stack",
    "render_stack",
    "stack_firewall",
]

#: The type token of the objects podfence makes.
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
_ROOT_STACK = "pulumi:pulumi:Stack"


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _object_key(obj: dict[str, Any]) -> tuple[str, str, str]:
    metadata = obj.get("metadata", {})
    return (obj["kind"], metadata.get("namespace", ""), metadata.get("name", ""))


def kubernetes_objects(resources: list[RecordedResource]) -> list[RecordedResource]:
    """The Kubernetes objects among ``resources``, in their order: the custom resources of the
    kubernetes provider whose inputs are an object in wire form (``kind``, ``apiVersion``,
    ``metadata``), CustomResources included. Components, providers and objects the program only
    reads (``Namespace.get``, recorded as no custom resource) are not objects it makes."""
    return [
        r
        for r in resources
        if r.custom
        and r.type.startswith("kubernetes:")
        and isinstance(r.inputs.get("kind"), str)
        and "apiVersion" in r.inputs
    ]


def record_stack(
    stack: str, project_dir: Path | None = None
) -> tuple[Project, list[RecordedResource]]:
    """Run the program as ``stack`` under mocks, with the stack file's config (encrypted values
    as secret placeholders); return the project and every resource the program registered.

    Args:
        stack: the stack's name (stacks/Pulumi.<stack>.yaml).
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.

    Raises:
        ConfigError: no such stack, an encrypted firewall object, or the program fails (its one
            line, after the stack file's path).
    """
    project = find_project(project_dir)
    config = project.pulumi_config(stack)
    secret_keys = project.secret_keys(stack)
    try:
        resources = record_program(project.program, project.name, stack, config, secret_keys)
    except ConfigError as error:
        raise ConfigError(f"{_relative(project.stack_file(stack))}: {error}") from error
    return project, resources


def render_stack(stack: str, project_dir: Path | None = None) -> list[dict[str, Any]]:
    """Run the program as ``stack`` under mocks; return every Kubernetes object it would create,
    in wire form (apiVersion, kind, metadata, spec), sorted by kind, namespace and name.

    Args:
        stack: the stack's name (stacks/Pulumi.<stack>.yaml).
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.
    """
    _, resources = record_stack(stack, project_dir)
    return sorted((r.inputs for r in kubernetes_objects(resources)), key=_object_key)


def import_file(stack: str, project_dir: Path | None = None) -> dict[str, Any]:
    """The bulk-import file (``pulumi import --file``) for every Kubernetes object ``stack`` makes:
    its NetworkPolicies, and every other object it registers (a ClusterBaseline's
    BaselineAdminNetworkPolicy, Namespaces a Firewall creates), which is what ``render`` prints.

    For objects that already exist in the cluster (the blog's policies, applied with kubectl):
    pulumi-kubernetes >= 4.29 refuses to create over them (AlreadyExists). Importing them first
    makes them the stack's own, under the same URNs the program registers. In order:

    1. ``podfence render --stack STACK --import-file import.json``
    2. ``pulumi import --stack STACK --file import.json --protect=false --generate-code=false``
    3. ``pulumi up --stack STACK``: from here on the objects are the program's; where the
       kubectl-applied ones differ from podfence's, the preview shows in-place updates.

    No ``pulumi up`` comes before step 2: the file lists each parent component (the Firewall)
    itself, with ``"component": true``, so ``pulumi import`` creates it, empty, before the
    objects it parents (Pulumi >= 3.94). A parent named only through ``nameTable`` would have
    to be in the stack's state already, and only a ``pulumi up`` puts it there, one that fails
    on the first existing policy (after creating any that did not exist). A component already
    in the state (from such a failed ``pulumi up``) is left as it is: an import whose URN and
    ID are already in the state is a no-op. ``--generate-code=false``: the program already
    declares every resource. ``--protect=false``: the program does not protect them
    (``pulumi import`` would, until the next ``pulumi up``).

    The alternative: ``pulumi config set kubernetes:upsertExistingObjects true`` (pulumi-kubernetes
    >= 4.29), and ``pulumi up`` updates the existing objects in place instead of failing. Unset it
    once they are adopted: while set, a rename without aliases can delete the object it renames.

    Args:
        stack: the stack's name (stacks/Pulumi.<stack>.yaml).
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.

    Returns:
        The file's JSON object; see :func:`bulk_import`.

    Raises:
        ConfigError: the stack writes YAML to a directory (``kubernetes:renderYamlToDirectory``)
            instead of applying it: no cluster holds anything to import.
    """
    project = find_project(project_dir)
    directory = project.stack_config(stack).get("kubernetes:renderYamlToDirectory")
    if directory:
        raise ConfigError(
            f"stack {stack} renders YAML to {directory} (kubernetes:renderYamlToDirectory) "
            "instead of applying it: there is nothing in a cluster to import"
        )
    _, resources = record_stack(stack, project_dir)
    return bulk_import(resources)


def bulk_import(resources: list[RecordedResource]) -> dict[str, Any]:
    """Pulumi's bulk-import file for the Kubernetes objects among ``resources`` (a mocked run;
    see :func:`kubernetes_objects`).

    ``{"resources": [...]}``: first each component that parents an object (``type``, ``name``,
    ``"component": true``, and ``parent`` when it has one other than the stack), parents before
    children; then each object: ``type`` (the token it is registered with,
    ``kubernetes:<group>/<version>:<Kind>``, ``core`` for the core group; a CustomResource's is
    its apiVersion and kind, ``kubernetes:policy.networking.k8s.io/v1alpha1:
    BaselineAdminNetworkPolicy``), ``name`` (its Pulumi name), ``id`` (the provider's ID:
    ``namespace/name`` for a namespaced object, the name alone for a cluster-scoped one; see
    :func:`podfence.offline.scope.object_id`) and ``parent`` (the ``name`` of its component's
    entry). ``name`` is the resource's Pulumi name, so ``pulumi import`` computes the URN the
    program registers (``logicalName`` defaults to it; one is written only when two entries
    share a Pulumi name, since a parent is referred to by ``name``). No ``nameTable``: every
    parent is in the file, and listing one there too would give Pulumi two resources with one
    URN.

    Raises:
        ConfigError: an object whose ID cannot be told (no name; a namespaced one without a
            namespace), one created with an explicit provider (its import would need that
            provider in the stack's state first), or a parent that cannot be told apart from
            another component of the same type.
    """
    objects = kubernetes_objects(resources)
    parents: dict[str, RecordedResource | None] = {}

    def parent_of(child: RecordedResource) -> RecordedResource | None:
        if child.urn not in parents:
            parents[child.urn] = _parent(child, resources)
            found = parents[child.urn]
            if found is not None:
                parent_of(found)
        return parents[child.urn]

    for obj in objects:
        if obj.provider and "::pulumi:providers:kubernetes::default" not in obj.provider:
            raise ConfigError(
                f"--import-file: {obj.name} is created with the provider {obj.provider}; "
                "podfence writes import files for the stack's default provider only"
            )
        parent_of(obj)

    def depth(resource: RecordedResource) -> int:
        parent = parents.get(resource.urn)
        return 0 if parent is None else 1 + depth(parent)

    components = sorted(
        (r for r in resources if r.urn in parents and not r.custom),
        key=lambda r: (depth(r), r.urn),
    )
    names: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    for resource in [*components, *objects]:
        entry: dict[str, Any] = {"type": resource.type, "name": _unique(resource.name, names)}
        if entry["name"] != resource.name:
            entry["logicalName"] = resource.name
        names[resource.urn] = entry["name"]
        if resource.custom:
            entry["id"] = _import_id(resource)
        else:
            entry["component"] = True
        parent = parents.get(resource.urn)
        if parent is not None:
            entry["parent"] = names[parent.urn]
        entries.append(entry)
    return {"resources": entries}


def _unique(name: str, taken: dict[str, str]) -> str:
    """``name``, or ``name-2``, ``name-3``... when an entry already has it."""
    used = set(taken.values())
    candidate, count = name, 1
    while candidate in used:
        count += 1
        candidate = f"{name}-{count}"
    return candidate


def _import_id(resource: RecordedResource) -> str:
    """``resource``'s ID for ``pulumi import`` (see :func:`podfence.offline.scope.object_id`).

    Raises:
        ConfigError: no metadata.name, or a namespaced object without metadata.namespace.
    """
    found = object_id(resource.inputs)
    if found is not None:
        return found
    what = f"{resource.name} ({resource.inputs['kind']})"
    metadata = resource.inputs.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise ConfigError(f"--import-file: {what} has no metadata.name to import it by")
    raise ConfigError(
        f"--import-file: {what} is namespaced and has no metadata.namespace, so its ID depends "
        "on the provider's default namespace; set metadata.namespace"
    )


def _parent(child: RecordedResource, resources: list[RecordedResource]) -> RecordedResource | None:
    """The component ``child`` was registered under; None for the stack.

    A URN carries the parent's type (``<parent type>$<type>``), not its name: the parent is the
    one component of that type, or, among several, the one whose name prefixes the child's
    (podfence names children ``<component name>-...``).
    """
    chain = child.urn.split("::")[2].split("$")
    if len(chain) < 2 or chain[-2] == _ROOT_STACK:
        return None
    candidates = [r for r in resources if r.type == chain[-2] and not r.custom]
    if len(candidates) > 1:
        candidates = [r for r in candidates if child.name.startswith(f"{r.name}-")]
    if len(candidates) != 1:
        raise ConfigError(
            f"--import-file: cannot tell which {chain[-2]} is the parent of {child.name}"
        )
    return candidates[0]


def stack_firewall(project: Project, stack: str) -> Any:
    """The stack's validated ``firewall`` config (a :class:`podfence.config.FirewallConfig`)."""
    from podfence.config import CONFIG_KEY, FirewallConfig, missing_firewall_message

    key = f"{project.name}:{CONFIG_KEY}"
    config = project.stack_config(stack)
    if config.get(key) is None:
        raise ConfigError(
            f"{_relative(project.stack_file(stack))}: {missing_firewall_message(key, config)}"
        )
    return FirewallConfig.parse(config[key], root=CONFIG_KEY)


@dataclass(frozen=True)
class StackInputs:
    """The policies a stack would apply, with an inventory to evaluate them on.

    Attributes:
        objects: the policies plus the inventory's Namespace and Pod objects.
        externals: sample addresses to evaluate (none when an inventory is given).
        nodes: what each endpoint stands for in a graph of the firewall (see
            :class:`podfence.offline.inventory.DerivedInventory`); every pod by its own name
            when an inventory is given.
        tiers: the firewall's own tiers among the nodes; None (every node) with an inventory.
    """

    objects: list[dict[str, Any]]
    externals: list[str]
    nodes: dict[str, str]
    tiers: list[str] | None


def load_stack_inputs(
    stack: str,
    project_dir: Path | None = None,
    inventory: list[dict[str, Any]] | None = None,
) -> StackInputs:
    """The policies ``stack`` would apply, with an inventory to evaluate them on.

    Args:
        stack: the stack's name.
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.
        inventory: Namespace and Pod objects to use; omitted, derived from the stack's firewall
            config (see :mod:`podfence.offline.inventory`).
    """
    from podfence.offline.inventory import derive_inventory

    policies = render_stack(stack, project_dir)
    if inventory is not None:
        nodes = {
            f"{o['metadata'].get('namespace') or 'default'}/{o['metadata']['name']}": ""
            for o in inventory
            if isinstance(o, dict)
            and o.get("kind") == "Pod"
            and isinstance(o.get("metadata"), dict)
        }
        return StackInputs(policies + inventory, [], {key: key for key in nodes}, None)
    derived = derive_inventory(stack_firewall(find_project(project_dir), stack))
    return StackInputs(policies + derived.objects, derived.externals, derived.nodes, derived.tiers)
