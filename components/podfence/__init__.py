"""podfence: typed Pulumi components for Kubernetes NetworkPolicies, and a proof of what they allow.

The specs (``podfence.spec``) and manifests (``podfence.manifests``) need no Pulumi; the
components (``podfence.components``) do and are imported from there, so the analysis commands
start without loading Pulumi.
"""

from podfence.errors import ConfigError, InputError, PodfenceError, SpecError

__all__ = ["ConfigError", "InputError", "PodfenceError", "SpecError"]
__version__ = "0.1.0"
