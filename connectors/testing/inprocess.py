"""Run a simulator in process behind `responses`: no socket, same behaviour.

    with mount(simulator, "https://sandbox.vnpayment.test") as mock:
        client = VNPay(..., base_url="https://sandbox.vnpayment.test")

Faults that drop the connection become the exceptions requests would raise:
`ReadTimeout` for timeouts and trickled answers (without waiting), `ConnectionError` for
resets, `ChunkedEncodingError` for a truncated body; an oversize answer is one bytes object
in memory (use a small `size` in process).
Requires the `responses` package (the `test` extra): without it, `mount` raises
`connectors.core.extras.MissingExtra` (a `ConfigError` and an `ImportError`) naming
``pip install 'vn-public-connectors[test]'``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from urllib3.exceptions import ProtocolError

from connectors.core.extras import require
from connectors.testing.faults import Oversize, Trickle
from connectors.testing.simulator import AbortConnection, Simulator, WireFault

__all__ = ["mount"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _environ(prepared: requests.PreparedRequest) -> dict[str, Any]:
    parts = urlsplit(prepared.url or "")
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": prepared.method or "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(parts.path or "/", encoding="latin-1"),
        "QUERY_STRING": parts.query,
        "CONTENT_TYPE": prepared.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": parts.hostname or "simulator",
        "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": parts.scheme,
    }
    for name, value in prepared.headers.items():
        key = "HTTP_" + name.upper().replace("-", "_")
        if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            environ[key] = value
    return environ


def _wire_fault(
    wire: WireFault, prepared: requests.PreparedRequest
) -> tuple[int, dict[str, str], bytes]:
    fault = wire.fault
    if isinstance(fault, Oversize):
        headers = {"Content-Type": fault.content_type}
        return 200, headers, b"x" * fault.size
    if isinstance(fault, Trickle):
        raise requests.ReadTimeout("simulated trickle: no whole answer in time", request=prepared)
    cut = ProtocolError("Connection broken: IncompleteRead", ConnectionResetError(104, "cut"))
    raise requests.exceptions.ChunkedEncodingError(cut, request=prepared)


_active: list[Any] = []
"""The `responses.RequestsMock`s of the mounts still open, innermost last. A nested mount
starts its own mock (its `calls` are its own) carrying the outer mounts' routes too."""


@contextmanager
def mount(simulator: Simulator, base_url: str) -> Iterator[Any]:
    """Route every request under `base_url` to `simulator` for the `with` block.

    Mounts nest: inside another mount, both simulators answer under their base URLs.
    Yields this mount's `responses.RequestsMock` (its `calls` are the requests made inside
    this block); other URLs are refused.
    """
    # Imported here: a test-only dependency (the `test` extra), named if it is missing.
    responses = require("responses", extra="test", feature="connectors.testing.mount")

    def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = dict(headers)

        try:
            body = b"".join(simulator(_environ(prepared), start_response))
        except AbortConnection as abort:
            if abort.hold > 0:
                raise requests.ReadTimeout(
                    f"simulated timeout ({'after' if abort.processed else 'before'} processing)",
                    request=prepared,
                ) from None
            reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
            raise requests.ConnectionError(reset, request=prepared) from None
        except WireFault as wire:
            return _wire_fault(wire, prepared)
        headers = {k: v for k, v in captured["headers"].items() if k.lower() != "content-length"}
        return captured["status"], headers, body

    pattern = re.compile(re.escape(base_url.rstrip("/")) + r"(/.*)?(\?.*)?$")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in _METHODS:  # first: the inner simulator wins on the same base URL
            mock.add_callback(method, pattern, callback=callback)
        if _active:  # then keep answering the URLs mounted around this one
            for route in _active[-1].registered():
                mock.add(route)
        _active.append(mock)
        try:
            yield mock
        finally:
            _active.pop()
