"""`podfence render`: the objects a stack would apply, as YAML, from the real program under mocks.

With ``--import-file FILE`` it writes, instead, Pulumi's bulk-import file for those objects, for
a cluster that already has them (applied with kubectl): see
:func:`podfence.offline.stack.import_file` for what the file holds and the steps that follow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from podfence.cli.app import ExitStatus
from podfence.errors import ConfigError

__all__ = ["dump_manifests", "register", "run", "write_import_file"]


def dump_manifests(manifests: list[dict[str, Any]]) -> str:
    """Multi-document YAML, one document per object, keys in the conventional order.

    Dumped with libyaml's emitter (``CSafeDumper``) when PyYAML has it: the same text as the
    pure-Python ``SafeDumper``, several times faster on large stacks.
    """
    import yaml

    from podfence.manifests.order import canonical

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump_all(
        [canonical(m) for m in manifests],
        Dumper=dumper,
        sort_keys=False,
        explicit_start=True,
        width=100,
    )


def register(subparsers: Any) -> None:
    """Add the `render` subcommand."""
    parser = subparsers.add_parser(
        "render",
        help="print every object a stack would create, as YAML (offline, under Pulumi mocks)",
        description=(
            "Run the program (__main__.py) with the stack's config under Pulumi mocks and print "
            "every object `pulumi up` would create, as multi-document YAML."
        ),
    )
    parser.add_argument("--stack", required=True, help="the stack (stacks/Pulumi.STACK.yaml)")
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the Pulumi project (default: the nearest directory upwards with Pulumi.yaml)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="write one file per object into DIR (<namespace>-<name>.yaml) instead of printing",
    )
    output.add_argument(
        "--import-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=(
            "instead of printing, write FILE for `pulumi import --file`: every NetworkPolicy the "
            "stack makes, by its Pulumi name and <namespace>/<name>, under its component, which "
            'the file lists too ("component": true), so no `pulumi up` comes first (Pulumi '
            ">= 3.94). For objects already applied with kubectl, which pulumi-kubernetes >= 4.29 "
            "will not create over (AlreadyExists). Then run, in order: `pulumi import --stack "
            "STACK --file FILE --protect=false --generate-code=false`, then `pulumi up --stack "
            "STACK`. The alternative: `pulumi config set kubernetes:upsertExistingObjects true` "
            "and `pulumi up` updates the existing objects (unset it afterwards)"
        ),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Render the stack; print it, write it to --out, or write its import file."""
    from podfence.offline.stack import render_stack

    if args.import_file is not None:
        return write_import_file(args.stack, args.project_dir, args.import_file)
    manifests = render_stack(args.stack, args.project_dir)
    if args.out is None:
        sys.stdout.write(dump_manifests(manifests))
        return ExitStatus.SUCCESS
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for manifest in manifests:
            metadata = manifest["metadata"]
            name = f"{metadata.get('namespace', 'cluster')}-{metadata['name']}.yaml"
            (args.out / name).write_text(dump_manifests([manifest]), encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"--out {args.out}: cannot write: {error.strerror}") from error
    print(f"podfence: wrote {len(manifests)} objects to {args.out}", file=sys.stderr)
    return ExitStatus.SUCCESS


def write_import_file(stack: str, project_dir: Path | None, path: Path) -> int:
    """Write the stack's bulk-import file to ``path`` and say on stderr what to run next.

    The file is :func:`podfence.offline.stack.import_file`'s object as JSON; nothing goes to
    stdout. The steps, in order: this command; ``pulumi import --stack STACK --file FILE
    --protect=false --generate-code=false``, which creates the Firewall component (empty) from
    the file's ``"component": true`` entry and adopts each policy under it, so the component
    need not be in the state yet; ``pulumi up --stack STACK``. The alternative,
    ``kubernetes:upsertExistingObjects``, is described there too.

    Raises:
        ConfigError: the stack does not render, or ``path`` cannot be written (one line naming
            --import-file).
    """
    from podfence.offline.stack import import_file

    document = import_file(stack, project_dir)
    try:
        path.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"--import-file {path}: cannot write: {reason}") from error
    count = sum(1 for entry in document["resources"] if "id" in entry)
    print(
        f"podfence: wrote {count} NetworkPolicies to {path}; next: pulumi import --stack {stack} "
        f"--file {path} --protect=false --generate-code=false, then pulumi up --stack {stack}",
        file=sys.stderr,
    )
    return ExitStatus.SUCCESS
