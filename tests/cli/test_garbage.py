"""Every command given garbage: one `error:` line on stderr, the documented exit code.

The matrix runs each subcommand (but `demo`, `simulate` and `outbox`, which have their own
tests) through typer's runner with garbage arguments and files; hypothesis feeds arbitrary
text to the free-text arguments. A raw exception inside a command would surface as
`result.exception` (or, through the top-level safety net, as exit code 70): both fail here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from connectors.banks.vietqr import parse_vietqr
from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.core.errors import ConnectorError
from connectors.core.safexml import DEFAULT_MAX_BYTES
from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.einvoice.gdt import (
    build_hdon,
    document_from_model,
    generate_test_credentials,
    parse_hdon,
    serialize,
    sign_hdon,
)
from connectors.vn import amount_in_words, parse_dong, parse_phone, sms_segments

runner = CliRunner()
SETTINGS = settings(database=None, max_examples=60)
OK, USAGE, INVALID, CONFIG = 0, int(ExitCode.USAGE), int(ExitCode.INVALID_INPUT), 4
PASSWORD = "fake-test-password"
PAYLOAD = (
    "00020101021238500010A000000727012000069704320106123456"
    "0208QRIBFTTA53037045408500000005802VN6304B6E8"
)
LONG_DIGITS = "9" * 5000
# Well formed up to its CRC, with bytes the shell could not decode in the purpose: the CRC
# of such text cannot even be computed (parse_vietqr raised a raw UnicodeEncodeError).
UNDECODABLE_PAYLOAD = (
    "00020101021238500010A0000007270120000697043201061234560208QRIBFTTA"
    "53037045802VN62050801\udcff6304ABCD"
)


def _outcome(args: Sequence[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command; assert it ended by exiting, not by a raw exception."""
    result = runner.invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(args: Sequence[str], code: int, env: dict[str, str] | None = None) -> str:
    """`args` fails with `code`, nothing on stdout and exactly one `error:` line on stderr."""
    exit_code, stdout, stderr = _outcome(args, env)
    assert code == exit_code, (args, stdout, stderr)
    assert "" == stdout, args
    assert stderr.startswith("error: "), (args, stderr)
    assert 1 == stderr.count("\n"), (args, stderr)
    assert stderr.endswith("\n")
    assert "Traceback" not in stderr
    assert len(stderr) < 500, "the line echoes the input, but cut short"
    return stderr


# ---- the files the garbage matrix names ---------------------------------------------------


