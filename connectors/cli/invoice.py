"""`connectors invoice validate|sign|verify FILE`: the tax-authority HDon XML, offline."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from cryptography import x509
from rich.table import Table

from connectors.cli.output import JSON_OPTION, console, emit_json, reporting_errors
from connectors.core.errors import ValidationError
from connectors.vn import words_to_amount

__all__ = ["invoice_app"]

invoice_app = typer.Typer(
    help="Validate, sign and verify tax-authority e-invoice XML (HDon).", no_args_is_help=True
)

FILE = typer.Argument(..., exists=True, dir_okay=False, help="An HDon XML file.")
KEY = typer.Option(None, "--key", exists=True, dir_okay=False, help="PEM private key (RSA).")
CERT = typer.Option(None, "--cert", exists=True, dir_okay=False, help="PEM certificate.")
P12 = typer.Option(
    None, "--p12", exists=True, dir_okay=False, help="PKCS#12 (.p12/.pfx) key and certificate."
)
OUT = typer.Option(None, "--output", "-o", help="Where to write (default FILE.signed.xml).")
PIN = typer.Option(
    None, "--cert", exists=True, dir_okay=False, help="Trust only this PEM certificate."
)
PASSWORD_ENV = "CONNECTORS_SIGNING_PASSWORD"  # noqa: S105 - a variable name, not a secret


@invoice_app.command()
def validate(file: Path = FILE, as_json: bool = JSON_OPTION) -> None:
    """Check the XML against the shipped schema, and that the total matches its words."""
    from connectors.einvoice.gdt import parse_hdon

    with reporting_errors():
        parsed = parse_hdon(file.read_bytes(), what=file.name)
        document = parsed.document
        totals = document.totals
        in_words = words_to_amount(totals.grand_total_words)
        if in_words != int(totals.grand_total):
            raise ValidationError(
                f"TgTTTBChu reads {in_words}, but TgTTTBSo is {totals.grand_total}",
                field="TgTTTBChu",
            )
    summary = {
        "template": document.template,
        "symbol": document.symbol,
        "number": document.number,
        "issue_date": document.issue_date.isoformat(),
        "seller_tax_code": document.seller.tax_code,
        "lines": len(document.lines),
        "grand_total": int(totals.grand_total),
        "signed": parsed.has_seller_signature,
    }
    if as_json:
        emit_json({"valid": True, **summary})
        return
    table = Table(show_header=False, title=f"{file.name}: valid")
    for name, value in summary.items():
        table.add_row(name, str(value))
    console.print(table)


@invoice_app.command()
def sign(
    file: Path = FILE,
    key: Path | None = KEY,
    cert: Path | None = CERT,
    p12: Path | None = P12,
    output: Path | None = OUT,
) -> None:
    """Add the seller's XMLDSig signature (password, if any, from CONNECTORS_SIGNING_PASSWORD)."""
    from connectors.einvoice.gdt import SellerCredentials, parse_hdon, serialize, sign_hdon

    password = os.environ.get(PASSWORD_ENV)
    secret = password.encode() if password else None
    with reporting_errors():
        if p12 is not None:
            credentials = SellerCredentials.from_pkcs12(p12.read_bytes(), password=secret)
        elif key is not None and cert is not None:
            credentials = SellerCredentials.from_pem(
                key.read_bytes(), cert.read_bytes(), password=secret
            )
        else:
            raise ValidationError("give --p12, or both --key and --cert", field="key")
        parsed = parse_hdon(file.read_bytes(), what=file.name)
        if parsed.has_seller_signature:
            raise ValidationError(f"{file.name} already carries a seller signature")
        signed = serialize(sign_hdon(parsed.root, credentials))
    target = output or file.with_suffix(".signed.xml")
    target.write_bytes(signed)
    console.print(f"signed {file.name} -> {target}")


@invoice_app.command()
def verify(file: Path = FILE, cert: Path | None = PIN, as_json: bool = JSON_OPTION) -> None:
    """Verify the seller's signature: any change after signing fails."""
    from connectors.einvoice.gdt import verify_hdon

    with reporting_errors():
        pinned = x509.load_pem_x509_certificate(cert.read_bytes()) if cert else None
        verified = verify_hdon(file.read_bytes(), trusted_certificate=pinned)
    document = {
        "valid": True,
        "subject": verified.subject,
        "signing_time": verified.signing_time.isoformat(),
        "trusted": verified.trusted,
    }
    if as_json:
        emit_json(document)
    else:
        pin = "pinned certificate" if verified.trusted else "certificate in the file only"
        console.print(
            f"signature valid: {verified.subject}, signed {document['signing_time']} ({pin})"
        )
