"""VietQR properties: build -> parse round-trips; any single-character corruption is caught."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.banks.vietqr import (
    BANKS,
    InvalidQRPayload,
    build_vietqr,
    format_crc,
    parse_vietqr,
    transfer_purpose,
)

PURPOSE_CHARS = string.ascii_letters + string.digits + "._-"

bins = st.one_of(st.sampled_from(sorted(BANKS)), st.from_regex(r"\A[0-9]{6}\Z"))
accounts = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=19)
amounts = st.one_of(st.none(), st.integers(min_value=1, max_value=10**13 - 1))
purposes = st.one_of(
    st.none(),
    st.lists(st.text(alphabet=PURPOSE_CHARS, min_size=1, max_size=8), min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda p: len(p) <= 25),
)
services = st.sampled_from(["QRIBFTTA", "QRIBFTTC", "QRPUSH", "QRCASH"])


@given(bin_=bins, account=accounts, amount=amounts, purpose=purposes, service=services)
def test_build_then_parse_round_trips(
    bin_: str, account: str, amount: int | None, purpose: str | None, service: str
) -> None:
    payload = build_vietqr(
        bin=bin_, account=account, amount=amount, purpose=purpose, service=service
    )
    parsed = parse_vietqr(payload)
    assert (bin_, account, amount, purpose, service) == (
        parsed.bin,
        parsed.account,
        parsed.amount,
        parsed.purpose,
        parsed.service,
    )
    assert (amount is not None) == parsed.dynamic
    assert payload == parsed.payload
    assert payload.endswith("6304" + format_crc(payload[:-4]))
    assert payload.isascii()


@given(
    bin_=bins,
    account=accounts,
    amount=amounts,
    purpose=purposes,
    data=st.data(),
)
def test_any_single_character_corruption_is_rejected(
    bin_: str, account: str, amount: int | None, purpose: str | None, data: st.DataObject
) -> None:
    payload = build_vietqr(bin=bin_, account=account, amount=amount, purpose=purpose)
    index = data.draw(st.integers(min_value=0, max_value=len(payload) - 1), label="index")
    replacement = data.draw(
        st.sampled_from(string.printable.strip()).filter(lambda c: c != payload[index]),
        label="replacement",
    )
    corrupted = payload[:index] + replacement + payload[index + 1 :]
    with pytest.raises(InvalidQRPayload):
        parse_vietqr(corrupted)


@given(bin_=bins, account=accounts, amount=amounts, data=st.data())
def test_dropping_or_doubling_a_character_is_rejected(
    bin_: str, account: str, amount: int | None, data: st.DataObject
) -> None:
    payload = build_vietqr(bin=bin_, account=account, amount=amount)
    index = data.draw(st.integers(min_value=0, max_value=len(payload) - 1), label="index")
    dropped = payload[:index] + payload[index + 1 :]
    doubled = payload[:index] + payload[index] + payload[index:]
    for broken in (dropped, doubled):
        with pytest.raises(InvalidQRPayload):
            parse_vietqr(broken)


@given(
    code=st.text(
        alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=25
    ).filter(lambda c: c.strip("-") == c),
    note=st.one_of(st.none(), st.text(max_size=60)),
)
def test_transfer_purpose_keeps_the_code_first_and_fits(code: str, note: str | None) -> None:
    purpose = transfer_purpose(code, note)
    assert purpose.startswith(code)
    assert len(purpose) <= 25
    payload = build_vietqr(bin="970432", account="0123456789", amount=1, purpose=purpose)
    assert purpose == parse_vietqr(payload).purpose
