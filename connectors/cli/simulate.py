"""`connectors simulate [PROVIDER...]`: serve bundled simulators on 127.0.0.1."""

from __future__ import annotations

import threading
from contextlib import ExitStack, suppress

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail
from connectors.simulators import CATALOG, make
from connectors.testing import serve

__all__ = ["simulate"]

_MAX_SECONDS = 365 * 24 * 3600.0  # threading's wait() overflows on inf or 1e308
PROVIDERS = typer.Argument(None, help="Simulators to serve (default: all).", show_default=False)
SECONDS = typer.Option(
    None,
    "--seconds",
    min=0.1,
    max=_MAX_SECONDS,
    help="Stop after this many seconds, at most a year (default: until Ctrl-C).",
)


def simulate(
    providers: list[str] | None = PROVIDERS,
    seconds: float | None = SECONDS,
    as_json: bool = JSON_OPTION,
) -> None:
    """Serve simulators on loopback ports and print their base URLs and fake credentials.

    Point your adapters' `base_url` at these URLs in your own tests. Nothing leaves
    127.0.0.1; the credentials are the simulators' public test values.
    """
    names = providers or sorted(CATALOG)
    unknown = [name for name in names if name not in CATALOG]
    if unknown:
        known = ", ".join(sorted(CATALOG))
        fail(f"unknown simulator(s) {', '.join(unknown)}; known: {known}", ExitCode.USAGE)
    stop = threading.Event()
    with ExitStack() as stack:
        served = {}
        for name in names:
            entry = CATALOG[name]
            url = stack.enter_context(serve(make(name))) + entry.simulator_path
            served[name] = {"base_url": url, "domain": entry.section, **entry.credentials}
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
