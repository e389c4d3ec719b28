"""podfence's pytest plugin, registered through the ``pytest11`` entry point.

Installing podfence makes the :func:`pulumi_mocks` fixture available to every test suite; the
plugin imports neither Pulumi nor podfence until a test asks for the fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

__all__ = ["pulumi_mocks"]


@pytest.fixture
def pulumi_mocks() -> Iterator[asyncio.AbstractEventLoop]:
    """Isolate Pulumi's process-global state around a test that sets its own mocks.

    Pulumi keeps its mocks, settings and config in module globals and registers resources on the
    current event loop. A test that calls ``pulumi.runtime.set_mocks`` (the classic unit-test
    style, with ``@pulumi.runtime.test``) would leave them to the next test. This fixture gives
    the test a fresh event loop, set as the current one, and afterwards resets Pulumi's options
    (``pulumi.runtime.reset_options()``, which drops the mocks) and config, then closes the loop.

    :func:`podfence.testing.run_program` and :func:`podfence.testing.capture` isolate themselves
    and need no fixture.

    Yields:
        The test's event loop.
    """
    import pulumi

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pulumi.runtime.set_all_config({}, secret_keys=[])
        pulumi.runtime.reset_options()
        asyncio.set_event_loop(None)
        loop.close()
