"""`connectors phone|words|sms inspect` through typer's runner: output and exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.vn import amount_in_words, sms_segments

runner = CliRunner()


def test_phone_as_json() -> None:
    result = runner.invoke(app, ["phone", "+84 (0) 912 345 678", "--json"])
    assert 0 == result.exit_code, result.output
    assert {
        "national": "0912345678",
        "international": "84912345678",
        "e164": "+84912345678",
        "carrier": "vinaphone",
    } == json.loads(result.stdout)


@pytest.mark.parametrize("number", ["12345", "024 3825 1234", "+1 202 555 0100", "09x2345678"])
def test_malformed_phone_is_one_line_error_with_invalid_input_code(number: str) -> None:
    result = runner.invoke(app, ["phone", number])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert "" == result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")


def test_words_matches_the_library_with_options() -> None:
    result = runner.invoke(app, ["words", "1_005", "--zero-tens", "lẻ", "--thousand", "ngàn"])
    assert 0 == result.exit_code, result.output
    expected = amount_in_words(1005, zero_tens="lẻ", thousand="ngàn")
    assert expected + "\n" == result.stdout


@pytest.mark.parametrize("bad", [["12.5k"], ["1005", "--zero-tens", "le"]])
def test_words_refuses_bad_input(bad: list[str]) -> None:
    result = runner.invoke(app, ["words", *bad])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert result.stderr.startswith("error: ")


def test_sms_inspect_reports_both_forms() -> None:
    text = "Hồ sơ HS-1 đã được tiếp nhận"
    result = runner.invoke(app, ["sms", "inspect", text, "--json"])
    assert 0 == result.exit_code, result.output
    document = json.loads(result.stdout)
    assert "UCS-2" == document["as written"]["encoding"]
    assert "Ho so HS-1 da duoc tiep nhan" == document["unaccented"]["text"]
    assert sms_segments(text).units == document["as written"]["units"]


def test_usage_error_exit_code() -> None:
    result = runner.invoke(app, ["phone"])
    assert int(ExitCode.USAGE) == result.exit_code


PAID = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"


def test_sms_inspect_names_the_matching_template_and_its_values() -> None:
    text = "Hồ sơ HS-7 đã thanh toán 50.000 đồng. Mã tra cứu biên lai: AB12"
    result = runner.invoke(app, ["sms", "inspect", text, "-t", "Khac {x}", "-t", PAID, "--json"])
    assert 0 == result.exit_code, result.output
    assert {"template": PAID, "values": ["HS-7", "50.000", "AB12"]} == json.loads(result.stdout)[
        "template_match"
    ]


def test_sms_inspect_fails_when_no_template_matches() -> None:
    result = runner.invoke(app, ["sms", "inspect", "Xin chao", "-t", PAID])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert "matches none of the given templates" in result.stderr
