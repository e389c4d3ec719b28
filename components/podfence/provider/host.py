"""The component provider that serves podfence's components: Pulumi's own, except that each
component gets its inputs exactly as the program wrote them, for its spec to validate."""

import sys

from pulumi.output import Inputs
from pulumi.provider import main
from pulumi.provider.experimental.analyzer import ComponentDefinition
from pulumi.provider.experimental.component import ComponentProvider

from podfence.manifests.wire import integral

__all__ = ["PodfenceProvider", "run_provider"]


class PodfenceProvider(ComponentProvider):
    """Pulumi's ComponentProvider (the schema derived from the components' args annotations,
    ``construct`` calling the component), with the inputs left as the program wrote them.

    Pulumi's own mapping renames the schema's camelCase keys to Python's, and it drops every key
    the schema does not know and reads a value that is not an object, where the schema has one,
    as an empty object: a misspelt ``matchLabel`` or a selector written as a string would become
    ``{}``, which selects every namespace. A firewall must refuse those instead, so the component
    gets the camelCase inputs, which its spec reads like a stack's config: an unknown key is an
    error naming the nearest known one, and a value of the wrong type is an error naming it.
    Numbers cross Pulumi's wire as doubles; whole ones become integers again (ports).
    """

    def map_inputs(self, inputs: Inputs, component_def: ComponentDefinition) -> Inputs:
        """``inputs`` as they came, whole numbers as integers; ``component_def`` is not used."""
        mapped: Inputs = integral(dict(inputs))
        return mapped


def run_provider(provider: ComponentProvider) -> None:
    """Serve ``provider`` to the Pulumi engine, whose address is on the command line (what
    ``component_provider_host`` does for Pulumi's own ComponentProvider). Returns when the
    engine stops the provider."""
    main(provider, sys.argv[1:])
