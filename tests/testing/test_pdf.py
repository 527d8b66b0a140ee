"""The simulators' one-page PDF: well formed (xref offsets right), text escaped, unaccented."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from connectors.testing.pdf import text_pdf


def test_xref_offsets_point_at_their_objects() -> None:
    pdf = text_pdf("BIÊN LAI", ["Tổng tiền: 15.000 đồng", "Mã (tra cứu) \\ x"])
    start = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:].startswith(b"xref\n0 7\n")
    offsets = [int(x) for x in re.findall(rb"(\d{10}) 00000 n", pdf[start:])]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    assert b"(BIEN LAI)" in pdf
    assert b"(Ma \\(tra cuu\\) \\\\ x)" in pdf


@given(st.lists(st.text(max_size=60), max_size=8))
def test_any_text_gives_a_parsable_structure(lines: list[str]) -> None:
    pdf = text_pdf("T", lines)
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.endswith(b"%%EOF\n")
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))  # type: ignore[union-attr]
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert length == len(stream)
