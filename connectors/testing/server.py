"""Serve any WSGI app (a simulator, a portal's IPN handler) on a loopback port.

    with serve(simulator) as base_url:   # "http://127.0.0.1:<port>"
        ...

HTTP/1.1 with keep-alive, one thread per connection, bound to 127.0.0.1 only. A simulator
raising `AbortConnection` gets its connection held for the fault's `hold` seconds (or until
the server stops) and then reset, which is how timeouts and resets look on a real socket.
A simulator raising `WireFault` has its answer cut short, trickled, or replaced by a
streamed oversize body (see `connectors.testing.faults`).
"""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from connectors.testing.faults import Oversize, Trickle, Truncated
from connectors.testing.simulator import AbortConnection, SimResponse, WireFault

__all__ = ["LOOPBACK", "ServedApp", "serve"]

LOOPBACK = "127.0.0.1"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, app: WSGIApp, port: int) -> None:
        self.app = app
        self.stopping = threading.Event()
        super().__init__((LOOPBACK, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms on Linux loopback) on every keep-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: simulators log nothing to stderr."""

    def do_GET(self) -> None:
        self._run()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _run(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": LOOPBACK,
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            captured["status"] = status
            captured["headers"] = headers

        try:
            chunks = self.server.app(environ, start_response)
            payload = b"".join(chunks)
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        except AbortConnection as abort:
            self._abort(abort.hold)
            return
        except WireFault as wire:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._write_fault(wire.fault, wire.answer)
            return
        code, _, reason = captured["status"].partition(" ")
        self.send_response(int(code), reason)
        names = set()
        for name, value in captured["headers"]:
            names.add(name.lower())
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _head(self, answer: SimResponse, extra: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {answer.status} Fault"]
        headers = {**answer.headers, "Connection": "close", **extra}
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write_fault(self, fault: Truncated | Trickle | Oversize, answer: SimResponse) -> None:
        sock: socket.socket = self.connection
        if isinstance(fault, Truncated):
            keep = min(fault.keep, max(len(answer.body) - 1, 0))
            length = {"Content-Length": str(len(answer.body))}
            sock.sendall(self._head(answer, length) + answer.body[:keep])
            sock.shutdown(socket.SHUT_WR)  # a clean close: the client sees a short body
        elif isinstance(fault, Trickle):
            length = {"Content-Length": str(len(answer.body))}
            for byte in self._head(answer, length) + answer.body:
                if self.server.stopping.wait(fault.interval):
                    break
                sock.sendall(bytes([byte]))
        else:
            self._write_oversize(sock, fault)

    def _write_oversize(self, sock: socket.socket, fault: Oversize) -> None:
        filler = SimResponse(200, b"", {"Content-Type": fault.content_type})
        framing = (
            {"Content-Length": str(fault.size)}
            if fault.declare_length
            else {"Transfer-Encoding": "chunked"}
        )
        sock.sendall(self._head(filler, framing))
        block = b"<x>0123456789abcdef</x>" * 2849  # 65,527 bytes of harmless text
        left = fault.size
        while left > 0 and not self.server.stopping.is_set():
            piece = block[: min(left, len(block))]
            left -= len(piece)
            if fault.declare_length:
                sock.sendall(piece)
            else:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        if not fault.declare_length:
            sock.sendall(b"0\r\n\r\n")

    def _abort(self, hold: float) -> None:
        if hold > 0:
            self.server.stopping.wait(hold)
        self.close_connection = True
        sock: socket.socket = self.connection
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Replace the file objects so the base class's flush on finish() is harmless.
        self.wfile = io.BytesIO()
        sock.close()


class ServedApp:
    """A running loopback server; `base_url` is where to send requests."""

    def __init__(self, app: WSGIApp, port: int = 0) -> None:
        self._server = _Server(app, port)
        host, bound_port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{bound_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> ServedApp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve(app: WSGIApp, *, port: int = 0) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port unless given) for the `with` block."""
    served = ServedApp(app, port).start()
    try:
        yield served.base_url
    finally:
        served.stop()
