"""How the gateway simulators deliver a callback: over HTTP, or straight into a WSGI app.

(Formerly `connectors.banks.ipn_delivery`.)

A simulated gateway sends its IPN/webhook the way the vendor does (VNPay: GET with the
signed query; MoMo and payOS: POST JSON) to a URL on loopback, or, for in-process tests,
calls a WSGI app (a portal's `IpnHandler`) directly without any socket. `deliver` repeats
the delivery on the vendor's retry schedule (scaled down in tests through `sleep`).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from connectors.banks.base import CallbackRequest

__all__ = [
    "DeliveryAttempt",
    "WSGIApp",
    "deliver",
    "in_background",
    "send_callback",
]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One delivery of a callback: the merchant's HTTP status and body, or the error."""

    status: int | None
    body: bytes = b""
    error: str | None = None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def send_callback(
    callback: CallbackRequest, target: str | WSGIApp, *, timeout: float = 15.0
) -> DeliveryAttempt:
    """Deliver `callback` once to `target` (a URL, or a WSGI app called in process)."""
    if isinstance(target, str):
        try:
            response = requests.request(
                callback.method,
                target,
                params=dict(callback.query) or None,
                data=callback.body or None,
                headers=dict(callback.headers),
                timeout=(min(5.0, timeout), timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return DeliveryAttempt(None, b"", type(exc).__name__)
        return DeliveryAttempt(response.status_code, response.content)
    return _call_wsgi(callback, target)


def deliver(
    callback: CallbackRequest,
    target: str | WSGIApp,
    *,
    done: Callable[[DeliveryAttempt], bool],
    max_attempts: int,
    interval: float,
    sleep: Callable[[float], None],
    timeout: float = 15.0,
) -> list[DeliveryAttempt]:
    """Deliver until `done(attempt)` or `max_attempts`, waiting `interval` between tries."""
    attempts: list[DeliveryAttempt] = []
    for number in range(max_attempts):
        if number:
            sleep(interval)
        attempt = send_callback(callback, target, timeout=timeout)
        attempts.append(attempt)
        if done(attempt):
            break
    return attempts


def _call_wsgi(callback: CallbackRequest, app: WSGIApp) -> DeliveryAttempt:
    parts = urlsplit(callback.path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": callback.method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path or "/",
        "QUERY_STRING": urlencode(dict(callback.query)),
        "CONTENT_LENGTH": str(len(callback.body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(callback.body),
        "wsgi.url_scheme": "http",
    }
    for name, value in callback.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ["HTTP_" + key] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"] = int(status.split(" ", 1)[0])

    try:
        body = b"".join(app(environ, start_response))
    except Exception as exc:
        return DeliveryAttempt(None, b"", type(exc).__name__)
    return DeliveryAttempt(captured.get("status"), body)


def in_background(work: Callable[[], object]) -> threading.Thread:
    """Run `work` on a daemon thread (how a vendor sends its IPN after the pay page)."""
    thread = threading.Thread(target=work, daemon=True, name="simulated-ipn")
    thread.start()
    return thread