def _receipt() -> bytes:
    receipt = Receipt(
        seller=Seller(name="UBND Phường Thử", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(name="Nguyễn Văn Thử"),
        template="EBL01",
        symbol="26T",
        lines=(Line.fee("Lệ phí chứng thực", 20_000),),
        dossier_code="HS2026000101",
    )
    return serialize(build_hdon(document_from_model(receipt, number=7)))


def _replace_text(xml: bytes, tag: str, text: str) -> bytes:
    changed = re.sub(
        rf"(<{tag}(?: [^>]*)?>).*?(</{tag}>)".encode(),
        lambda match: match.group(1) + text.encode() + match.group(2),
        xml,
        count=1,
        flags=re.S,
    )
    assert changed != xml
    return changed


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("garbage")
    credentials = generate_test_credentials("UBND Phuong Thu (TEST)")
    receipt = _receipt()
    signed = serialize(sign_hdon(parse_hdon(receipt).root, credentials))
    key_pem = credentials.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    encrypted_key_pem = credentials.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    cert_pem = credentials.certificate.public_bytes(serialization.Encoding.PEM)
    p12 = pkcs12.serialize_key_and_certificates(
        b"test",
        credentials.private_key,
        credentials.certificate,
        None,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    contents: dict[str, bytes] = {
        "receipt.xml": receipt,
        "signed.xml": signed,
        "key.pem": key_pem,
        "encrypted-key.pem": encrypted_key_pem,
        "cert.pem": cert_pem,
        "bundle.p12": p12,
        "garbage.txt": b"garbage\n",
        "empty.txt": b"",
        "binary.bin": bytes(range(256)) * 4,
        "not-hdon.xml": b"<a/>",
        "broken.xml": b"<HDon><DLHDon>",
        "bomb.xml": (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><HDon>&lol2;</HDon>'
        ),
        "xxe.xml": (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<HDon>&xxe;</HDon>"
        ),
        "huge.xml": b"<HDon>" + b" " * DEFAULT_MAX_BYTES + b"</HDon>",
        "bad-framing.pem": (
            b"-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"
        ),
        # Signed documents with a malformed signature (verify_hdon let these out raw).
        "empty-signature.xml": _replace_text(signed, "SignatureValue", ""),
        "bad-digest.xml": _replace_text(signed, "DigestValue", "not base64"),
        "tampered.xml": signed.replace(b"20000", b"2000", 1),
        "unsigned-words.xml": receipt.replace("Hai mươi nghìn".encode(), b"Ba", 1),
    }
    paths = {}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        paths[name] = str(folder / name)
    (folder / "a-directory").mkdir()
    paths["a-directory"] = str(folder / "a-directory")
    paths["missing"] = str(folder / "missing.xml")
    paths["no-such-dir/out.xml"] = str(folder / "no-such-dir" / "out.xml")
    paths["out.xml"] = str(folder / "out.xml")
    return paths


# ---- the matrix ---------------------------------------------------------------------------

BAD_FILES = ["garbage.txt", "empty.txt", "binary.bin", "a-directory", "missing"]
BAD_XML = [*BAD_FILES, "not-hdon.xml", "broken.xml", "bomb.xml", "xxe.xml", "huge.xml"]
BAD_PEM = [*BAD_FILES, "bad-framing.pem", "receipt.xml"]

MATRIX: list[tuple[list[str], int]] = [
    # words: the issue's own examples, then the separators decided on (docs/cli.md)
    *[
        (["words", amount], INVALID)
        for amount in (
            "²",
            "５００００",
            LONG_DIGITS,
            "",
            " ",
            "1.5",
            "1,5",
            "1.500",
            "1,500",
            "1.500,00",
            "1 500.000",
            "12.5k",
            "1e3",
            "0x10",
            "+5",
            "-",
            "−5",
            "\x00",
            "\udcff",
            "abc",
            "9" * 28,
        )
    ],
    (["words", "--bogus"], USAGE),
    (["words", "5", "--bogus"], USAGE),
    (["words", "5", "--zero-tens", "le"], INVALID),
    (["words", "5", "--thousand", "ngan"], INVALID),
    # phone
    *[
        (["phone", number], INVALID)
        for number in (
            "²",
            "abc",
            "",
            " ",
            "\x00",
            "\udcff",
            LONG_DIGITS,
            "０９１２３４５６７８",
            "+84",
            "12345",
            "+1 202 555 0100",
        )
    ],
    (["phone", "-5"], USAGE),
    # vietqr
    *[
        (["vietqr", "parse", text], INVALID)
        for text in (
            "²",
            "",
            "abc",
            "\x00",
            "\udcff",
            "0" * 5000,
            "000201",
            PAYLOAD[:-1] + "9",
            PAYLOAD.replace("5000", "9000"),
            UNDECODABLE_PAYLOAD,
        )
    ],
    *[
        (["vietqr", "render", text], INVALID)
        for text in ("", "abc", PAYLOAD[:-1] + "9", UNDECODABLE_PAYLOAD)
    ],
    (["vietqr", "render", PAYLOAD, "-o", "{out.xml}"], INVALID),  # not .png/.svg
    (["vietqr", "render", PAYLOAD, "-o", "{a-directory}/../no-such-dir/x.png"], INVALID),
    (["vietqr", "render", PAYLOAD, "--scale", "0"], USAGE),
    (["vietqr", "render", PAYLOAD, "--caption"], INVALID),  # a caption needs a .png
    (["vietqr", "render", PAYLOAD, "--caption", "-o", "{out.xml}"], INVALID),
    (["vietqr", "banks", "--bogus"], USAGE),
    (["vietqr", "banks", "extra"], USAGE),
    (["vietqr", "build", "--bank", "\udcff", "--account", "123"], INVALID),
    (["vietqr", "build", "--bank", "VPBank", "--account", "1", "-o", "{out.xml}"], INVALID),
    (["sms", "inspect", "abc", "--provider", "fpt"], USAGE),
    (["sms", "inspect", "abc", "--provider", ""], USAGE),
    *[
        (["vietqr", "build", "--bank", "VPBank", "--account", "123", "--amount", amount], INVALID)
        for amount in ("²", "1.5", "５００００", "-5", "0", LONG_DIGITS, "9" * 14, "", "abc")
    ],
    *[
        (["vietqr", "build", "--bank", bank, "--account", "123"], INVALID)
        for bank in ("²", "", "nope", "9704", "123456", "\x00", "x" * 5000)
    ],
    *[
        (["vietqr", "build", "--bank", "VPBank", "--account", account], INVALID)
        for account in ("", "²", "a b", "9" * 300, "\udcff")
    ],
    *[
        (["vietqr", "build", "--bank", "VPBank", "--account", "1", "--purpose", purpose], INVALID)
        for purpose in ("", "x" * 500, "🙂", "\x00")
    ],
    # sms inspect: any text is inspectable; a malformed template is invalid input
    *[(["sms", "inspect", "abc", "-t", template], INVALID) for template in ("{a}{a}", "", " ")],
    # invoice: every file argument, with every kind of bad file
    *[(["invoice", "validate", f"{{{name}}}"], INVALID) for name in BAD_XML],
    (["invoice", "validate", "{unsigned-words.xml}"], INVALID),
    *[(["invoice", "verify", f"{{{name}}}"], INVALID) for name in BAD_XML],
    *[
        (["invoice", "verify", f"{{{name}}}"], INVALID)
        for name in ("receipt.xml", "empty-signature.xml", "bad-digest.xml", "tampered.xml")
    ],
    *[
        (["invoice", "verify", "{signed.xml}", "--cert", f"{{{name}}}"], INVALID)
        for name in (*BAD_PEM, "key.pem")
    ],
    *[
        (["invoice", "sign", "{receipt.xml}", "--p12", f"{{{name}}}", "-o", "{out.xml}"], INVALID)
        for name in (*BAD_FILES, "cert.pem")
    ],
    *[
        (
            [
                "invoice",
                "sign",
                "{receipt.xml}",
                "--key",
                f"{{{name}}}",
                "--cert",
                "{cert.pem}",
                "-o",
                "{out.xml}",
            ],
            INVALID,
        )
        for name in (*BAD_PEM, "cert.pem", "encrypted-key.pem")
    ],
    *[
        (
            [
                "invoice",
                "sign",
                "{receipt.xml}",
                "--key",
                "{key.pem}",
                "--cert",
                f"{{{name}}}",
                "-o",
                "{out.xml}",
            ],
            INVALID,
        )
        for name in (*BAD_PEM, "key.pem")
    ],
    *[
        (
            [
                "invoice",
                "sign",
                f"{{{name}}}",
                "--key",
                "{key.pem}",
                "--cert",
                "{cert.pem}",
                "-o",
                "{out.xml}",
            ],
            INVALID,
        )
        for name in (*BAD_XML, "signed.xml")
    ],
    (
        [
            "invoice",
            "sign",
            "{receipt.xml}",
            "--key",
            "{key.pem}",
            "--cert",
            "{cert.pem}",
            "-o",
            "{no-such-dir/out.xml}",
        ],
        INVALID,
    ),
    (
        [
            "invoice",
            "sign",
            "{receipt.xml}",
            "--key",
            "{key.pem}",
            "--cert",
            "{cert.pem}",
            "-o",
            "{a-directory}",
        ],
        INVALID,
    ),
    (["invoice", "sign", "{receipt.xml}", "--p12", "{bundle.p12}", "--key", "{key.pem}"], INVALID),
    (["invoice", "sign", "{receipt.xml}", "--p12", "{bundle.p12}"], INVALID),  # no password
    # doctor: the configuration file is garbage
    *[
        (["doctor", "--config", f"{{{name}}}"], CONFIG)
        for name in (
            "garbage.txt",
            "empty.txt",
            "binary.bin",
            "a-directory",
            "missing",
            "receipt.xml",
        )
    ],
    (["doctor", "--config", "/dev/zero"], CONFIG),
    # report: the outbox is garbage, the day is not a date (issue 15)
    *[(["report", "--db", f"{{{name}}}"], CONFIG) for name in (*BAD_FILES, "receipt.xml")],
    (["report", "--db", "{garbage.txt}", "--day", "yesterday"], USAGE),
]

COVERED = {
    " ".join(args[:2]) if args[0] in ("vietqr", "sms", "invoice") else args[0] for args, _ in MATRIX
}
EXCLUDED = {"demo", "simulate", "outbox"}


def _commands(command: object, prefix: str = "") -> Iterator[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield prefix
        return
    for name, sub in subcommands.items():
        if name not in EXCLUDED:
            yield from _commands(sub, f"{prefix} {name}".strip())


def test_the_matrix_covers_every_command_in_help() -> None:
    """A new command fails here until its garbage is added to the matrix."""
    assert set(_commands(typer.main.get_command(app))) == COVERED


def _filled(args: list[str], files: dict[str, str]) -> list[str]:
    return [re.sub(r"\{([^{}]+)\}", lambda m: files.get(m.group(1), m.group(0)), a) for a in args]


@pytest.mark.parametrize(
    ("args", "code"),
    MATRIX,
    ids=[" ".join(a)[:60].encode("ascii", "backslashreplace").decode() for a, _ in MATRIX],
)
def test_garbage_is_one_line_and_the_documented_code(
    args: list[str], code: int, files: dict[str, str]
) -> None:
    assert_one_line_error(_filled(args, files), code)


@pytest.mark.parametrize("template", ["{", "Khac {x}", "{a:0}"])
def test_an_unmatched_template_reports_then_fails_in_one_line(template: str) -> None:
    exit_code, stdout, stderr = _outcome(["sms", "inspect", "abc", "-t", template])
    assert INVALID == exit_code
    assert "as written" in stdout
    assert "error: the text matches none of the given templates\n" == stderr


@pytest.mark.parametrize(
    ("args", "code", "named"),
    [
        (["simulate", "nope"], USAGE, "unknown simulator(s) nope"),
        (["simulate", "vnpay", "--seconds", "inf"], USAGE, "less than or equal to"),
        (["simulate", "vnpay", "--seconds", "1e308"], USAGE, "less than or equal to"),
        (["simulate", "vnpay", "--seconds", "nan"], USAGE, "--seconds"),
        (["simulate", "vnpay", "--callback", "vnpay"], USAGE, "NAME=URL"),
        (["simulate", "vnpay", "--port", "70000"], USAGE, "--port"),
        (["demo", "--output", "{garbage.txt}"], INVALID, "exists and is not a folder"),
        (["demo", "--output", "{garbage.txt}/sub"], INVALID, "--output"),
    ],
)
def test_the_long_running_commands_refuse_garbage_before_starting(
    args: list[str], code: int, named: str, files: dict[str, str]
) -> None:
    """`simulate --seconds inf` overflowed after serving; `demo -o FILE` failed mid-run."""
    assert named in assert_one_line_error(_filled(args, files), code)


# ---- the messages name the problem ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["words", "1.5"], "fractional part"),
        (["words", "1,500"], "ambiguous"),
        (["words", "５００００"], "ASCII digits"),
        (["words", LONG_DIGITS], "5000 digits, more than 27"),
        (["words", ""], "amount is empty"),
        (["words", "--bogus"], "No such option: --bogus"),
        (["phone"], "Missing argument 'number' (see 'connectors phone --help')"),
        (["vietqr", "build", "--bank", "nope", "--account", "1"], "unknown bank 'nope'"),
        (["invoice", "verify", "{signed.xml}", "--cert", "{garbage.txt}"], "not a PEM certificate"),
        (["invoice", "verify", "{signed.xml}", "--cert", "{empty.txt}"], "is empty"),
        (["invoice", "verify", "{signed.xml}", "--cert", "{missing}"], "no such file"),
        (["invoice", "verify", "{signed.xml}", "--cert", "{a-directory}"], "is a directory"),
        (["invoice", "verify", "{empty-signature.xml}"], "signature cannot be checked"),
        (["invoice", "validate", "{xxe.xml}"], "DOCTYPE or ENTITY declaration (refused)"),
        (["invoice", "validate", "{bomb.xml}"], "DOCTYPE or ENTITY declaration (refused)"),
        (["invoice", "validate", "{huge.xml}"], "larger than"),
        (["invoice", "sign", "{receipt.xml}", "--key", "{garbage.txt}", "--cert", "{cert.pem}"],
         "--key"),
        (["invoice", "sign", "{receipt.xml}", "--key", "{encrypted-key.pem}", "--cert",
          "{cert.pem}"], "is encrypted: set CONNECTORS_SIGNING_PASSWORD"),
        (["invoice", "sign", "{receipt.xml}", "--p12", "{garbage.txt}"], "not a PKCS#12 file"),
        (["invoice", "sign", "{receipt.xml}", "--key", "{key.pem}", "--cert", "{cert.pem}",
          "-o", "{no-such-dir/out.xml}"], "no such directory"),
        (["sms", "inspect", "abc", "-t", "{a}{a}"], "names each parameter once"),
        (["doctor", "--config", "{a-directory}"], "not a regular file"),
    ],
)  # fmt: skip
def test_the_line_names_the_problem(args: list[str], named: str, files: dict[str, str]) -> None:
    exit_code, _, stderr = _outcome(_filled(args, files))
    assert named in stderr, stderr
    assert exit_code in (USAGE, INVALID, CONFIG)


@pytest.mark.parametrize(
    ("password", "named"),
    [("wrong-fake-password", "CONNECTORS_SIGNING_PASSWORD is wrong"), ("\udcff", "is wrong")],
)
def test_a_wrong_signing_password_is_one_line(
    password: str, named: str, files: dict[str, str]
) -> None:
    env = {"CONNECTORS_SIGNING_PASSWORD": password}
    for credentials in (
        ["--p12", files["bundle.p12"]],
        ["--key", files["encrypted-key.pem"], "--cert", files["cert.pem"]],
    ):
        args = ["invoice", "sign", files["receipt.xml"], *credentials, "-o", files["out.xml"]]
        line = assert_one_line_error(args, INVALID, env)
        assert named in line
        assert password not in line


def test_the_right_signing_password_still_signs(files: dict[str, str], tmp_path: Path) -> None:
    env = {"CONNECTORS_SIGNING_PASSWORD": PASSWORD}
    out = tmp_path / "signed.xml"
    args = ["invoice", "sign", files["receipt.xml"], "--p12", files["bundle.p12"], "-o", str(out)]
    exit_code, _, stderr = _outcome(args, env)
    assert (0, "") == (exit_code, stderr)
    verified = runner.invoke(app, ["invoice", "verify", str(out), "--cert", files["cert.pem"]])
    assert 0 == verified.exit_code, verified.output


def test_a_password_for_an_unencrypted_key_is_named(files: dict[str, str]) -> None:
    args = ["invoice", "sign", files["receipt.xml"], "--key", files["key.pem"], "--cert",
            files["cert.pem"], "-o", files["out.xml"]]  # fmt: skip
    line = assert_one_line_error(args, INVALID, {"CONNECTORS_SIGNING_PASSWORD": PASSWORD})
    assert "is not encrypted: unset CONNECTORS_SIGNING_PASSWORD" in line
    assert PASSWORD not in line


# ---- the accepted forms still work ------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "value"),
    [("-5", -5), ("1.500.000", 1_500_000), ("1 500 000", 1_500_000), ("1,500,000", 1_500_000),
     ("1_500", 1500), ("9" * 27, 10**27 - 1)],
)  # fmt: skip
def test_words_reads_the_accepted_forms(amount: str, value: int) -> None:
    exit_code, stdout, stderr = _outcome(["words", amount, "--json"])
    assert (0, "") == (exit_code, stderr)
    assert {"amount": value, "words": amount_in_words(value)} == json.loads(stdout)


