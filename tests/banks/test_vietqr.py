"""VietQR: vector H, parsing errors by element, input validation, the bank directory, rendering."""

from __future__ import annotations

import binascii
import io
import struct
import zlib
from pathlib import Path

import pytest
from lxml import etree

import connectors.banks.vietqr as vietqr
from connectors.banks.vietqr import (
    BANKS,
    InvalidQRPayload,
    UnknownBank,
    VietQR,
    WireProfile,
    bank_by_bin,
    bank_by_short_name,
    build_vietqr,
    crc16_ccitt_false,
    find_bank,
    format_crc,
    parse_vietqr,
    png_bytes,
    qr_code,
    render_png,
    render_svg,
    render_terminal,
    render_text,
    svg_text,
    transfer_purpose,
)
from connectors.core.errors import ValidationError

STATIC_H = (
    "00020101021138540010A00000072701240006970432011001234567890208QRIBFTTA53037045802VN63046584"
)
DYNAMIC_H = (
    "00020101021238540010A00000072701240006970432011001234567890208QRIBFTTA"
    "53037045405500005802VN62230819LE PHI HS2025000123630473B3"
)


def _with_crc(head: str) -> str:
    """`head` (ending in "6304") closed with its correct CRC, computed independently."""
    return head + f"{binascii.crc_hqx(head.encode('utf-8'), 0xFFFF):04X}"


# -- vector H and the CRC ----------------------------------------------------------------


def test_crc_check_value() -> None:
    assert 0x29B1 == crc16_ccitt_false(b"123456789")
    assert "29B1" == format_crc("123456789")


def test_crc_is_zero_padded_upper_case() -> None:
    # find an input whose CRC has a leading zero nibble and a letter
    for n in range(10_000):
        text = f"x{n}"
        value = binascii.crc_hqx(text.encode(), 0xFFFF)
        if value < 0x1000 and any(c in "ABCDEF" for c in f"{value:04X}"):
            break
    assert f"{value:04X}" == format_crc(text)
    assert 4 == len(format_crc(text))


def test_crc_counts_utf8_bytes() -> None:
    assert binascii.crc_hqx("đĐ".encode(), 0xFFFF) == crc16_ccitt_false("đĐ")


def test_vector_h_static() -> None:
    assert STATIC_H == build_vietqr(bin="970432", account="0123456789")


def test_vector_h_dynamic() -> None:
    payload = build_vietqr(
        bin="970432", account="0123456789", amount=50_000, purpose="LE PHI HS2025000123"
    )
    assert DYNAMIC_H == payload


def test_parse_vector_h_dynamic() -> None:
    parsed = parse_vietqr(DYNAMIC_H)
    assert ("970432", "0123456789", "QRIBFTTA") == (parsed.bin, parsed.account, parsed.service)
    assert 50_000 == parsed.amount
    assert "LE PHI HS2025000123" == parsed.purpose
    assert parsed.dynamic is True
    assert "12" == parsed.point_of_initiation
    assert "73B3" == parsed.crc
    assert parsed.bank is not None
    assert "VPBank" == parsed.bank.short_name


def test_parse_vector_h_static() -> None:
    parsed = parse_vietqr(STATIC_H)
    assert (None, None, False, "6584") == (
        parsed.amount,
        parsed.purpose,
        parsed.dynamic,
        parsed.crc,
    )
    assert {} == dict(parsed.additional_data)
    assert {} == dict(parsed.extra)


def test_parse_keeps_unknown_tags_and_other_additional_data() -> None:
    head = (
        "00020101021138540010A00000072701240006970432011001234567890208QRIBFTTA"
        "5204000053037045802VN5909UBND XA A6007HA NOI 62240108INV001080808HS123456"
        "6304"
    )
    parsed = parse_vietqr(_with_crc(head))
    assert {"52": "0000", "59": "UBND XA A", "60": "HA NOI "} == dict(parsed.extra)
    assert {"01": "INV00108"} == dict(parsed.additional_data)
    assert "HS123456" == parsed.purpose


