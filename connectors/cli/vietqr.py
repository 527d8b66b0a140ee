"""`connectors vietqr build|parse|render`: VietQR payloads for bank-transfer fees."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from connectors.banks.vietqr import (
    VietQR,
    bank_by_bin,
    build_vietqr,
    find_bank,
    parse_vietqr,
    render_png,
    render_svg,
    render_text,
)
from connectors.cli.output import JSON_OPTION, console, emit_json, reporting_errors
from connectors.core.errors import ValidationError

__all__ = ["vietqr_app"]

vietqr_app = typer.Typer(
    help="Build, check and render VietQR transfer codes.", no_args_is_help=True
)

PAYLOAD = typer.Argument(..., help="The VietQR payload string (what the QR code holds).")
OUTPUT = typer.Option(None, "--output", "-o", help="Write a .png or .svg file instead of printing.")


def _document(qr: VietQR) -> dict[str, object]:
    bank = qr.bank
    return {
        "bin": qr.bin,
        "bank": bank.short_name if bank else None,
        "account": qr.account,
        "service": qr.service,
        "amount": qr.amount,
        "purpose": qr.purpose,
        "dynamic": qr.dynamic,
        "crc": qr.crc,
    }


@vietqr_app.command()
def build(
    bank: str = typer.Option(..., help="BIN (970432) or short name (VPBank) of the bank."),
    account: str = typer.Option(..., help="The commune's account number."),
    amount: int | None = typer.Option(None, min=1, help="Whole VND; omit for a static code."),
    purpose: str | None = typer.Option(None, help="Transfer content; dossier code first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the payload for a transfer to the commune's account."""
    with reporting_errors():
        found = find_bank(bank)
        if found is None:
            found = bank_by_bin(bank)  # raises UnknownBank naming the input
        payload = build_vietqr(bin=found.bin, account=account, amount=amount, purpose=purpose)
    if as_json:
        emit_json({"payload": payload, **_document(parse_vietqr(payload))})
    else:
        typer.echo(payload)


@vietqr_app.command()
def parse(payload: str = PAYLOAD, as_json: bool = JSON_OPTION) -> None:
    """Check a payload (CRC, lengths, structure) and show what it asks the payer to do."""
    with reporting_errors():
        qr = parse_vietqr(payload.strip())
    document = _document(qr)
    if as_json:
        emit_json(document)
        return
    table = Table(show_header=False)
    for name, value in document.items():
        table.add_row(name, "" if value is None else str(value))
    console.print(table)


@vietqr_app.command()
def render(
    payload: str = PAYLOAD,
    output: Path | None = OUTPUT,
    scale: int = typer.Option(8, min=1, max=40, help="Pixels per module for PNG/SVG."),
) -> None:
    """Render the QR code to the terminal, or to a PNG or SVG file."""
    with reporting_errors():
        parse_vietqr(payload.strip())  # refuse a tampered payload before drawing it
        if output is None:
            typer.echo(render_text(payload.strip()))
            return
        suffix = output.suffix.lower()
        if suffix == ".png":
            render_png(payload.strip(), output, scale=scale)
        elif suffix == ".svg":
            render_svg(payload.strip(), output, scale=scale)
        else:
            raise ValidationError("--output must end in .png or .svg", field="output")
    console.print(f"wrote {output}")
