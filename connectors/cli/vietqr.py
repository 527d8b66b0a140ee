"""`connectors vietqr build|parse|render`: VietQR payloads for bank-transfer fees."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import typer
from rich.table import Table

from connectors.banks.vietqr import (
    BANKS,
    Bank,
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
PAYLOAD = typer.Argument(
    ..., metavar="PAYLOAD", help="The VietQR payload string (what the QR code holds)."
)
OUTPUT = typer.Option(
    None,
    "--output",
    "-o",
    metavar="FILE",
    help="Write a .png or .svg file instead of printing.",
)
CAPTION = typer.Option(
    False,
    "--caption",
    help="Write the bank, account, amount and transfer content under the code (PNG only).",
)
SCALE = typer.Option(8, min=1, max=40, metavar="PIXELS", help="Pixels per module for PNG/SVG.")


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


def _bank(name: str) -> Bank:
    """The bank `name` designates (a short name, another code, or a BIN); an unknown name
    is refused with the closest known names and where to find them all."""
    found = find_bank(name)
    if found is not None:
        return found
    if _BIN.fullmatch(name):
        return bank_by_bin(name)  # raises UnknownBank: no bank with this BIN
    names = sorted((b.short_name for b in BANKS.values()), key=str.casefold)
    close = difflib.get_close_matches(name, names, n=4, cutoff=0.5)
    close += [n for n in names if name.casefold() in n.casefold() and n not in close]
    hint = f"did you mean {', '.join(close[:4])}? " if close else ""
    common = ", ".join(b.short_name for b in list(BANKS.values())[:8])  # the largest first
    raise UnknownBank(
        f"unknown bank {name[:40]!r}: {hint}give a short name ({common}...; all "
        f"{len(names)}: 'connectors vietqr banks') or the 6-digit BIN",
        field="bank",
    )


def _image(payload: str, output: Path, *, scale: int, caption: bool) -> bytes:
    """The code as the PNG or SVG `output` asks for; a caption only on a PNG."""
    suffix = output.suffix.lower()
    if suffix == ".png":
        return png_bytes(payload, scale=scale, caption=caption)
    if suffix == ".svg":
        if caption:
            raise ValidationError("--caption is drawn on a .png only", field="caption")
        return svg_text(payload, scale=scale).encode("utf-8")
    raise ValidationError("--output must end in .png or .svg", field="output")


@vietqr_app.command()
def build(
    bank: str = typer.Option(
        ...,
        metavar="NAME|BIN",
        help="The bank: its short name (VPBank, Vietcombank, BIDV...) or its BIN (970432).",
    ),
    account: str = typer.Option(..., metavar="NUMBER", help="The commune's account number."),
    amount: str | None = typer.Option(
        None, metavar="DONG", help="Whole VND, e.g. 50000 or 50.000.000; omit for a static code."
    ),
    purpose: str | None = typer.Option(
        None, metavar="TEXT", help="Transfer content; dossier code first."
    ),
    output: Path | None = OUTPUT,
    caption: bool = CAPTION,
    scale: int = SCALE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the payload for a transfer to the commune's account (or draw it: -o FILE)."""
    with reporting_errors():
        found = _bank(bank.strip())
        value = None if amount is None else parse_dong(amount)  # same forms as `words`
        payload = build_vietqr(bin=found.bin, account=account, amount=value, purpose=purpose)
        if caption and output is None:
            raise ValidationError("--caption needs --output FILE.png", field="caption")
        if output is not None:
            write_file(
                output, _image(payload, output, scale=scale, caption=caption), what="--output"
            )
    if as_json:
        emit_json({"payload": payload, **_document(parse_vietqr(payload))})
    elif output is not None:
        console.print(f"wrote {output}", markup=False)
    else:
        typer.echo(payload)


@vietqr_app.command()
def banks(as_json: bool = JSON_OPTION) -> None:
    """List the banks a VietQR can name: short name, BIN and other codes."""
    rows = sorted(BANKS.values(), key=lambda b: b.short_name.casefold())
    if as_json:
        emit_json(
            [{"short_name": b.short_name, "bin": b.bin, "codes": list(b.codes)} for b in rows]
        )
        return
    table = Table("short name", "BIN", "other codes", title=f"{len(rows)} banks")
    for b in rows:
        table.add_row(b.short_name, b.bin, ", ".join(b.codes))
    console.print(table)


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
    caption: bool = CAPTION,
    scale: int = SCALE,
) -> None:
    """Render the QR code to the terminal, or to a PNG or SVG file."""
    with reporting_errors():
        payload = _payload(payload)
        parse_vietqr(payload)  # refuse a tampered payload before drawing it
        if output is None:
            if caption:
                raise ValidationError("--caption needs --output FILE.png", field="caption")
            typer.echo(render_text(payload))
            return
        write_file(output, _image(payload, output, scale=scale, caption=caption), what="--output")
    console.print(f"wrote {output}", markup=False)
