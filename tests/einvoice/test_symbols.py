"""Template numbers and symbols (TT32 Art.5): spec vectors 5.3 and generator round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.einvoice import (
    SymbolKind,
    is_valid_invoice_symbol,
    is_valid_receipt_symbol,
    is_valid_receipt_template,
    is_valid_symbol,
    is_valid_template,
    make_receipt_symbol,
    make_symbol,
    split_symbol,
)
from connectors.einvoice.symbols import check_invoice_template_and_symbol

VALID = [
    "C25TAA",
    "K25TYY",
    "C25LBB",
    "K25DAA",
    "K25NAB",
    "K25BAB",
    "K25XAB",
    "C24MAA",
    "K24TUT",
    "C23TSA",
]
VALID_WITH_TEMPLATE = ["1C25TAA", "2C25TBB", "6K25NAB", "7K25XAB"]
INVALID = ["C25TA1", "A25TAA", "C2TAAA", "C25ZAA", "c25taa", "0C25TAA"]


@pytest.mark.parametrize("symbol", VALID + VALID_WITH_TEMPLATE)
def test_spec_valid_symbols(symbol: str) -> None:
    assert is_valid_symbol(symbol) is True


@pytest.mark.parametrize("symbol", [*INVALID, "", " C25TAA", "C25TAA ", "C25TAAA", "10C25TAA"])
def test_spec_invalid_symbols(symbol: str) -> None:
    assert is_valid_symbol(symbol) is False


def test_plain_symbol_check_refuses_the_template_digit() -> None:
    assert is_valid_invoice_symbol("C25TAA") is True
    assert is_valid_invoice_symbol("1C25TAA") is False


def test_non_strings_are_not_symbols() -> None:
    assert is_valid_symbol(None) is False  # type: ignore[arg-type]
    assert is_valid_template(1) is False  # type: ignore[arg-type]


def test_split_symbol() -> None:
    assert ("1", "C25TAA") == split_symbol("1C25TAA")
    assert (None, "K24TUT") == split_symbol("K24TUT")
    with pytest.raises(ValidationError) as raised:
        split_symbol("0C25TAA")
    assert "symbol" == raised.value.field


@pytest.mark.parametrize("template", [str(n) for n in range(1, 10)])
def test_templates_one_to_nine(template: str) -> None:
    assert is_valid_template(template) is True


@pytest.mark.parametrize("template", ["0", "10", "01", "", "1 ", "EBL01"])
def test_bad_templates(template: str) -> None:
    assert is_valid_template(template) is False


def test_receipt_templates_and_symbols() -> None:
    assert is_valid_receipt_template("EBL01")
    assert is_valid_receipt_template("EBL02")
    assert is_valid_receipt_template("01BLP0-001")  # TT303 transition (VNPT)
    assert not is_valid_receipt_template("01BLP0-001", legacy=False)
    assert not is_valid_receipt_template("EBL03")
    assert is_valid_receipt_symbol("25T")
    assert is_valid_receipt_symbol("AA-22E")
    assert is_valid_receipt_symbol("01AA-25P")
    assert not is_valid_receipt_symbol("AA-22E", legacy=False)
    assert not is_valid_receipt_symbol("25P")
    assert not is_valid_receipt_symbol("C25TAA")
    assert "25T" == make_receipt_symbol(2025)


def test_template_and_symbol_pair_rules() -> None:
    check_invoice_template_and_symbol("1", "C25TAA")
    check_invoice_template_and_symbol("6", "K25NAB")
    with pytest.raises(ValidationError) as raised:
        check_invoice_template_and_symbol("2", "1C25TAA")
    assert "symbol" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        check_invoice_template_and_symbol("1", "K25NAB")  # warehouse notes are template 6
    assert "symbol" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        check_invoice_template_and_symbol("0", "C25TAA")
    assert "template" == raised.value.field


def test_make_symbol_examples() -> None:
    assert "C25TAA" == make_symbol(coded=True, year=2025, suffix="AA")
    assert "1K25TYY" == make_symbol(coded=False, year=25, template="1")
    assert "6K25NAB" == make_symbol(
        coded=False, year=2025, kind=SymbolKind.INTERNAL_TRANSPORT, suffix="AB", template="6"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1999}, "year"),
        ({"year": 2025, "kind": "Z"}, "kind"),
        ({"year": 2025, "suffix": "A1"}, "suffix"),
        ({"year": 2025, "template": "0"}, "template"),
    ],
)
def test_make_symbol_refuses_bad_parts(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        make_symbol(coded=True, **kwargs)  # type: ignore[arg-type]
    assert field == raised.value.field


letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


@given(
    coded=st.booleans(),
    year=st.integers(2000, 2099),
    kind=st.sampled_from(list(SymbolKind)),
    suffix=letters,
    template=st.none() | st.sampled_from([str(n) for n in range(1, 10)]),
)
def test_every_generated_symbol_is_valid_and_splits_back(
    coded: bool, year: int, kind: SymbolKind, suffix: str, template: str | None
) -> None:
    symbol = make_symbol(coded=coded, year=year, kind=kind, suffix=suffix, template=template)
    assert is_valid_symbol(symbol)
    prefix, body = split_symbol(symbol)
    assert template == prefix
    assert ("C" if coded else "K") == body[0]
    assert f"{year % 100:02d}" == body[1:3]
    assert kind.value == body[3]
    assert suffix == body[4:]


@given(st.text(max_size=8))
def test_validator_accepts_exactly_what_the_generator_can_make(text: str) -> None:
    body = text[1:] if len(text) == 7 else text
    generatable = (
        len(body) == 6
        and (len(text) == 6 or text[0] in "123456789")
        and body[0] in "CK"
        and body[1:3].isascii()
        and body[1:3].isdigit()
        and body[3] in {k.value for k in SymbolKind}
        and all("A" <= c <= "Z" for c in body[4:])
    )
    assert generatable == is_valid_symbol(text)
