"""Read back the text of a PDF that `connectors.testing.pdf` wrote, through its ToUnicode maps.

Independent of the writer's code: it parses the file (objects, Flate streams, the page's font
resources, each font's ``ToUnicode`` CMap) and decodes the content stream's ``Tj`` strings
as a viewer copying the text would. Lines are the text drawn on one baseline, top first.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj\n", re.S)
_STREAM = re.compile(rb"<<(.*?)>>\nstream\n(.*)\nendstream", re.S)
_BFCHAR = re.compile(r"<([0-9A-F]{4})> <([0-9A-F]+)>")
_SHOW = re.compile(rb"/(\w+) [\d.]+ Tf ([\d.-]+) ([\d.-]+) Td <([0-9A-F]*)> Tj")


def objects(pdf: bytes) -> dict[int, bytes]:
    """Every object's body by number."""
    return {int(number): body for number, body in _OBJECT.findall(pdf)}


def stream(body: bytes) -> bytes:
    """The decoded data of a stream object (Flate or none); its /Length checked."""
    found = _STREAM.match(body)
    assert found is not None, body[:80]
    header, data = found.groups()
    length = int(re.search(rb"/Length (\d+)", header).group(1))  # type: ignore[union-attr]
    assert length == len(data)
    return zlib.decompress(data) if b"/FlateDecode" in header else data


def _ref(body: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb" (\d+) 0 R", body).group(1))  # type: ignore[union-attr]


def to_unicode(body: bytes) -> dict[int, str]:
    """A ToUnicode CMap stream as glyph id -> text."""
    cmap = stream(body).decode("ascii")
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in _BFCHAR.findall(cmap)
    }


def text_lines(pdf: bytes) -> list[str]:
    """The page's text, one string per baseline, from the top."""
    objs = objects(pdf)
    page = next(body for body in objs.values() if b"/Type /Page " in body)
    fonts = dict(re.findall(rb"/(F\d+) (\d+) 0 R", re.search(rb"/Font << (.*?) >>", page).group(1)))  # type: ignore[union-attr]
    maps = {
        name.decode(): to_unicode(objs[_ref(objs[int(obj)], b"ToUnicode")])
        for name, obj in fonts.items()
    }
    rows: dict[float, list[tuple[float, str]]] = {}
    for font, x, y, hexes in _SHOW.findall(stream(objs[_ref(page, b"Contents")])):
        codes = [int(hexes[i : i + 4], 16) for i in range(0, len(hexes), 4)]
        text = "".join(maps[font.decode()].get(code, "\ufffd") for code in codes)
        rows.setdefault(float(y), []).append((float(x), text))
    return [" ".join(t for _x, t in sorted(rows[y])) for y in sorted(rows, reverse=True)]