def test_words_prints_one_line_however_long() -> None:
    exit_code, stdout, _ = _outcome(["words", "9" * 27])
    assert 0 == exit_code
    assert amount_in_words(10**27 - 1) + "\n" == stdout


def test_vietqr_build_reads_grouped_amounts() -> None:
    args = ["vietqr", "build", "--bank", "VPBank", "--account", "123456", "--amount"]
    exit_code, stdout, _ = _outcome([*args, "1.500.000"])
    assert 0 == exit_code
    assert 1_500_000 == parse_vietqr(stdout.strip()).amount


def test_vietqr_render_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "qr.png"
    exit_code, _, stderr = _outcome(["vietqr", "render", PAYLOAD, "-o", str(target)])
    assert (0, "") == (exit_code, stderr)
    assert target.read_bytes().startswith(b"\x89PNG")


# ---- arbitrary text -----------------------------------------------------------------------

free_text = st.text(max_size=60) | st.sampled_from(["", " ", "\x00", "\udcff", "-", "--", "-5"])


@SETTINGS
@given(free_text)
def test_words_of_any_text(text: str) -> None:
    """After `--` the text is the amount: read if `parse_dong` reads it, else exit 3."""
    try:
        expected: int | None = parse_dong(text)
    except ConnectorError:
        expected = None
    if expected is None:
        assert_one_line_error(["words", "--", text], INVALID)
    else:
        exit_code, stdout, _ = _outcome(["words", "--", text])
        assert (0, amount_in_words(expected) + "\n") == (exit_code, stdout)


