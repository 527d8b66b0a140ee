"""EMVCo TLV: two-digit tag, two-digit length, value; lengths count characters.

Used at the top level of the payload and inside the nested templates (tags 38 and 62).
"""

from __future__ import annotations

from collections.abc import Iterable

from connectors.banks.vietqr.errors import InvalidQRPayload

__all__ = ["encode_tlv", "encode_tlvs", "parse_tlvs"]

_MAX_VALUE = 99


def encode_tlv(tag: str, value: str) -> str:
    """One element: `tag` + two-digit length + `value` (1-99 characters)."""
    if len(tag) != 2 or not tag.isdigit():
        raise InvalidQRPayload(f"tag {tag!r} is not two digits", field="tag")
    if not 1 <= len(value) <= _MAX_VALUE:
        raise InvalidQRPayload(
            f"tag {tag} value must be 1-{_MAX_VALUE} characters, got {len(value)}",
            field=f"tag {tag}",
        )
    return f"{tag}{len(value):02d}{value}"


def encode_tlvs(elements: Iterable[tuple[str, str | None]]) -> str:
    """Elements in the order given; those whose value is None are left out."""
    return "".join(encode_tlv(tag, value) for tag, value in elements if value is not None)


def parse_tlvs(text: str, *, where: str = "payload") -> list[tuple[str, str]]:
    """Split `text` into (tag, value) pairs, in order.

    Raises `InvalidQRPayload` naming `where` when a tag or length is not two digits, a
    length is zero, or a value runs past the end of `text`.
    """
    items: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        header = text[pos : pos + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise InvalidQRPayload(
                f"{where}: bad tag/length header {header!r} at position {pos}", field=where
            )
        tag, length = header[:2], int(header[2:])
        if length == 0:
            raise InvalidQRPayload(f"{where}: tag {tag} has length 00", field=where)
        end = pos + 4 + length
        if end > len(text):
            raise InvalidQRPayload(
                f"{where}: tag {tag} declares {length} characters but only "
                f"{len(text) - pos - 4} remain",
                field=where,
            )
        items.append((tag, text[pos + 4 : end]))
        pos = end
    return items
