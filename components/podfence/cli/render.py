"""`podfence render`: the objects a stack would apply, as YAML, from the real program under mocks.

With ``--import-file FILE`` it writes, instead, Pulumi's bulk-import file for those objects, for
a cluster that already has them (applied with kubectl): see
:func:`podfence.offline.stack.import_file` for what the file holds and the steps that follow.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from podfence.cli.app import ExitStatus
from podfence.errors import ConfigError

__all__ = [
    "counted",
    "dump_manifests",
    "is_podfence_file",
    "register",
    "run",
    "write_import_file",
    "write_out_dir",
]


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
            "instead of printing, write FILE for `pulumi import --file`: every object the stack "
            "makes (NetworkPolicies, cluster-wide policies, created Namespaces), by its Pulumi "
            "name and ID (<namespace>/<name>, or <name> when cluster-scoped), under its "
            "component, which "
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
    files = {}
    for manifest in manifests:
        metadata = manifest["metadata"]
        files[f"{metadata.get('namespace', 'cluster')}-{metadata['name']}.yaml"] = dump_manifests(
            [manifest]
        )
    removed = write_out_dir(args.out, files)
    gone = f", removed {len(removed)} it no longer makes" if removed else ""
    print(f"podfence: wrote {len(manifests)} objects to {args.out}{gone}", file=sys.stderr)
    return ExitStatus.SUCCESS


def is_podfence_file(path: Path) -> bool:
    """Whether ``path`` is a file podfence wrote: YAML whose every object carries the label
    ``app.kubernetes.io/managed-by: podfence``. Anything else (unreadable, not YAML, another
    tool's object) is not."""
    import yaml

    from podfence.manifests.wire import MANAGED_BY_LABELS

    if not path.is_file() or path.is_symlink():
        return False
    try:
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except (OSError, UnicodeError, yaml.YAMLError):
        return False
    return bool(documents) and all(
        isinstance(d, dict)
        and isinstance(d.get("metadata"), dict)
        and isinstance(d["metadata"].get("labels"), dict)
        and MANAGED_BY_LABELS.items() <= d["metadata"]["labels"].items()
        for d in documents
    )


def write_out_dir(out: Path, files: dict[str, str]) -> list[str]:
    """Make ``out`` hold ``files`` (name -> text), all of them or, on failure, none.

    The files are written into a new directory beside ``out``, which is then renamed into its
    place, so ``kubectl apply -f out`` never sees half a stack. Of what ``out`` held before,
    podfence's own files (see :func:`is_podfence_file`) that the stack no longer makes are
    dropped; every other entry is moved into the new directory, and named on stderr.

    Returns:
        The names of the podfence files removed.

    Raises:
        ConfigError: ``out`` is not a directory, or cannot be written (nothing has changed).
    """
    target = out.resolve()
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a directory")
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise ConfigError(
            f"--out {out}: is the directory podfence runs in (or one above it), which it would "
            "replace; name a directory of its own, e.g. --out rendered/STACK"
        )
    before = sorted(target.iterdir()) if target.is_dir() else []
    removed = [p.name for p in before if p.name not in files and is_podfence_file(p)]
    kept = [p for p in before if p.name not in files and p.name not in removed]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as error:
        raise ConfigError(f"--out {out}: cannot write: {error.strerror}") from error
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if target.is_dir():
            shutil.copymode(target, staging)
        else:
            staging.chmod(0o777 & ~_umask())
        _swap(target, staging, kept)
    except OSError as error:
        _remove(staging, files)
        raise ConfigError(f"--out {out}: cannot write: {error.strerror}") from error
    old = staging.with_name(staging.name + ".old")
    if not _remove(old, [*files, *removed]):
        print(f"podfence: --out {out}: the previous files are left in {old}", file=sys.stderr)
    for path in kept:
        print(
            f"podfence: --out {out}: left {path.name} as it is: podfence did not write it "
            "(no app.kubernetes.io/managed-by: podfence label)",
            file=sys.stderr,
        )
    return removed


def _swap(target: Path, staging: Path, kept: list[Path]) -> None:
    """Put ``staging`` in the place of ``target`` (which becomes ``<staging>.old``), with the
    ``kept`` entries of ``target`` moved along.

    Raises:
        OSError: nothing has changed; ``staging`` holds what the caller wrote, and only that.
    """
    if not target.exists():
        staging.rename(target)
        return
    moved: list[Path] = []
    old = staging.with_name(staging.name + ".old")
    try:
        for path in kept:
            path.rename(staging / path.name)
            moved.append(path)
        target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            old.rename(target)
            raise
    except OSError:
        for path in moved:
            (staging / path.name).rename(path)
        raise


def _remove(folder: Path, names: list[str] | dict[str, str]) -> bool:
    """Remove the files ``names`` from ``folder``, then ``folder`` if that empties it (never
    anything else: a user's file left there by a failed rollback stays). False when
    ``folder`` is still there."""
    for name in names:
        with contextlib.suppress(OSError):
            (folder / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()
    return not folder.exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _plural(kind: str) -> str:
    """``NetworkPolicy`` -> ``NetworkPolicies``, ``Namespace`` -> ``Namespaces``,
    ``IngressClass`` -> ``IngressClasses``."""
    if kind.endswith("y") and kind[-2:-1] not in tuple("aeiou"):
        return kind[:-1] + "ies"
    if kind.endswith(("s", "x", "ch", "sh")):
        return kind + "es"
    return kind + "s"


def counted(kinds: list[str]) -> str:
    """How many objects of each kind, in the order the kinds first come: ``6 NetworkPolicies and
    1 BaselineAdminNetworkPolicy``; ``no objects`` for none."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{n} {kind if n == 1 else _plural(kind)}" for kind, n in counts.items()]
    if not parts:
        return "no objects"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def write_import_file(stack: str, project_dir: Path | None, path: Path) -> int:
    """Write the stack's bulk-import file to ``path`` and say on stderr what to run next.

    The file is :func:`podfence.offline.stack.import_file`'s object as JSON; nothing goes to
    stdout; stderr says how many objects of each kind it lists. The steps, in order: this
    command; ``pulumi import --stack STACK --file FILE --protect=false --generate-code=false``,
    which creates each component (empty) from the file's ``"component": true`` entry and adopts
    each object under it, so the component need not be in the state yet; ``pulumi up --stack STACK``. The alternative,
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
    kinds = [entry["type"].rsplit(":", 1)[-1] for entry in document["resources"] if "id" in entry]
    print(
        f"podfence: wrote {counted(kinds)} to {path}; next: pulumi import --stack {stack} "
        f"--file {path} --protect=false --generate-code=false, then pulumi up --stack {stack}",
        file=sys.stderr,
    )
    return ExitStatus.SUCCESS
