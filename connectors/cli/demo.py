"""`connectors demo`: the end-to-end run on the bundled simulators."""

from __future__ import annotations

import typer

from connectors.cli.output import ExitCode, console

__all__ = ["demo"]


def demo(
    dossiers: int = typer.Option(20, min=1, max=500, help="How many dossiers to run."),
) -> None:
    """Run the end-to-end demo on the bundled simulators (loopback only).

    Exit code 0 when every invariant holds, 1 when one fails.
    """
    from connectors.demo import run

    result = run(dossiers=dossiers, console=console)
    console.print(
        f"{result.dossiers} dossiers, {result.receipts_in_ledger} receipts in the vendor's "
        f"ledger, {result.requests_sent} requests sent (retries included)"
    )
    for failure in result.failures:
        console.print(f"[red]FAILED[/red] {failure}")
    if not result.ok:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
    console.print("[green]All invariants hold.[/green]")
