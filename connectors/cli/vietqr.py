"""`connectors vietqr build|parse|render`: VietQR payloads for bank-transfer fees."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.table import Table

from connectors.banks.vietqr import (
    UnknownBank,
    VietQR,
    bank_by_bin,
    build_vietqr,
    find_bank,
    parse_vietqr,
    png_bytes,
    render_text,
    svg_text,
)
from connectors.cli.files import write_file
from connectors.cli.output import JSON_OPTION, UNDECODABLE, console, emit_json, reporting_errors
from connectors.core.errors import ValidationError
from connectors.vn import parse_dong

__all__ = ["vietqr_app"]

vietqr_app = typer.Typer(
    help="Build, check and render VietQR transfer codes.", no_args_is_help=True
)

_BIN = re.compile(r"[0-9]{6}")
PAYLOAD = typer.Argument(..., help="The VietQR payload string (what the QR code holds).")
OUTPUT = typer.Option(None, "--output", "-o", help="Write a .png or .svg file instead of printing.")


def _payload(text: str) -> str:
    """The payload as given, trimmed; refused if the shell passed bytes that are not UTF-8."""
    if UNDECODABLE.search(text):
        raise ValidationError("the payload holds bytes that are not UTF-8 text", field="payload")
    return text.strip()


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
    amount: str | None = typer.Option(
        None, help="Whole VND, e.g. 50000 or 50.000.000; omit for a static code."
    ),
    purpose: str | None = typer.Option(None, help="Transfer content; dossier code first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the payload for a transfer to the commune's account."""
    with reporting_errors():
        found = find_bank(bank)
        if found is None:
            if _BIN.fullmatch(bank):
                found = bank_by_bin(bank)  # raises UnknownBank: no bank with this BIN
            else:
                raise UnknownBank(
                    f"unknown bank {bank[:40]!r}: give its BIN (6 digits, e.g. 970432) or "
                    "its short name (e.g. VPBank)",
                    field="bank",
                )
        value = None if amount is None else parse_dong(amount)  # same forms as `words`
        payload = build_vietqr(bin=found.bin, account=account, amount=value, purpose=purpose)
    if as_json:
        emit_json({"payload": payload, **_document(parse_vietqr(payload))})
    else:
        typer.echo(payload)


@vietqr_app.command()
def parse(payload: str = PAYLOAD, as_json: bool = JSON_OPTION) -> None:
    """Check a payload (CRC, lengths, structure) and show what it asks the payer to do."""
    with reporting_errors():
        qr = parse_vietqr(_payload(payload))
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
        payload = _payload(payload)
        parse_vietqr(payload)  # refuse a tampered payload before drawing it
        if output is None:
            typer.echo(render_text(payload))
            return
        suffix = output.suffix.lower()
        if suffix == ".png":
            image = png_bytes(payload, scale=scale)
        elif suffix == ".svg":
            image = svg_text(payload, scale=scale).encode("utf-8")
        else:
            raise ValidationError("--output must end in .png or .svg", field="output")
        write_file(output, image, what="--output")
    console.print(f"wrote {output}", markup=False)
