"""A VietQR PNG with a caption (bank, account, amount, dossier) under a code that still scans."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from connectors.banks.vietqr import (
    build_vietqr,
    caption_lines,
    png_bytes,
    qr_code,
    render_png,
    transfer_purpose,
)
from tests.png import grey_pixels

DYNAMIC = build_vietqr(
    bin="970432",
    account="0123456789",
    amount=1_250_000,
    purpose=transfer_purpose("HS2026000101", "le phi"),
)
STATIC = build_vietqr(bin="970418", account="12345678901234")


def test_caption_lines_say_bank_account_amount_and_dossier() -> None:
    assert [
        "VPBank · 0123456789",
        "Số tiền: 1.250.000 ₫",
        "Nội dung: HS2026000101 le phi",
    ] == caption_lines(DYNAMIC)
    assert ["BIDV · 12345678901234", "Số tiền: người nộp nhập"] == caption_lines(STATIC)


@pytest.mark.parametrize("payload", [DYNAMIC, STATIC])
def test_the_code_above_the_caption_is_the_uncaptioned_code_module_for_module(payload: str) -> None:
    width, height, rows = grey_pixels(png_bytes(payload, scale=4, caption=True))
    matrix = [[bool(m) for m in row] for row in qr_code(payload).matrix_iter(scale=4, border=4)]
    left = (width - len(matrix[0])) // 2
    for y, modules in enumerate(matrix):
        drawn = rows[y][left : left + len(modules)]
        assert bytes(0 if dark else 255 for dark in modules) == drawn, y
    # The quiet zone stays white across the whole width, and the caption is below it.
    assert all(set(rows[y]) == {255} for y in range(4 * 4))
    caption = rows[len(matrix) :]
    assert height > len(matrix)
    assert any(min(row) < 128 for row in caption), "no caption was drawn"


def test_custom_lines_and_no_caption() -> None:
    plain = png_bytes(DYNAMIC)
    assert plain == png_bytes(DYNAMIC, caption=False) == png_bytes(DYNAMIC, caption=[])
    one = grey_pixels(png_bytes(DYNAMIC, caption=["Hồ sơ HS2026000101"]))
    three = grey_pixels(png_bytes(DYNAMIC, caption=True))
    assert one[1] < three[1]  # one line is shorter than three


def test_a_long_caption_widens_the_image_and_centres_the_code() -> None:
    long = "Nội dung: " + "HS2026000101 " * 6
    width, _height, rows = grey_pixels(png_bytes(DYNAMIC, scale=2, caption=[long]))
    code = len(next(iter(qr_code(DYNAMIC).matrix_iter(scale=2, border=4))))
    assert width > code
    left = (width - code) // 2
    assert set(rows[0][:left]) == {255}


def test_render_png_writes_the_same_bytes_to_a_path(tmp_path: Path) -> None:
    render_png(DYNAMIC, tmp_path / "a.png", caption=True)
    render_png(DYNAMIC, str(tmp_path / "b.png"), caption=True)
    expected = png_bytes(DYNAMIC, caption=True)
    assert expected == (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) missing")
@pytest.mark.parametrize("payload", [DYNAMIC, STATIC])
def test_a_captioned_code_still_scans(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "qr.png"
    render_png(payload, path, caption=True)
    done = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
        ["zbarimg", "--quiet", "--raw", str(path)],  # noqa: S607
        capture_output=True,
        timeout=30,
        check=True,
    )
    assert payload == done.stdout.decode("utf-8").strip()
