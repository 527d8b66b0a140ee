"""`connectors simulate [PROVIDER...]`: serve bundled simulators on 127.0.0.1."""

from __future__ import annotations

import threading
from contextlib import ExitStack, suppress
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail
from connectors.simulators import CATALOG, make
from connectors.testing import serve

__all__ = ["CALLBACKS", "simulate"]

_MAX_SECONDS = 365 * 24 * 3600.0  # threading's wait() overflows on inf or 1e308
CALLBACKS: dict[str, str] = {"vnpay": "ipn_url", "payos": "webhook_url"}
"""Simulators that call a portal at a URL registered with the vendor (not sent with each
request), and the attribute holding it; given one, they deliver by themselves."""

PROVIDERS = typer.Argument(
    None, metavar="NAME...", help="Simulators to serve (default: all).", show_default=False
)
SECONDS = typer.Option(
    None,
    "--seconds",
    min=0.1,
    max=_MAX_SECONDS,
    metavar="SECONDS",
    help="Stop after this many seconds, at most a year (default: until Ctrl-C).",
)
PORT = typer.Option(
    None,
    "--port",
    min=1,
    max=65535,
    metavar="PORT",
    help="Serve the first simulator on this port of 127.0.0.1, the next on PORT+1, and so "
    "on in the order given (default: free ports).",
)
CALLBACK = typer.Option(
    None,
    "--callback",
    metavar="NAME=URL",
    help="Where simulator NAME calls the portal: vnpay=URL (its IPN), payos=URL (its "
    "webhook); loopback URLs only; repeatable. With one, the pay page's button sends it.",
)


def _callbacks(values: list[str], names: list[str]) -> dict[str, str]:
    """`NAME=URL` pairs checked: a served simulator that calls back, a loopback http URL."""
    found: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        name = name.strip()
        if not sep or name not in CALLBACKS:
            fail(
                f"--callback takes NAME=URL with NAME one of {', '.join(sorted(CALLBACKS))} "
                f"(MoMo and eSMS call the URL the portal sends with each request), got "
                f"{value[:60]!r}",
                ExitCode.USAGE,
            )
        if name not in names:
            fail(
                f"--callback {name}=...: {name} is not among the simulators served", ExitCode.USAGE
            )
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not (
            host == "localhost" or host.startswith("127.") or host == "::1"
        ):
            fail(
                f"--callback {name}: {url[:60]!r} is not an http URL on this machine "
                "(127.0.0.1, localhost)",
                ExitCode.USAGE,
            )
        found[name] = url.strip()
    return found


def _served(name: str, callback: str | None) -> Any:
    simulator = make(name)
    if callback is not None:
        setattr(simulator, CALLBACKS[name], callback)
        simulator.auto_deliver = True
    return simulator


def simulate(
    providers: list[str] | None = PROVIDERS,
    seconds: float | None = SECONDS,
    port: int | None = PORT,
    callback: list[str] | None = CALLBACK,
    as_json: bool = JSON_OPTION,
) -> None:
    """Serve simulators on loopback ports and print their base URLs and fake credentials.

    Point your adapters' `base_url` at these URLs in your own tests. Nothing leaves
    127.0.0.1; the credentials are the simulators' public test values. With `--callback
    vnpay=http://127.0.0.1:8000/vnpay/ipn`, a citizen's click on the simulated pay page
    sends the signed IPN to your portal, as VNPay would.
    """
    names = providers or sorted(CATALOG)
    unknown = [name for name in names if name not in CATALOG]
    if unknown:
        known = ", ".join(sorted(CATALOG))
        fail(f"unknown simulator(s) {', '.join(unknown)}; known: {known}", ExitCode.USAGE)
    if port is not None and port + len(names) - 1 > 65535:
        fail(f"--port {port}: {len(names)} simulators do not fit below 65536", ExitCode.USAGE)
    calls = _callbacks(callback or [], names)
    stop = threading.Event()
    with ExitStack() as stack:
        served = {}
        for offset, name in enumerate(names):
            entry = CATALOG[name]
            at = 0 if port is None else port + offset
            try:
                base = stack.enter_context(serve(_served(name, calls.get(name)), port=at))
            except OSError as exc:
                fail(f"cannot serve {name} on 127.0.0.1:{at}: {exc.strerror}", ExitCode.CONFIG)
            served[name] = {
                "base_url": base + entry.simulator_path,
                "domain": entry.section,
                **({"callback": calls[name]} if name in calls else {}),
                **entry.credentials,
            }
        if as_json:
            emit_json(served)
        else:
            table = Table("simulator", "base_url", "credentials", title="connectors simulate")
            for name, info in served.items():
                creds = ", ".join(
                    f"{k}={v}" for k, v in info.items() if k not in ("base_url", "domain")
                )
                table.add_row(name, str(info["base_url"]), creds)
            console.print(table)
            console.print("Serving on 127.0.0.1; press Ctrl-C to stop.")
        with suppress(KeyboardInterrupt):
            stop.wait(seconds)
