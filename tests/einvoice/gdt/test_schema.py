"""The shipped schema: where it lives, what it accepts, and the public names of the package."""

from __future__ import annotations

from importlib import resources

import pytest

import connectors.einvoice.gdt as gdt
from connectors.core import ValidationError, parse_xml
from connectors.einvoice.gdt import (
    SCHEMA_FILE,
    build_hdon,
    document_from_model,
    serialize,
    validate_hdon,
)

from .samples import sample_invoice


def test_schema_ships_inside_the_package() -> None:
    shipped = resources.files("connectors.einvoice.gdt").joinpath("schema").joinpath(SCHEMA_FILE)
    assert shipped.is_file()
    assert b"http://" not in shipped.read_bytes().replace(
        b"http://www.w3.org/2001/XMLSchema", b""
    ).replace(b"http://www.w3.org/2000/09/xmldsig#", b"")


def _signed_slots(extra: str) -> str:
    text = serialize(build_hdon(document_from_model(sample_invoice(), number=3))).decode()
    return text.replace("</HDon>", f"<DSCKS>{extra}</DSCKS></HDon>")


def test_signature_slots_accept_only_xmldsig_content() -> None:
    ds = '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>'
    validate_hdon(parse_xml(_signed_slots(f"<NBan>{ds}</NBan><CQT>{ds}</CQT>")))
    with pytest.raises(ValidationError) as raised:
        validate_hdon(parse_xml(_signed_slots("<NBan><Signature/></NBan>")))
    assert "/HDon/DSCKS/NBan/Signature" == raised.value.field


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("<KHMSHDon>1</KHMSHDon>", "<KHMSHDon>0</KHMSHDon>", "/HDon/DLHDon/TTChung/KHMSHDon"),
        ("<TSuat>10%</TSuat>", "<TSuat>11%</TSuat>", "/HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[1]/TSuat"),
        ("<MST>0100109106</MST>", "<MST>01001</MST>", "/HDon/DLHDon/NDHDon/NBan/MST"),
        ("<SHDon>3</SHDon>", "<SHDon>123456789</SHDon>", "/HDon/DLHDon/TTChung/SHDon"),
        ("<TChat>1</TChat>", "<TChat>6</TChat>", "/HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[1]/TChat"),
    ],
)
def test_out_of_range_values_name_the_element(old: str, new: str, field: str) -> None:
    text = serialize(build_hdon(document_from_model(sample_invoice(), number=3))).decode()
    assert old in text
    with pytest.raises(ValidationError) as raised:
        validate_hdon(parse_xml(text.replace(old, new, 1)))
    assert field == raised.value.field


def test_public_names_are_importable() -> None:
    for name in gdt.__all__:
        assert getattr(gdt, name) is not None
    assert sorted(gdt.__all__) == sorted(set(gdt.__all__))
