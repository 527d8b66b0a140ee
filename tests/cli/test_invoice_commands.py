"""`connectors invoice validate|sign|verify` on real files: a receipt built, signed, altered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.einvoice.gdt import (
    build_hdon,
    document_from_model,
    generate_test_credentials,
    serialize,
)

runner = CliRunner()


@pytest.fixture
def receipt_xml(tmp_path: Path) -> Path:
    receipt = Receipt(
        seller=Seller(name="UBND Phường Thử", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(name="Nguyễn Văn Thử"),
        template="EBL01",
        symbol="26T",
        lines=(Line.fee("Lệ phí chứng thực", 20_000),),
        dossier_code="HS2026000101",
    )
    path = tmp_path / "receipt.xml"
    path.write_bytes(serialize(build_hdon(document_from_model(receipt, number=7))))
    return path


@pytest.fixture
def pem_files(tmp_path: Path) -> tuple[Path, Path]:
    credentials = generate_test_credentials("UBND Phuong Thu (TEST)")
    key = tmp_path / "key.pem"
    cert = tmp_path / "cert.pem"
    key.write_bytes(
        credentials.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert.write_bytes(credentials.certificate.public_bytes(serialization.Encoding.PEM))
    return key, cert


def test_validate_reports_the_document(receipt_xml: Path) -> None:
    result = runner.invoke(app, ["invoice", "validate", str(receipt_xml), "--json"])
    assert 0 == result.exit_code, result.output
    summary = json.loads(result.stdout)
    assert ("EBL01", "26T", 7, 20_000, False) == (
        summary["template"],
        summary["symbol"],
        summary["number"],
        summary["grand_total"],
        summary["signed"],
    )


def test_sign_then_verify_then_tamper(
    receipt_xml: Path, pem_files: tuple[Path, Path], tmp_path: Path
) -> None:
    key, cert = pem_files
    signed = tmp_path / "signed.xml"
    result = runner.invoke(
        app,
        [
            "invoice",
            "sign",
            str(receipt_xml),
            "--key",
            str(key),
            "--cert",
            str(cert),
            "-o",
            str(signed),
        ],
    )
    assert 0 == result.exit_code, result.output
    ok = runner.invoke(app, ["invoice", "verify", str(signed), "--cert", str(cert), "--json"])
    assert 0 == ok.exit_code, ok.output
    assert json.loads(ok.stdout)["trusted"] is True

    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(signed.read_bytes().replace(b"20000", b"2000", 1))
    bad = runner.invoke(app, ["invoice", "verify", str(tampered)])
    assert int(ExitCode.INVALID_INPUT) == bad.exit_code
    [line] = bad.stderr.strip().splitlines()
    assert line.startswith("error: ")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda xml: xml.replace(b"<KHHDon>26T</KHHDon>", b""),
        lambda xml: xml.replace("Hai mươi nghìn".encode(), "Ba mươi nghìn".encode()),
        lambda xml: b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>" + xml.split(b"?>", 1)[1],
        lambda xml: xml[: len(xml) // 2],
    ],
)
def test_invalid_xml_is_a_one_line_error(receipt_xml: Path, mangle: object) -> None:
    receipt_xml.write_bytes(mangle(receipt_xml.read_bytes()))  # type: ignore[operator]
    result = runner.invoke(app, ["invoice", "validate", str(receipt_xml)])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")


def test_sign_needs_credentials(receipt_xml: Path) -> None:
    result = runner.invoke(app, ["invoice", "sign", str(receipt_xml)])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert "--p12, or both --key and --cert" in result.stderr
