"""`connectors vietqr build|parse|render`: payloads, a tampered QR, files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.banks.vietqr import parse_vietqr
from connectors.cli import app
from connectors.cli.output import ExitCode

runner = CliRunner()
BUILD = ["vietqr", "build", "--bank", "VPBank", "--account", "0123456789"]


def built(*extra: str) -> str:
    result = runner.invoke(app, [*BUILD, *extra])
    assert 0 == result.exit_code, result.output
    return result.stdout.strip()


def test_build_then_parse_round_trips() -> None:
    payload = built("--amount", "50000", "--purpose", "HS2026000101 le phi")
    qr = parse_vietqr(payload)
    assert ("970432", 50_000, "HS2026000101 le phi") == (qr.bin, qr.amount, qr.purpose)
    parsed = runner.invoke(app, ["vietqr", "parse", payload, "--json"])
    assert 0 == parsed.exit_code, parsed.output
    document = json.loads(parsed.stdout)
    assert ("VPBank", 50_000, True) == (document["bank"], document["amount"], document["dynamic"])


def test_a_tampered_qr_is_refused_in_one_line() -> None:
    payload = built("--amount", "50000")
    tampered = payload.replace("5405500005802", "5405900005802")
    result = runner.invoke(app, ["vietqr", "parse", tampered])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: CRC mismatch")


@pytest.mark.parametrize(
    "extra", [["--bank", "NOPE"], ["--purpose", "phí <script>"], ["--account", "12 34"]]
)
def test_bad_build_input_is_invalid_input(extra: list[str]) -> None:
    result = runner.invoke(app, [*BUILD, *extra])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code, result.output
    assert result.stderr.startswith("error: ")


def test_render_writes_png_and_svg_and_refuses_other_suffixes(tmp_path: Path) -> None:
    payload = built("--amount", "20000")
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    assert 0 == runner.invoke(app, ["vietqr", "render", payload, "-o", str(png)]).exit_code
    assert 0 == runner.invoke(app, ["vietqr", "render", payload, "-o", str(svg)]).exit_code
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg.read_bytes()
    bad = runner.invoke(app, ["vietqr", "render", payload, "-o", str(tmp_path / "qr.gif")])
    assert int(ExitCode.INVALID_INPUT) == bad.exit_code


def test_render_to_terminal_draws_blocks() -> None:
    result = runner.invoke(app, ["vietqr", "render", built()])
    assert 0 == result.exit_code
    assert {"█", "▀", "▄"} & set(result.stdout)
