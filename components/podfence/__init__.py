"""podfence: typed Pulumi components for Kubernetes NetworkPolicies, and a proof of what they allow.

The specs (``podfence.spec``) and manifests (``podfence.manifests``) need no Pulumi; the
components (``podfence.components``) do and are imported from there, so the analysis commands
start without loading Pulumi.
"""

from typing import Any

from podfence.errors import ConfigError, InputError, PodfenceError, SpecError

__all__ = ["ConfigError", "InputError", "PodfenceError", "SpecError", "__version__"]


def __getattr__(name: str) -> Any:
    """``__version__``: the installed distribution's version, pyproject.toml its only source.

    Looked up on first use: reading the package metadata costs about 20 ms, which no command
    should pay at start-up.
    """
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("podfence")
        except PackageNotFoundError:  # pragma: no cover - a source tree, not installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
