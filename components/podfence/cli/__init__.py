"""The `podfence` command: render, matrix, explain, check.

Each subcommand lives in its own module with ``register(subparsers)``; analysis commands never
import Pulumi, so they start fast.
"""

from podfence.cli.app import ExitStatus, main

__all__ = ["ExitStatus", "main"]
