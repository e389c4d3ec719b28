"""`python -m podfence` runs the `podfence` command."""

from podfence.cli.app import entry_point

entry_point()