@SETTINGS
@given(free_text)
def test_phone_of_any_text(text: str) -> None:
    try:
        expected = parse_phone(text).e164
    except ConnectorError:
        assert_one_line_error(["phone", "--", text], INVALID)
    else:
        exit_code, stdout, _ = _outcome(["phone", "--json", "--", text])
        assert 0 == exit_code
        assert expected == json.loads(stdout)["e164"]


@SETTINGS
@given(free_text | st.text(alphabet="0123456789ABCDEF", max_size=120))
def test_vietqr_parse_of_any_text(text: str) -> None:
    try:
        parse_vietqr(text.strip())
    except ConnectorError:
        assert_one_line_error(["vietqr", "parse", "--", text], INVALID)
    else:
        assert 0 == _outcome(["vietqr", "parse", "--", text])[0]


@SETTINGS
@given(free_text)
def test_sms_inspect_of_any_text(text: str) -> None:
    exit_code, stdout, _ = _outcome(["sms", "inspect", "--json", "--", text])
    assert 0 == exit_code
    assert sms_segments(text).units == json.loads(stdout)["as written"]["units"]


@SETTINGS
@given(st.sampled_from(["words", "phone", "vietqr parse", "sms inspect"]), free_text)
def test_any_text_without_a_separator(command: str, text: str) -> None:
    """As typed in a shell, text may look like an option: usage error or not, one line."""
    exit_code, stdout, stderr = _outcome([*command.split(), text])
    if exit_code != 0:
        assert exit_code in (USAGE, INVALID), (command, text, exit_code)
        assert "" == stdout
        assert stderr.startswith("error: ")
        assert 1 == stderr.count("\n")


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["validate", "verify", "--cert", "--key", "--p12"]))
def test_any_bytes_as_a_file(data: bytes, role: str) -> None:
    with _scratch_file(data) as path, _scratch_file(b"<a/>") as out:
        if role in ("validate", "verify"):
            args = ["invoice", role, path]
        elif role == "--cert":
            args = ["invoice", "verify", path, "--cert", path]
        elif role == "--key":
            args = ["invoice", "sign", path, "--key", path, "--cert", path, "-o", out]
        else:
            args = ["invoice", "sign", path, "--p12", path, "-o", out]
        assert_one_line_error(args, INVALID)


