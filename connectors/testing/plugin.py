"""The pytest plugin (entry point `connectors`): fixtures for serving simulators.

- `serve_app`: call it with a WSGI app (a simulator or a portal handler); it is served on
  127.0.0.1 for the test and the base URL is returned.
- `mount_simulator`: call it with a simulator and a base URL; requests to that URL are
  answered in process (through `responses`) for the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from connectors.testing.inprocess import mount
from connectors.testing.server import WSGIApp, serve
from connectors.testing.simulator import Simulator


@pytest.fixture
def serve_app() -> Iterator[Callable[[WSGIApp], str]]:
    """Serve WSGI apps on loopback for the duration of the test."""
    with ExitStack() as stack:

        def start(app: WSGIApp) -> str:
            return stack.enter_context(serve(app))

        yield start


@pytest.fixture
def mount_simulator() -> Iterator[Callable[[Simulator, str], Any]]:
    """Answer requests to a base URL from a simulator, in process."""
    with ExitStack() as stack:

        def start(simulator: Simulator, base_url: str) -> Any:
            return stack.enter_context(mount(simulator, base_url))

        yield start
