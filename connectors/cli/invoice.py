"""`connectors invoice validate|sign|verify FILE`: the tax-authority HDon XML, offline.

Every file named is read through `connectors.cli.files` (missing, directory, empty or
oversized: one line, exit 3), and every key, certificate or PKCS#12 that cannot be loaded
is a one-line `ValidationError` naming the option and the file, never the password.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from rich.table import Table

from connectors.cli.files import KEY_FILE_MAX_BYTES, quoted, read_file, write_file
from connectors.cli.output import JSON_OPTION, console, emit_json, reporting_errors
from connectors.core.errors import ConnectorError, SignatureError, ValidationError
from connectors.core.safexml import DEFAULT_MAX_BYTES
from connectors.vn import words_to_amount

if TYPE_CHECKING:
    from connectors.einvoice.gdt import SellerCredentials

__all__ = ["invoice_app"]

invoice_app = typer.Typer(
    help="Validate, sign and verify tax-authority e-invoice XML (HDon).", no_args_is_help=True
)

FILE = typer.Argument(..., help="An HDon XML file.")
KEY = typer.Option(None, "--key", help="PEM private key (RSA).")
CERT = typer.Option(None, "--cert", help="PEM certificate.")
P12 = typer.Option(None, "--p12", help="PKCS#12 (.p12/.pfx) key and certificate.")
OUT = typer.Option(None, "--output", "-o", help="Where to write (default FILE.signed.xml).")
PIN = typer.Option(None, "--cert", help="Trust only this PEM certificate.")
PASSWORD_ENV = "CONNECTORS_SIGNING_PASSWORD"  # noqa: S105 - a variable name, not a secret
_LOAD_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm)  # what cryptography raises


def _read_invoice(path: Path) -> bytes:
    return read_file(path, what="invoice", max_bytes=DEFAULT_MAX_BYTES)


def _certificate(path: Path, option: str) -> x509.Certificate:
    data = read_file(path, what=option, max_bytes=KEY_FILE_MAX_BYTES)
    try:
        return x509.load_pem_x509_certificate(data)
    except _LOAD_ERRORS:
        raise ValidationError(
            f"{option} {quoted(path)} is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)",
            field=option,
        ) from None


def _private_key(path: Path, password: bytes | None) -> rsa.RSAPrivateKey:
    data = read_file(path, what="--key", max_bytes=KEY_FILE_MAX_BYTES)
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except TypeError:  # the password is missing, or given for a key that needs none
        problem = (
            f"is encrypted: set {PASSWORD_ENV}"
            if password is None
            else f"is not encrypted: unset {PASSWORD_ENV}"
        )
        raise ValidationError(f"--key {quoted(path)} {problem}", field="--key") from None
    except _LOAD_ERRORS:
        wrong = f", or {PASSWORD_ENV} is wrong" if password is not None else ""
        raise ValidationError(
            f"--key {quoted(path)} is not a PEM private key that can be loaded{wrong}",
            field="--key",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationError(f"--key {quoted(path)} is not an RSA key", field="--key")
    return key


def _credentials(
    key: Path | None, cert: Path | None, p12: Path | None, password: bytes | None
) -> SellerCredentials:
    """The seller's key and certificate from --p12, or from --key and --cert."""
    from connectors.einvoice.gdt import SellerCredentials

    if p12 is not None and (key is not None or cert is not None):
        raise ValidationError("give --p12, or --key and --cert, not both", field="--p12")
    if p12 is not None:
        data = read_file(p12, what="--p12", max_bytes=KEY_FILE_MAX_BYTES)
        try:
            return SellerCredentials.from_pkcs12(data, password=password)
        except ConnectorError:
            raise
        except _LOAD_ERRORS:
            hint = (
                f"it needs a password ({PASSWORD_ENV})"
                if password is None
                else f"{PASSWORD_ENV} is wrong"
            )
            raise ValidationError(
                f"--p12 {quoted(p12)} is not a PKCS#12 file, or {hint}", field="--p12"
            ) from None
    if key is None or cert is None:
        raise ValidationError("give --p12, or both --key and --cert", field="key")
    private_key = _private_key(key, password)
    return SellerCredentials(private_key, _certificate(cert, "--cert"))


@invoice_app.command()
def validate(file: Path = FILE, as_json: bool = JSON_OPTION) -> None:
    """Check the XML against the shipped schema, and that the total matches its words."""
    from connectors.einvoice.gdt import parse_hdon

    with reporting_errors():
        parsed = parse_hdon(_read_invoice(file), what=file.name)
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
    from connectors.einvoice.gdt import parse_hdon, serialize, sign_hdon

    password = os.environ.get(PASSWORD_ENV)
    # fsencode: the bytes as set, even when they are not valid UTF-8
    secret = os.fsencode(password) if password else None
    with reporting_errors():
        credentials = _credentials(key, cert, p12, secret)
        parsed = parse_hdon(_read_invoice(file), what=file.name)
        if parsed.has_seller_signature:
            raise ValidationError(f"{file.name} already carries a seller signature")
        signed = serialize(sign_hdon(parsed.root, credentials))
        target = output or file.with_suffix(".signed.xml")
        write_file(target, signed, what="--output")
    console.print(f"signed {file.name} -> {target}", markup=False)


@invoice_app.command()
def verify(file: Path = FILE, cert: Path | None = PIN, as_json: bool = JSON_OPTION) -> None:
    """Verify the seller's signature: any change after signing fails."""
    from connectors.einvoice.gdt import verify_hdon

    with reporting_errors():
        pinned = _certificate(cert, "--cert") if cert else None
        data = _read_invoice(file)
        try:
            verified = verify_hdon(data, trusted_certificate=pinned)
        except ConnectorError:
            raise
        except (*_LOAD_ERRORS, etree.LxmlError) as exc:
            # verify_hdon lets a few of these out on a malformed signature; whatever the
            # cause, the document does not verify.
            raise SignatureError(
                f"{file.name}: the signature cannot be checked ({type(exc).__name__}: {exc})"
            ) from None
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
