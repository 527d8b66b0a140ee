"""The command line as a person meets it: bank names, SMS limits, captions, help pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.banks.vietqr import BANKS, caption_lines, parse_vietqr
from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.sms.mobifone.wire import WireProfile as MobifoneProfile
from connectors.sms.viettel.wire import WireProfile as ViettelProfile
from connectors.vn import sms_segments
from tests.png import grey_pixels

runner = CliRunner()
BUILD = ["vietqr", "build", "--account", "0123456789", "--amount", "50000"]


@pytest.mark.parametrize(
    ("name", "bin_"),
    [("VPBank", "970432"), ("vpbank", "970432"), ("Vietcombank", "970436"), ("ICB", "970415")],
)
def test_build_takes_a_bank_by_short_name_or_code(name: str, bin_: str) -> None:
    result = runner.invoke(app, [*BUILD, "--bank", name])
    assert 0 == result.exit_code, result.output
    assert bin_ == parse_vietqr(result.stdout.strip()).bin


def test_an_unknown_bank_names_close_and_common_banks_and_where_all_are() -> None:
    result = runner.invoke(app, [*BUILD, "--bank", "VPBnak"])
    assert ExitCode.INVALID_INPUT == result.exit_code
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: unknown bank 'VPBnak': did you mean VPBank")
    assert "VPBank, Vietcombank, VietinBank, BIDV, Agribank" in line
    assert f"all {len(BANKS)}: 'connectors vietqr banks'" in line
    assert len(line) < 400


def test_banks_lists_every_bank_with_its_bin() -> None:
    result = runner.invoke(app, ["vietqr", "banks", "--json"])
    assert 0 == result.exit_code, result.output
    listed = {row["short_name"]: row["bin"] for row in json.loads(result.stdout)}
    assert {bank.short_name: bank.bin for bank in BANKS.values()} == listed


def test_build_writes_a_captioned_png(tmp_path: Path) -> None:
    out = tmp_path / "qr.png"
    result = runner.invoke(
        app, [*BUILD, "--bank", "VPBank", "--purpose", "HS2026000101", "-o", str(out), "--caption"]
    )
    assert 0 == result.exit_code, result.output
    assert f"wrote {out}" in result.stdout
    width, height, _rows = grey_pixels(out.read_bytes())
    assert height > width  # the caption below the square code
    plain = runner.invoke(app, [*BUILD, "--bank", "VPBank", "--purpose", "HS2026000101"])
    assert ["VPBank · 0123456789", "Số tiền: 50.000 ₫", "Nội dung: HS2026000101"] == caption_lines(
        plain.stdout.strip()
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--caption"], "--caption needs --output FILE.png"),
        (["--caption", "-o", "{tmp}/qr.svg"], "--caption is drawn on a .png only"),
        (["-o", "{tmp}/qr.gif"], "--output must end in .png or .svg"),
    ],
)
def test_caption_and_output_mistakes_are_invalid_input(
    extra: list[str], named: str, tmp_path: Path
) -> None:
    args = [*BUILD, "--bank", "VPBank", *(a.replace("{tmp}", str(tmp_path)) for a in extra)]
    result = runner.invoke(app, args)
    assert ExitCode.INVALID_INPUT == result.exit_code
    assert named in result.stderr


def test_render_takes_a_caption_too(tmp_path: Path) -> None:
    payload = runner.invoke(app, [*BUILD, "--bank", "BIDV"]).stdout.strip()
    out = tmp_path / "qr.png"
    result = runner.invoke(app, ["vietqr", "render", payload, "-o", str(out), "--caption"])
    assert 0 == result.exit_code, result.output
    assert grey_pixels(out.read_bytes())[1] > grey_pixels(out.read_bytes())[0]


LONG = "Hồ sơ HS2026000101 đã được tiếp nhận. " * 8  # UCS-2: 304 units; unaccented: GSM-7


def test_sms_inspect_flags_text_over_the_providers_limit() -> None:
    result = runner.invoke(app, ["sms", "inspect", LONG, "--provider", "mobifone", "--json"])
    assert ExitCode.INVALID_INPUT == result.exit_code
    document = json.loads(result.stdout)
    limits = MobifoneProfile().limits
    written = sms_segments(LONG)
    assert (written.units, limits.limit("UCS-2"), True) == (
        document["as written"]["units"],
        document["as written"]["limit"],
        document["as written"]["over_limit"],
    )
    assert (limits.limit("GSM-7"), False) == (
        document["unaccented"]["limit"],
        document["unaccented"]["over_limit"],
    )
    assert (
        f"the text is over mobifone's limit: {written.units} UCS-2 units, at most 268 "
        "(unaccented it fits)"
    ) in result.stderr


def test_sms_inspect_within_the_limit_passes_and_shows_it() -> None:
    result = runner.invoke(app, ["sms", "inspect", "Ho so HS1 da tiep nhan", "-p", "viettel"])
    assert 0 == result.exit_code, result.output
    assert "viettel limit" in result.stdout
    assert str(ViettelProfile().limits.limit("GSM-7")) in result.stdout


def test_sms_inspect_names_the_known_providers_for_an_unknown_one() -> None:
    result = runner.invoke(app, ["sms", "inspect", "abc", "-p", "fpt"])
    assert ExitCode.USAGE == result.exit_code
    assert "unknown SMS provider 'fpt'; known: esms, mobifone, viettel, vnpt" in result.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["simulate"], ["vietqr", "build"], ["vietqr", "render"], ["sms", "inspect"], ["words"]],
)
def test_help_shows_value_names_not_python_types(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=100)
    assert 0 == result.exit_code, result.output
    assert not re.search(
        r"<(str|bool|int|float|path|list\[str\]|float range|int range)>", result.output
    )


def test_help_names_the_values_and_rewraps_paragraphs() -> None:
    build = runner.invoke(app, ["vietqr", "build", "--help"], terminal_width=100).output
    assert re.search(r"--bank\s+NAME\|BIN", build)
    assert re.search(r"--amount\s+DONG", build)
    simulate = runner.invoke(app, ["simulate", "--help"], terminal_width=100).output
    assert re.search(r"--port\s+PORT", simulate)
    assert re.search(r"--callback\s+NAME=URL", simulate)
    # The docstring's own line breaks are gone: a paragraph is one wrapped block.
    assert "Nothing leaves 127.0.0.1" in " ".join(simulate.split())
    assert not re.search(r"Nothing\s{3,}leaves", simulate)
