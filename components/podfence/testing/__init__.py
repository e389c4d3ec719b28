"""Testing Pulumi programs and components that make network policies, offline.

* :func:`run_program` runs a project's program under mocks and returns its resources and
  policy manifests (NetworkPolicies, and cluster-wide policies such as a ClusterBaseline's
  BaselineAdminNetworkPolicy); :func:`capture` records what components built in a ``with``
  block register.
* :func:`assert_allowed`, :func:`assert_denied` and :func:`assert_matrix` decide flows on those
  manifests with podfence's reachability engine; a failure's message is the engine's
  explanation. Without an inventory they use one derived from the policies
  (:func:`policy_inventory` names its pods).
* The pytest plugin (installed with podfence) provides the ``pulumi_mocks`` fixture, which
  isolates Pulumi's global mock state for tests that set their own mocks.

Example::

    from podfence.testing import assert_allowed, assert_denied, run_program

    def test_the_ui_reaches_the_api_only() -> None:
        policies = run_program("infra", stack="dev").policies
        assert_allowed(policies, "guestbook/guestbook-ui", "guestbook/guestbook-api", 8080)
        assert_denied(policies, "guestbook/guestbook-ui", "guestbook/guestbook-db", 6379)

The names load on first access, so the pytest plugin does not import Pulumi at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podfence.expectations import ExpectationFile, load_expectations
    from podfence.offline.recorder import RecordedResource
    from podfence.testing.assertions import (
        assert_allowed,
        assert_denied,
        assert_matrix,
        policy_inventory,
    )
    from podfence.testing.program import Captured, Program, capture, run_program

__all__ = [
    "Captured",
    "ExpectationFile",
    "Program",
    "RecordedResource",
    "assert_allowed",
    "assert_denied",
    "assert_matrix",
    "capture",
    "load_expectations",
    "policy_inventory",
    "run_program",
]

_LAZY = {
    "ExpectationFile": "podfence.expectations",
    "load_expectations": "podfence.expectations",
    "RecordedResource": "podfence.offline.recorder",
    "assert_allowed": "podfence.testing.assertions",
    "assert_denied": "podfence.testing.assertions",
    "assert_matrix": "podfence.testing.assertions",
    "policy_inventory": "podfence.testing.assertions",
    "Captured": "podfence.testing.program",
    "Program": "podfence.testing.program",
    "capture": "podfence.testing.program",
    "run_program": "podfence.testing.program",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