class _scratch_file:
    """A temporary file holding `data` (hypothesis cannot take function-scoped fixtures)."""

    def __init__(self, data: bytes) -> None:
        import tempfile

        handle, self.path = tempfile.mkstemp(prefix="connectors-garbage-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)

    def __enter__(self) -> str:
        return self.path

    def __exit__(self, *exc: object) -> None:
        os.unlink(self.path)


def test_undecodable_argument_bytes_are_shown_not_fatal() -> None:
    """A strict stdout raised on them, and rich's console kept the bad text for later."""
    for _ in range(2):
        exit_code, stdout, _ = _outcome(["sms", "inspect", "abc\udcff"])
        assert 0 == exit_code
        assert "abc\\udcff" in stdout
    exit_code, stdout, _ = _outcome(["sms", "inspect", "--json", "--", "\udcff"])
    assert 0 == exit_code
    assert "\udcff" == json.loads(stdout)["as written"]["text"]


# ---- the safety net and the real process ---------------------------------------------------


def test_an_unexpected_exception_is_one_line_with_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(number: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("connectors.cli.vn.parse_phone", broken)
    line = assert_one_line_error(["phone", "0912345678"], 70)
    assert "internal error: RuntimeError: boom" in line
    assert "CONNECTORS_DEBUG=1" in line
    debug = runner.invoke(app, ["phone", "0912345678"], env={"CONNECTORS_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


def test_no_arguments_prints_the_help() -> None:
    result = runner.invoke(app, [])
    assert (int(ExitCode.USAGE), "") == (result.exit_code, result.stderr)
    assert "Usage" in result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [(["words", "²"], INVALID), (["words", LONG_DIGITS], INVALID), (["words", "-5"], OK),
     (["invoice", "verify", "{signed.xml}", "--cert", "{garbage.txt}"], INVALID),
     (["invoice", "sign", "{receipt.xml}", "--p12", "{garbage.txt}"], INVALID),
     (["words", "--bogus"], USAGE)],
)  # fmt: skip
def test_the_installed_command_prints_no_traceback(
    args: list[str], code: int, files: dict[str, str]
) -> None:
    process = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "connectors", *_filled(args, files)],
        cwd=Path(__file__).resolve().parents[2],  # this checkout's code, not an installed one
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert code == process.returncode, process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    if code:
        assert process.stderr.startswith("error: ")
        assert 1 == process.stderr.count("\n")