def test_vietqr_is_frozen() -> None:
    parsed = parse_vietqr(STATIC_H)
    with pytest.raises(AttributeError):
        parsed.amount = 1  # type: ignore[misc]
    assert isinstance(parsed, VietQR)


def test_static_by_default_without_amount_and_dynamic_override() -> None:
    assert parse_vietqr(build_vietqr(bin="970432", account="1", purpose="HS1")).dynamic is False
    forced = build_vietqr(bin="970432", account="1", dynamic=True)
    assert "010212" == forced[6:12]
    assert parse_vietqr(forced).dynamic is True


# -- parsing errors name the element ------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param(DYNAMIC_H[:-1] + "4", "crc", id="crc-digit"),
        pytest.param(DYNAMIC_H[:-4] + "73b3", "crc", id="crc-lower-case"),
        pytest.param(DYNAMIC_H.replace("HS2025000123", "HS2025000124"), "crc", id="content"),
        pytest.param(DYNAMIC_H[:-2], "payload", id="truncated"),
        pytest.param(STATIC_H + "00", "payload", id="trailing-junk"),
        pytest.param("", "payload", id="empty"),
        pytest.param("00020", "payload", id="overrun"),
        pytest.param("0002AB", "tag 00", id="00-not-01"),
        pytest.param(_with_crc("000201010211530370463"[:-2] + "6304"), "tag 38", id="no-38"),
        pytest.param(_with_crc("010211000201" + "6304"), "tag 00", id="00-not-first"),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("010211", "010213") + "6304"), "tag 01", id="bad-01"
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("A000000727", "A000000775") + "6304"),
            "tag 38",
            id="vnpay-guid",
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("5303704", "5303840") + "6304"),
            "currency",
            id="usd",
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("5802VN", "5802TH") + "6304"), "country", id="th"
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("5303704", "5303704540750000.0") + "6304"),
            "amount",
            id="decimal-amount",
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("5303704", "530370454010") + "6304"),
            "amount",
            id="zero-amount",
        ),
        pytest.param(_with_crc(STATIC_H[:-8] + "5802VN6304"), "tag 58", id="duplicate-tag"),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("0006970432", "0006ABCDEF") + "6304"),
            "bin",
            id="bin-not-digits",
        ),
        pytest.param(
            _with_crc(STATIC_H[:-8].replace("0208QRIBFTTA", "").replace("3854", "3842") + "6304"),
            "service",
            id="no-service",
        ),
        pytest.param(STATIC_H[:-8] + "6304ABCD9902XX", "crc", id="crc-not-last"),
    ],
)
def test_parse_rejects(payload: str, field: str) -> None:
    with pytest.raises(InvalidQRPayload) as caught:
        parse_vietqr(payload)
    assert field == caught.value.field
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, ValueError)


def test_parse_rejects_nested_length_overrun() -> None:
    broken = STATIC_H[:-8].replace("01240006970432", "01250006970432") + "6304"
    with pytest.raises(InvalidQRPayload) as caught:
        parse_vietqr(_with_crc(broken.replace("3854", "3855", 1)))
    assert caught.value.field in ("tag 38", "tag 38/01", "payload")


