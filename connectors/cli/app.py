"""The `connectors` command line (typer + rich). Exit codes: see `connectors.cli.output`.

Every error, a usage error included, is one line on stderr (`OneLineErrors`); no garbage
on the command line or in a file it names ends in a traceback.
"""

from __future__ import annotations

import typer

from connectors import __version__
from connectors.cli import vn
from connectors.cli.demo import demo
from connectors.cli.doctor import doctor
from connectors.cli.invoice import invoice_app
from connectors.cli.outbox import outbox_app
from connectors.cli.output import OneLineErrors
from connectors.cli.report import report
from connectors.cli.simulate import simulate
from connectors.cli.vietqr import vietqr_app

__all__ = ["app"]

app = typer.Typer(
    name="connectors",
    help="Connect Vietnamese public-service portals to payment, e-invoice, SMS and iHanoi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
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


app.command()(demo)
app.command()(doctor)
app.command()(report)  # issue 15: connectors/cli/report.py
app.command()(simulate)
vn.register(app)
app.add_typer(outbox_app, name="outbox")
app.add_typer(vietqr_app, name="vietqr")
app.add_typer(invoice_app, name="invoice")
