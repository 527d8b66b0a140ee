"""The `connectors` command line (typer + rich)."""

from __future__ import annotations

import typer

from connectors import __version__

app = typer.Typer(
    name="connectors",
    help="Connect Vietnamese public-service portals to payment, e-invoice, SMS and iHanoi.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"connectors {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Typed adapters and simulators for Vietnamese public-service integrations."""


@app.command()
def demo(
    dossiers: int = typer.Option(20, min=1, max=500, help="How many dossiers to run."),
) -> None:
    """Run the end-to-end demo on the bundled simulators (loopback only).

    Exit code 0 when every invariant holds, 1 when one fails.
    """
    from rich.console import Console

    from connectors.demo import run

    console = Console()
    result = run(dossiers=dossiers, console=console)
    console.print(
        f"{result.dossiers} dossiers, {result.receipts_in_ledger} receipts in the vendor's "
        f"ledger, {result.requests_sent} requests sent (retries included)"
    )
    for failure in result.failures:
        console.print(f"[red]FAILED[/red] {failure}")
    if not result.ok:
        raise typer.Exit(1)
    console.print("[green]All invariants hold.[/green]")


if __name__ == "__main__":  # pragma: no cover
    app()