# -- input validation before anything is built ---------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"bin": "97043"}, "bin", id="short-bin"),
        pytest.param({"bin": "97043A"}, "bin", id="bin-letter"),
        pytest.param({"account": ""}, "account", id="empty-account"),
        pytest.param({"account": "0123 4567"}, "account", id="account-space"),
        pytest.param({"account": "1" * 20}, "account", id="account-too-long"),
        pytest.param({"amount": 0}, "amount", id="zero"),
        pytest.param({"amount": -5}, "amount", id="negative"),
        pytest.param({"amount": 50_000.0}, "amount", id="float"),
        pytest.param({"amount": True}, "amount", id="bool"),
        pytest.param({"amount": 10**13}, "amount", id="14-digits"),
        pytest.param({"purpose": "HS1 #2"}, "purpose", id="hash-sign"),
        pytest.param({"purpose": "   "}, "purpose", id="blank"),
        pytest.param({"purpose": "X" * 26}, "purpose", id="too-long"),
        pytest.param({"purpose": "HS1 ✓"}, "purpose", id="non-ascii"),
        pytest.param({"service": "QRFOO"}, "service", id="service"),
    ],
)
def test_build_rejects_bad_input(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"bin": "970432", "account": "0123456789", **kwargs}
    with pytest.raises(ValidationError) as caught:
        build_vietqr(**args)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_purpose_diacritics_stripped_and_spaces_collapsed() -> None:
    payload = build_vietqr(bin="970432", account="1", purpose="  HS1   Lệ  phí ")
    assert "HS1 Le phi" == parse_vietqr(payload).purpose


def test_profile_overrides_purpose_length() -> None:
    short = WireProfile(purpose_max_length=19)
    with pytest.raises(ValidationError):
        build_vietqr(bin="970432", account="1", purpose="HS2025000123 LE PHI X", profile=short)
    assert "HS2025000123 Le phi" == transfer_purpose("HS2025000123", "Lệ phí xây", profile=short)


def test_transfer_purpose_puts_code_first_and_never_cuts_it() -> None:
    assert "HS2025000123 Le phi cap g" == transfer_purpose(
        "HS2025000123", "Lệ phí cấp giấy phép xây dựng"
    )
    assert "HS-2025-000123" == transfer_purpose("HS-2025-000123")
    assert "HS-2025-000123 phi" == transfer_purpose("HS-2025-000123", "#phi!")
    assert "HS1 a b" == transfer_purpose("HS1", "a # b")
    with pytest.raises(ValidationError) as caught:
        transfer_purpose("H" * 26, "x")
    assert "dossier_code" == caught.value.field


# -- bank directory ------------------------------------------------------------------------


def test_directory_has_vpbank_and_the_spec_table() -> None:
    assert "VPBank" == bank_by_bin("970432").short_name
    assert 56 == len(BANKS)
    assert all(len(b) == 6 and b.isdigit() for b in BANKS)
    assert "546034" == bank_by_short_name("CAKE by VPBank").bin


@pytest.mark.parametrize("name", ["VPBank", "vpbank", "VP Bank", "vp-bank", "VPB"])
def test_lookup_by_short_name_ignores_case_and_punctuation(name: str) -> None:
    assert "970432" == bank_by_short_name(name).bin


def test_vietinbank_under_both_codes() -> None:
    assert bank_by_short_name("CTG") is bank_by_short_name("ICB") is bank_by_bin("970415")


def test_unknown_bank() -> None:
    with pytest.raises(UnknownBank) as by_bin:
        bank_by_bin("999999")
    assert "bin" == by_bin.value.field
    with pytest.raises(UnknownBank) as malformed:
        bank_by_bin("97043")
    assert "bin" == malformed.value.field
    with pytest.raises(UnknownBank) as by_name:
        bank_by_short_name("Nonexistent Bank")
    assert "short_name" == by_name.value.field
    assert isinstance(by_name.value, LookupError)
    assert find_bank("999999") is None
    assert find_bank("nope") is None
    assert "970436" == (find_bank("970436") or bank_by_bin("970432")).bin
    assert "970418" == (find_bank("bidv") or bank_by_bin("970432")).bin


# -- rendering -----------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert b"\x89PNG\r\n\x1a\n" == data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (13, b"IHDR") == (length, kind)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_size_follows_modules_scale_and_border() -> None:
    modules = qr_code(DYNAMIC_H).symbol_size(scale=1, border=0)[0]
    width, height = _png_size(png_bytes(DYNAMIC_H, scale=3, border=2))
    assert (modules + 4) * 3 == width == height


