"""The greyscale image behind VietQR captions: glyph outlines filled where the font puts them."""

from __future__ import annotations

from connectors.core.raster import GreyImage
from connectors.core.truetype import shipped_font
from tests.png import grey_pixels


def _ink(image: GreyImage) -> list[tuple[int, int]]:
    return [
        (i % image.width, i // image.width) for i, value in enumerate(image.pixels) if value < 128
    ]


def test_text_is_drawn_inside_its_advance_and_above_its_baseline() -> None:
    image = GreyImage(200, 60)
    image.text(10, 40, "Một", size=20)
    ink = _ink(image)
    width = shipped_font().width("Một", 20)
    assert ink
    assert 10 <= min(x for x, _ in ink)
    assert max(x for x, _ in ink) <= 10 + width
    assert max(y for _, y in ink) <= 40 + 20 * 0.25  # descent of "ộ"'s dot below
    assert min(y for _, y in ink) >= 40 - 20 * 1.2  # its circumflex and dot above


def test_a_composite_glyph_brings_its_marks() -> None:
    """ "ộ" is "o" with a circumflex and a dot below: more ink than "o" alone, above and below."""
    font = shipped_font()
    assert len(font.outline(font.glyph("ộ"))) > len(font.outline(font.glyph("o")))
    plain, marked = GreyImage(40, 40), GreyImage(40, 40)
    plain.text(5, 28, "o", size=20)
    marked.text(5, 28, "ộ", size=20)
    plain_rows = {y for _, y in _ink(plain)}
    marked_rows = {y for _, y in _ink(marked)}
    assert min(marked_rows) < min(plain_rows)
    assert max(marked_rows) > max(plain_rows)


def test_alignment_and_the_png() -> None:
    image = GreyImage(120, 30)
    image.text(60, 20, "ĐỒNG", size=14, bold=True, align="center")
    xs = [x for x, _ in _ink(image)]
    assert abs((min(xs) + max(xs)) / 2 - 60) <= 2
    image.fill(0, 0, 3, 3, 0)
    image.paste([[True, False], [False, True]], 10, 0)
    width, height, rows = grey_pixels(image.png())
    assert (120, 30) == (width, height)
    assert (0, 0, 255) == (rows[0][0], rows[2][2], rows[0][11])
    assert (0, 255, 0) == (rows[0][10], rows[1][10], rows[1][11])
