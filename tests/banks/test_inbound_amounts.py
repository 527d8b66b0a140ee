"""Signed but odd amounts: every gateway's callback amount is ASCII digits (or a JSON integer),
exact and bounded; anything else is refused with the gateway's answer for bad data, no
portal call, no state, and `process()` never raises."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.banks.base import CallbackOutcome, CallbackRequest, PaymentNotification
from connectors.banks.ipn import IpnHandler
from connectors.banks.momo import wire as momo_wire
from connectors.core.webhooks import MemorySeenStore
from tests.banks.gateways import MOMO_ACCESS, MOMO_SECRET
from tests.banks.signed import (
    GATEWAYS,
    NOW,
    momo_callback,
    payos_callback,
    vnpay_callback,
)


class Outcome:
    """One callback through a fresh handler: the result, what the portal saw, the store."""

    def __init__(self, gateway: str, callback: CallbackRequest, expected: int) -> None:
        self.client = GATEWAYS[gateway]()
        self.calls: list[PaymentNotification] = []
        self.store = MemorySeenStore()
        handler = IpnHandler(
            self.client,
            expected_amount=lambda _r: expected,
            on_payment=self.calls.append,
            store=self.store,
            clock=lambda: NOW,
        )
        self.result = handler.process(callback)

    def refused_as(self, outcome: CallbackOutcome) -> bool:
        assert (outcome, [], 0) == (self.result.outcome, self.calls, len(self.store))
        assert self.client.callback_answer(outcome) == self.result.answer
        return True


ODD_TEXTS = [
    "５００００",
    "²",
    "1e30",
    "9007199254740993.0",
    "50000.0",
    "+50000",
    "-50000",
    " 50000",
    "50 000",
    "50,000",
    "0x10",
    "1" * 16,
    "1" * 5000,
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_vnpay_refuses_an_odd_signed_amount_with_99(text: str) -> None:
    outcome = Outcome("vnpay", vnpay_callback(text), expected=50_000)
    assert outcome.refused_as(CallbackOutcome.MALFORMED)
    assert b'{"RspCode":"99","Message":"Input data required"}' == outcome.result.answer.body


@pytest.mark.parametrize(
    "amount", [*ODD_TEXTS, 50000.0, 1e30, True, False, None, -50000, 10**15, [50000], {"a": 1}]
)
@pytest.mark.parametrize("gateway", ["momo", "payos"])
def test_json_gateways_refuse_an_odd_signed_amount_as_bad_data(
    gateway: str, amount: object
) -> None:
    callback = momo_callback(amount) if gateway == "momo" else payos_callback(amount)
    outcome = Outcome(gateway, callback, expected=50_000)
    assert outcome.refused_as(CallbackOutcome.MALFORMED)
    assert 400 == outcome.result.answer.status


def test_momo_no_longer_reads_full_width_digits_as_50000() -> None:
    outcome = Outcome("momo", momo_callback("５００００"), expected=50_000)
    assert CallbackOutcome.MALFORMED == outcome.result.outcome
    assert outcome.result.error is not None
    assert "amount" in outcome.result.error


@pytest.mark.parametrize("gateway", ["momo", "payos"])
def test_payos_takes_only_json_integers_momo_also_digit_text(gateway: str) -> None:
    callback = momo_callback("50000") if gateway == "momo" else payos_callback("50000")
    outcome = Outcome(gateway, callback, expected=50_000)
    expected = CallbackOutcome.ACCEPTED if gateway == "momo" else CallbackOutcome.MALFORMED
    assert expected == outcome.result.outcome


@pytest.mark.parametrize("gateway", ["momo", "payos"])
def test_a_5000_digit_json_integer_is_refused_not_raised(gateway: str) -> None:
    huge = "9" * 5000
    if gateway == "momo":
        callback = momo_callback(0, raw_amount=huge)
    else:
        body = payos_callback(0).body.replace(b'"amount": 0,', f'"amount": {huge},'.encode())
        callback = CallbackRequest("POST", {}, {}, body)
    assert huge.encode() in callback.body
    outcome = Outcome(gateway, callback, expected=50_000)
    assert outcome.refused_as(CallbackOutcome.INVALID_SIGNATURE)  # unreadable: not verified


@pytest.mark.parametrize("gateway", ["momo", "payos"])
def test_deeply_nested_json_is_refused_not_raised(gateway: str) -> None:
    callback = CallbackRequest("POST", {}, {}, b"[" * 30_000 + b"]" * 30_000)
    assert Outcome(gateway, callback, expected=50_000).refused_as(CallbackOutcome.INVALID_SIGNATURE)


@pytest.mark.parametrize("code", [0, -1, 2**53, "1735787700001", 1.5, True, None])
def test_payos_order_code_must_be_a_positive_integer_payos_could_make(code: object) -> None:
    outcome = Outcome("payos", payos_callback(50_000, order_code=code), expected=50_000)
    assert outcome.refused_as(CallbackOutcome.MALFORMED)


@pytest.mark.parametrize(
    "stamp", ["1735787700000.0", "１７３５７８７７００００", -1, 10**16, 1.7e12]
)
def test_momo_response_time_must_be_epoch_milliseconds(stamp: object) -> None:
    callback = momo_callback(50_000)
    data = json.loads(callback.body)
    data["responseTime"] = stamp
    data["signature"] = momo_wire.sign(
        MOMO_SECRET, momo_wire.raw_signature(data, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    )
    odd = CallbackRequest("POST", {}, {}, json.dumps(data).encode())
    assert Outcome("momo", odd, expected=50_000).refused_as(CallbackOutcome.MALFORMED)


@pytest.mark.parametrize("code", ["０", "00", " 0"])
def test_momo_result_code_in_other_digits_is_not_success(code: str) -> None:
    callback = momo_callback(50_000)
    data = json.loads(callback.body)
    data["resultCode"] = code
    data["signature"] = momo_wire.sign(
        MOMO_SECRET, momo_wire.raw_signature(data, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    )
    note = GATEWAYS["momo"]().verify_ipn(json.dumps(data).encode())
    expected = "paid" if code == "00" else "failed"  # "00" is ASCII digits: result code 0
    assert expected == note.status.value


def test_momo_without_an_order_id_is_malformed() -> None:
    callback = momo_callback(50_000)
    data = json.loads(callback.body)
    data["orderId"] = ""
    data["signature"] = momo_wire.sign(
        MOMO_SECRET, momo_wire.raw_signature(data, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    )
    odd = CallbackRequest("POST", {}, {}, json.dumps(data).encode())
    outcome = Outcome("momo", odd, expected=50_000)
    assert outcome.refused_as(CallbackOutcome.MALFORMED)
    assert "orderId is missing" == outcome.result.error


_DIGITS = re.compile(r"\A[0-9]{1,15}\Z")
_FAST = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(st.text(max_size=20).filter(lambda t: not _DIGITS.match(t)))
def test_any_vnpay_amount_that_is_not_ascii_digits_is_refused(text: str) -> None:
    assert Outcome("vnpay", vnpay_callback(text), expected=50_000).refused_as(
        CallbackOutcome.MALFORMED
    )


@_FAST
@given(
    st.one_of(
        st.text(max_size=20).filter(lambda t: not _DIGITS.match(t)),
        st.floats(allow_nan=False),
        st.booleans(),
        st.integers(max_value=-1),
        st.integers(min_value=10**15, max_value=10**40),
        st.none(),
    )
)
def test_any_odd_momo_amount_is_refused(amount: object) -> None:
    assert Outcome("momo", momo_callback(amount), expected=50_000).refused_as(
        CallbackOutcome.MALFORMED
    )


@_FAST
@given(st.integers(min_value=1, max_value=10**13 - 1))
def test_any_vnpay_amount_in_range_round_trips(amount: int) -> None:
    outcome = Outcome("vnpay", vnpay_callback(str(amount * 100)), expected=amount)
    assert CallbackOutcome.ACCEPTED == outcome.result.outcome
    assert [amount] == [note.amount for note in outcome.calls]


@_FAST
@given(st.integers(min_value=1, max_value=10**15 - 1), st.sampled_from(["momo", "payos"]))
def test_any_json_amount_in_range_round_trips(amount: int, gateway: str) -> None:
    callback = momo_callback(amount) if gateway == "momo" else payos_callback(amount)
    outcome = Outcome(gateway, callback, expected=amount)
    assert CallbackOutcome.ACCEPTED == outcome.result.outcome
    assert [amount] == [note.amount for note in outcome.calls]
