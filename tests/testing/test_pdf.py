"""The simulators' one-page PDF: well formed, Vietnamese kept, the font embedded, text readable."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core.truetype import shipped_font
from connectors.testing.pdf import PdfPage, text_pdf

from .pdftext import objects, stream, text_lines

FONT_CHARS = "".join(sorted(chr(c) for c in shipped_font().glyphs if chr(c).isprintable()))


def test_xref_offsets_point_at_their_objects() -> None:
    pdf = text_pdf("BIÊN LAI", ["Tổng tiền: 15.000 đồng", "Mã (tra cứu) \\ x"])
    start = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))  # type: ignore[union-attr]
    count = len(objects(pdf))
    assert pdf[start:].startswith(b"xref\n0 %d\n" % (count + 1))
    offsets = [int(x) for x in re.findall(rb"(\d{10}) 00000 n", pdf[start:])]
    assert count == len(offsets)
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)


def test_vietnamese_is_kept_with_its_accents() -> None:
    """It was written unaccented before ("BIEN LAI"): now it reads as typed."""
    pdf = text_pdf("BIÊN LAI THU PHÍ, LỆ PHÍ", ["Bằng chữ: Một triệu đồng", "Mã (tra cứu) \\ x ₫"])
    assert [
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Bằng chữ: Một triệu đồng",
        "Mã (tra cứu) \\ x ₫",
    ] == text_lines(pdf)


def test_decomposed_input_is_composed_and_controls_become_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Một triệu")
    assert ["T", "Một triệu a b"] == text_lines(text_pdf("T", [decomposed + " a\tb"]))


def test_the_fonts_are_embedded_whole_as_truetype_with_a_tounicode_map() -> None:
    pdf = text_pdf("Đ", ["đ"])
    objs = objects(pdf)
    files = [stream(body) for body in objs.values() if b"/Length1 " in body]
    assert [shipped_font(False).data, shipped_font(True).data] == files
    type0 = [body for body in objs.values() if b"/Subtype /Type0" in body]
    assert 2 == len(type0)
    for body in type0:
        assert b"/Encoding /Identity-H" in body
        assert b"/ToUnicode " in body
        assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans", body)
    cid = [body for body in objs.values() if b"/Subtype /CIDFontType2" in body]
    assert all(b"/CIDToGIDMap /Identity" in body for body in cid)


def test_widths_follow_the_font() -> None:
    page = PdfPage()
    font = shipped_font()
    expected = sum(font.widths[font.glyph(c)] for c in "Một") * 10 / 1000
    assert expected == page.width("Một", 10)
    assert page.width("Một", 10, bold=True) > page.width("Một", 10)


def test_right_and_centre_alignment_end_and_centre_on_x() -> None:
    page = PdfPage()
    page.text(500, 700, "Thành tiền", size=10, align="right")
    page.text(300, 680, "Thành tiền", size=10, align="center")
    content = stream(objects(page.to_bytes())[4]).decode()
    xs = [float(x) for x in re.findall(r"Tf ([\d.]+) [\d.]+ Td", content)]
    width = page.width("Thành tiền", 10)
    assert [round(500 - width, 2), round(300 - width / 2, 2)] == xs


def test_wrap_keeps_every_word_within_the_width() -> None:
    page = PdfPage()
    text = "Dịch vụ sao y, chứng thực bản sao từ bản chính giấy tờ do cơ quan Việt Nam cấp"
    lines = page.wrap(text, 120, 10)
    assert 1 < len(lines)
    assert text.split() == " ".join(lines).split()
    assert all(page.width(line, 10) <= 120 for line in lines)


@given(st.lists(st.text(alphabet=FONT_CHARS, max_size=60), max_size=8))
def test_any_text_the_font_covers_reads_back(lines: list[str]) -> None:
    pdf = text_pdf("T", lines)
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.endswith(b"%%EOF\n")
    composed = [unicodedata.normalize("NFC", line) for line in text_lines(pdf)]
    assert ["T", *(unicodedata.normalize("NFC", line) for line in lines)] == composed


def test_a_letter_the_font_lacks_composed_is_drawn_from_its_parts() -> None:
    """U+01DB (U with diaeresis and grave) is not in the font; U+00DC and U+0300 are."""
    assert 0 == shipped_font().glyph("\u01db")
    assert ["T", "\u00dc\u0300"] == text_lines(text_pdf("T", ["\u01db"]))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_poppler_extracts_the_vietnamese_text(tmp_path: Path) -> None:
    path = tmp_path / "t.pdf"
    path.write_bytes(text_pdf("BIÊN LAI THU PHÍ, LỆ PHÍ", ["Bằng chữ: Một triệu đồng"]))
    done = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        timeout=30,
    )
    text = done.stdout.decode("utf-8")
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "Bằng chữ: Một triệu đồng" in text


def test_the_fonts_ship_with_their_licence() -> None:
    fonts = files("connectors.core").joinpath("fonts")
    licence = fonts.joinpath("LICENSE.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence
    assert "DejaVu changes are in public domain" in licence
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE.txt"} <= {
        entry.name for entry in fonts.iterdir()
    }
