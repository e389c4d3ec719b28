"""podfence's components for TypeScript, Go, C#, Java and YAML programs, served by Pulumi's
Python component provider host (the plugin folder is ``provider/`` at the repository root).

``pulumi package add <path to provider/>`` runs the provider, which derives the package schema
(``podfence:index:Firewall``, its four parts, and ``podfence:index:ClusterBaseline``) from the args annotations of
:mod:`podfence.provider.components`; constructing one validates its inputs with the same specs
the Python components use (see :class:`~podfence.provider.host.PodfenceProvider`).
"""

from pulumi.resource import ComponentResource

import podfence
from podfence.provider.components import (
    ClusterBaseline,
    DefaultDeny,
    Firewall,
    IpBlockAllow,
    NamespaceAllow,
    TierFirewall,
)
from podfence.provider.host import PodfenceProvider, run_provider

__all__ = ["COMPONENTS", "NAME", "analyze", "serve"]

#: The package name: the first part of every type token (``podfence:index:Firewall``).
NAME = "podfence"

#: The components the provider serves, Firewall first, the cluster's baseline last.
COMPONENTS: list[type[ComponentResource]] = [
    Firewall,
    DefaultDeny,
    TierFirewall,
    NamespaceAllow,
    IpBlockAllow,
    ClusterBaseline,
]


def analyze() -> PodfenceProvider:
    """The provider that :func:`serve` serves, not serving: building it only derives the package
    schema (``.schema``, JSON) from the components' annotations, at podfence's version."""
    return PodfenceProvider(COMPONENTS, NAME, version=podfence.__version__)


def serve() -> None:
    """Serve the components to the Pulumi engine (what the plugin's ``__main__.py`` runs);
    returns only when the engine stops the provider."""
    run_provider(analyze())
