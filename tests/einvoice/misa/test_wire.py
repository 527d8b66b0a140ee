"""MISA's wire format and the per-series lock, without a network."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

import pytest

import connectors.einvoice.bkav as bkav_package
import connectors.einvoice.misa as misa_package
from connectors.einvoice import Buyer, Invoice, Line, LineKind, ResultCode, Seller
from connectors.einvoice.misa import MISA_CODES, SeriesLocks, WireProfile
from connectors.einvoice.misa.wire import (
    OriginalInvoice,
    decode_result_list,
    encode_result_list,
    invoice_payload,
    result_code_of,
)
from connectors.vn import VN_TZ


def test_the_lock_serialises_one_series_and_not_two() -> None:
    locks = SeriesLocks()
    inside: list[str] = []
    overlap: list[bool] = []
    guard = threading.Lock()

    def work(series: str) -> None:
        with locks.hold(series):
            with guard:
                overlap.append(series in inside)
                inside.append(series)
            time.sleep(0.01)
            with guard:
                inside.remove(series)

    threads = [threading.Thread(target=work, args=(s,)) for s in ["A", "A", "A", "B"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [False, False, False, False] == overlap


def test_spacing_waits_between_writes_on_one_series() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    locks = SeriesLocks(spacing=3.0, clock=lambda: now[0], sleep=sleep)
    with locks.hold("A"):
        pass
    now[0] += 1.0
    with locks.hold("A"):
        pass
    with locks.hold("B"):
        pass
    assert [2.0] == waits
    with pytest.raises(ValueError, match="spacing"):
        SeriesLocks(spacing=-1)


def test_hold_all_takes_each_series_once() -> None:
    locks = SeriesLocks()
    with locks.hold_all(["B", "A", "B"]):
        assert locks._lock("A").locked()
        assert locks._lock("B").locked()
    assert not locks._lock("A").locked()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('[{"RefID": "a"}]', [{"RefID": "a"}]),
        ([{"RefID": "a"}, "junk"], [{"RefID": "a"}]),
        ({"RefID": "a"}, [{"RefID": "a"}]),
        ("not json", []),
        (None, []),
        ("", []),
        (42, []),
    ],
)
def test_result_lists_in_every_shape(value: object, expected: list[dict[str, str]]) -> None:
    assert expected == decode_result_list(value)


def test_result_lists_are_encoded_as_the_profile_says() -> None:
    rows = [{"RefID": "a"}]
    assert json.dumps(rows) == encode_result_list(rows, WireProfile())
    assert rows == encode_result_list(rows, WireProfile(results_as_json_string=False))


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("TokenExpiredCode", ResultCode.AUTH),
        ("DuplicateRefID", ResultCode.DUPLICATE),
        ("InvoiceNumberNotCotinuous", ResultCode.TEMPORARY),
        ("CertRevocation", ResultCode.CERTIFICATE),
        ("XMLTooLong", ResultCode.INVALID_DATA),
        ("SomethingNew", ResultCode.INVALID_DATA),
    ],
)
def test_codes_map_to_the_shared_vocabulary(code: str, meaning: ResultCode) -> None:
    assert meaning == result_code_of(code)


def test_every_code_has_a_meaning() -> None:
    assert all(entry.meaning for entry in MISA_CODES.values())


def test_payload_of_an_adjustment_with_other_rate_and_discount_line() -> None:
    doc = Invoice(
        seller=Seller(name="Đơn vị Thử", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(legal_name="Công ty Mẫu", tax_code="0100109106"),
        template="1",
        symbol="1C25TAA",
        issued_at=datetime(2025, 6, 1, tzinfo=VN_TZ),
        lines=[
            Line(name="Dịch vụ", quantity="2.5", unit_price=1_000, tax_rate="KHAC:3.50%"),
            Line(name="Chiết khấu", unit_price=500, tax_rate="KHAC:3.50%", kind=LineKind.DISCOUNT),
            Line(name="Ghi chú", tax_rate="KCT", kind=LineKind.NOTE),
        ],
    )
    original = OriginalInvoice(2, "1", "C25TAA", "7", "2025-05-30", "Điều chỉnh giảm")
    payload = invoice_payload(doc, ref_id="ref-1", issue_date="2025-06-01", original=original)
    assert "C25TAA" == payload["InvSeries"]
    assert (2, 1, "7", "2025-05-30") == (
        payload["ReferenceType"],
        payload["OrgInvoiceType"],
        payload["OrgInvNo"],
        payload["OrgInvDate"],
    )
    items = payload["OriginalInvoiceDetail"]
    assert ("2.5", 2500, "KHAC:3.50%", 88) == (
        items[0]["Quantity"],
        items[0]["AmountOC"],
        items[0]["VATRateName"],
        items[0]["VATAmountOC"],
    )
    assert (3, 500) == (items[1]["ItemType"], items[1]["AmountOC"])
    assert {"ItemType": 4, "SortOrder": 3, "LineNumber": 3, "ItemName": "Ghi chú"} == items[2]
    assert [{"VATRateName": "KHAC:3.50%", "AmountWithoutVATOC": 2000, "VATAmountOC": 70}] == (
        payload["TaxRateInfo"]
    )


def test_public_names() -> None:
    for package in (misa_package, bkav_package):
        for name in package.__all__:
            assert getattr(package, name) is not None