def test_png_pixels_match_the_qr_matrix() -> None:
    data = png_bytes(DYNAMIC_H, scale=1, border=0)
    width, _ = _png_size(data)
    # decode the IDAT stream (1-bit greyscale, filter byte per row) and compare
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8 + 1
    matrix = [list(row) for row in qr_code(DYNAMIC_H).matrix]
    for y, row in enumerate(matrix):
        line = raw[y * stride : (y + 1) * stride]
        assert 0 == line[0]  # segno writes filter type 0
        bits = [(line[1 + x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
        assert [0 if module else 1 for module in row] == bits  # dark = 0 in greyscale


def test_render_png_and_svg_to_files(tmp_path: Path) -> None:
    render_png(DYNAMIC_H, tmp_path / "qr.png")
    render_svg(DYNAMIC_H, str(tmp_path / "qr.svg"))
    assert png_bytes(DYNAMIC_H) == (tmp_path / "qr.png").read_bytes()
    assert svg_text(DYNAMIC_H) == (tmp_path / "qr.svg").read_text("utf-8")


def test_svg_is_an_svg_of_the_right_size() -> None:
    root = etree.fromstring(svg_text(DYNAMIC_H, scale=2, border=4).encode())
    modules = qr_code(DYNAMIC_H).symbol_size(scale=1, border=0)[0]
    assert "{http://www.w3.org/2000/svg}svg" == root.tag
    assert str((modules + 8) * 2) == root.get("width")


def test_render_refuses_a_bad_payload_before_writing(tmp_path: Path) -> None:
    target = tmp_path / "bad.png"
    with pytest.raises(InvalidQRPayload):
        render_png(DYNAMIC_H[:-1] + "0", target)
    assert not target.exists()
    assert png_bytes("not a vietqr", validate=False).startswith(b"\x89PNG")


def test_text_rendering_is_the_matrix_in_half_blocks() -> None:
    text = render_text(STATIC_H, border=0)
    matrix = [list(row) for row in qr_code(STATIC_H).matrix]
    lines = text.rstrip("\n").split("\n")
    assert (len(matrix) + 1) // 2 == len(lines)
    top = [bool(m) for m in matrix[0]]
    bottom = [bool(m) for m in matrix[1]]
    glyph = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    assert "".join(glyph[p] for p in zip(top, bottom, strict=True)).rstrip() == lines[0]
    assert set(text) <= {" ", "▀", "▄", "█", "\n"}


def test_terminal_rendering_draws_two_rows_per_line() -> None:
    out = io.StringIO()
    render_terminal(STATIC_H, out, border=2)
    size = qr_code(STATIC_H).symbol_size(scale=1, border=2)[0]
    lines = out.getvalue().rstrip("\n").split("\n")
    assert (size + 1) // 2 == len(lines)
    assert "█" in out.getvalue()


def test_public_api() -> None:
    expected = {
        "BANKS", "WIRE", "Bank", "InvalidQRPayload", "UnknownBank", "VietQR", "WireProfile",
        "bank_by_bin", "bank_by_short_name", "build_vietqr", "caption_lines",
        "crc16_ccitt_false", "find_bank",
        "format_crc", "parse_vietqr", "png_bytes", "qr_code", "render_png", "render_svg",
        "render_terminal", "render_text", "svg_text", "transfer_purpose",
    }  # fmt: skip
    assert expected == set(vietqr.__all__)
    assert all(hasattr(vietqr, name) for name in expected)


def test_parse_counts_characters_and_checks_crc_over_utf8() -> None:
    purpose = "HS1 Lệ phí đĐ"  # 13 characters, 18 UTF-8 bytes
    head = STATIC_H[:-8] + f"62{len(purpose) + 4:02d}08{len(purpose):02d}{purpose}" + "6304"
    payload = _with_crc(head)
    assert purpose == parse_vietqr(payload).purpose
    latin1_crc = f"{binascii.crc_hqx(head.encode('utf-16-le'), 0xFFFF):04X}"
    with pytest.raises(InvalidQRPayload) as caught:
        parse_vietqr(head + latin1_crc)
    assert "crc" == caught.value.field
