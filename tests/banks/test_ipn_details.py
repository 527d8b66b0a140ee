"""The IPN handler's details, for each gateway: what it hands the gateway to verify, the exact
log line of every refusal and failure (naming the gateway and the reason), the notification
it reports with every outcome, one seen-store shared by several gateways, and the clock its
own store records with."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    FeeGateway,
    HttpAnswer,
    PaymentNotification,
)
from connectors.banks.ipn import IpnHandler, IpnResult
from connectors.banks.vnpay import wire as vnpay_wire
from connectors.core.errors import SignatureError, ValidationError
from connectors.core.webhooks import MemorySeenStore, SqliteSeenStore
from tests.banks.gateways import VNPAY_SECRET
from tests.banks.signed import (
    GATEWAYS,
    NOW,
    PAYOS_REF,
    REF,
    momo_callback,
    payos_callback,
    vnpay_callback,
)

AMOUNT = 50_000
LOGGER = "connectors.banks.ipn"
PLAIN = (("Content-Type", "text/plain; charset=utf-8"),)

CALLBACKS: dict[str, Callable[[], CallbackRequest]] = {
    "vnpay": lambda: vnpay_callback(vnpay_wire.to_wire_amount(AMOUNT)),
    "momo": lambda: momo_callback(AMOUNT),
    "payos": lambda: payos_callback(AMOUNT),
}
REFS = {"vnpay": REF, "momo": REF, "payos": PAYOS_REF}


class Gateway:
    """A real gateway seen through the handler's eyes: records what it is asked to verify,
    and can fail to read a callback or lack answers, as a third-party gateway might."""

    def __init__(
        self,
        real: FeeGateway,
        *,
        error: Exception | None = None,
        no_answer: frozenset[CallbackOutcome] = frozenset(),
    ) -> None:
        self.real = real
        self.name = real.name
        self.error = error
        self.no_answer = no_answer
        self.asked: list[dict[str, Any]] = []

    def parse_notification(self, **given: Any) -> PaymentNotification:
        self.asked.append(given)
        if self.error is not None:
            raise self.error
        return self.real.parse_notification(**given)

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        if outcome in self.no_answer:
            raise KeyError(outcome)
        return self.real.callback_answer(outcome)


@dataclass
class Case:
    """One gateway's signed callback (paid at `NOW`), and a handler around it."""

    name: str
    gateway: FeeGateway
    callback: CallbackRequest
    ref: str

    def note(self) -> PaymentNotification:
        """The notification the gateway itself reads from the callback."""
        return self.gateway.parse_notification(
            method=self.callback.method,
            query=self.callback.query,
            body=self.callback.body,
            headers=self.callback.headers,
        )

    def handler(self, gateway: Any = None, **options: Any) -> IpnHandler:
        options.setdefault("expected_amount", {self.ref: AMOUNT}.get)
        options.setdefault("on_payment", lambda _n: None)
        options.setdefault("store", MemorySeenStore())
        options.setdefault("clock", lambda: NOW)
        return IpnHandler(gateway or self.gateway, **options)


@pytest.fixture(params=sorted(GATEWAYS))
def case(request: pytest.FixtureRequest) -> Case:
    name: str = request.param
    return Case(name, GATEWAYS[name](), CALLBACKS[name](), REFS[name])


def forged(request: CallbackRequest) -> CallbackRequest:
    """The callback with its signature replaced by zeros."""
    if request.query:
        return replace(request, query={**request.query, "vnp_SecureHash": "0" * 128})
    data = json.loads(request.body)
    data["signature"] = "0" * 64
    return replace(request, body=json.dumps(data).encode())


def ipn_records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(level, text) for logger, level, text in caplog.record_tuples if logger == LOGGER]


def answered(case: Case, outcome: CallbackOutcome) -> HttpAnswer:
    return case.gateway.callback_answer(outcome)


# -- what the gateway is given to verify ------------------------------------------------------


def test_the_gateway_verifies_the_callback_as_received_with_the_method_in_capitals(
    case: Case,
) -> None:
    gateway = Gateway(case.gateway)
    handler = case.handler(gateway)
    headers = {**case.callback.headers, "X-Request-Id": "req-1"}
    method = case.callback.method.lower()
    if case.callback.body:
        answer = handler.handle(method=method, headers=headers, body=case.callback.body)
    else:  # VNPay: a GET with the query only, and the default (empty) body
        answer = handler.handle(method=method, query=case.callback.query, headers=headers)
    handler.process(replace(case.callback, method=method))
    expected = {
        "method": case.callback.method,
        "query": dict(case.callback.query),
        "body": case.callback.body,
    }
    assert [{**expected, "headers": headers}, {**expected, "headers": case.callback.headers}] == [
        {**asked, "query": dict(asked["query"])} for asked in gateway.asked
    ]
    assert answered(case, CallbackOutcome.ACCEPTED) == answer


# -- each refusal and failure: its result and its one log line --------------------------------


def test_a_body_over_the_limit_is_refused_unparsed_and_logged(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = Gateway(case.gateway)
    reason = "the body is over the 10-byte limit"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler(gateway, max_body_bytes=10).process(
            CallbackRequest("POST", {}, {}, b"x" * 11)
        )
    assert (
        IpnResult(CallbackOutcome.MALFORMED, HttpAnswer(413, PLAIN, reason.encode()), None, reason)
        == result
    )
    assert [(logging.WARNING, f"{case.name} callback refused: {reason}")] == ipn_records(caplog)
    assert [] == gateway.asked


def test_a_bad_signature_is_logged_and_reported_with_the_gateways_reason(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    bad = forged(case.callback)
    with pytest.raises(SignatureError) as verified:
        case.gateway.parse_notification(
            method=bad.method, query=bad.query, body=bad.body, headers=bad.headers
        )
    reason = verified.value.message
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler().process(bad)
    invalid = CallbackOutcome.INVALID_SIGNATURE
    assert IpnResult(invalid, answered(case, invalid), None, reason) == result
    assert [(logging.WARNING, f"{case.name} callback refused: {reason}")] == ipn_records(caplog)


@pytest.mark.parametrize(
    ("error", "outcome", "line", "reason"),
    [
        (
            ValidationError("amount is not ASCII digits", field="amount"),
            CallbackOutcome.MALFORMED,
            "callback malformed: amount is not ASCII digits",
            "amount is not ASCII digits",
        ),
        (KeyError("orderId"), CallbackOutcome.ERROR, "callback unreadable: KeyError", "KeyError"),
    ],
    ids=["malformed", "unreadable"],
)
def test_a_callback_the_gateway_cannot_read_is_logged_with_the_reason(
    case: Case,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    outcome: CallbackOutcome,
    line: str,
    reason: str,
) -> None:
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler(Gateway(case.gateway, error=error)).process(case.callback)
    assert IpnResult(outcome, answered(case, outcome), None, reason) == result
    assert [(logging.WARNING, f"{case.name} {line}")] == ipn_records(caplog)


def test_a_stale_callback_keeps_its_notification_and_logs_its_age(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    note = case.note()
    calls: list[PaymentNotification] = []
    handler = case.handler(clock=lambda: NOW + 2 * 86_400, on_payment=calls.append)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = handler.process(case.callback)
    reason = f"callback for {case.ref} is 2 days, 0:00:00 old (limit 1 day, 0:00:00)"
    invalid = CallbackOutcome.INVALID_SIGNATURE
    assert IpnResult(invalid, answered(case, invalid), note, reason) == result
    assert [(logging.WARNING, f"{case.name} callback refused: {reason}")] == ipn_records(caplog)
    assert [] == calls


def raising(error: Exception) -> Callable[..., Any]:
    def fail(*_args: object) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    ("options", "reason", "line"),
    [
        (
            {"expected_amount": raising(LookupError("dossiers locked"))},
            "LookupError",
            "{name} expected_amount({ref}) failed",
        ),
        (
            {"expected_amount": lambda _r: 50_000.0},
            "expected amount not int",
            "{name} expected_amount({ref}) is not an int",
        ),
        (
            {"on_payment": raising(RuntimeError("database down"))},
            "RuntimeError",
            "{name} payment {ref} not handled; left for the retry",
        ),
    ],
    ids=["lookup fails", "amount not int", "portal fails"],
)
def test_a_failure_on_the_portals_side_keeps_the_notification_and_is_logged(
    case: Case,
    caplog: pytest.LogCaptureFixture,
    options: dict[str, Any],
    reason: str,
    line: str,
) -> None:
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler(**options).process(case.callback)
    error = CallbackOutcome.ERROR
    assert IpnResult(error, answered(case, error), case.note(), reason) == result
    assert [(logging.ERROR, line.format(name=case.name, ref=case.ref))] == ipn_records(caplog)


def test_a_rejection_and_a_failing_on_rejected_are_both_logged(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    def on_rejected(_n: PaymentNotification, _o: CallbackOutcome) -> None:
        raise RuntimeError("pager down")

    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler(expected_amount=lambda _r: 49_999, on_rejected=on_rejected).process(
            case.callback
        )
    mismatch = CallbackOutcome.AMOUNT_MISMATCH
    assert IpnResult(mismatch, answered(case, mismatch), case.note()) == result
    assert [
        (logging.WARNING, f"{case.name} callback for {case.ref}: amount_mismatch"),
        (logging.ERROR, f"{case.name} on_rejected failed"),
    ] == ipn_records(caplog)


def test_a_missing_answer_is_logged_and_the_last_resort_is_a_plain_500(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = Gateway(case.gateway, no_answer=frozenset(CallbackOutcome))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        result = case.handler(gateway).process(case.callback)
    assert (
        IpnResult(CallbackOutcome.ACCEPTED, HttpAnswer(500, PLAIN, b"error"), case.note()) == result
    )
    assert [
        (logging.ERROR, f"{case.name} has no answer for accepted"),
        (logging.ERROR, f"{case.name} has no answer for error"),
    ] == ipn_records(caplog)


def test_a_duplicate_reports_its_notification(case: Case) -> None:
    handler = case.handler()
    first, second = handler.process(case.callback), handler.process(case.callback)
    note = case.note()
    accepted, duplicate = CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE
    assert [
        IpnResult(accepted, answered(case, accepted), note),
        IpnResult(duplicate, answered(case, duplicate), note),
    ] == [first, second]


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "65536"])
def test_the_body_limit_is_refused_with_its_name(case: Case, limit: Any) -> None:
    with pytest.raises(ValueError) as caught:  # noqa: PT011 - the message is asserted
        case.handler(max_body_bytes=limit)
    assert "max_body_bytes must be a positive int" == str(caught.value)


# -- one seen-store for several gateways, and the handler's own store ------------------------


def test_two_gateways_sharing_a_store_each_hand_over_the_same_event_key() -> None:
    """A portal's VNPay and MoMo handlers on one seen-store: an event key VNPay has done
    (order ref, outcome, transaction id) says nothing about MoMo's event of the same key."""
    vnpay, momo = GATEWAYS["vnpay"](), GATEWAYS["momo"]()
    momo_paid = momo_callback(AMOUNT)
    params = {**vnpay_callback(vnpay_wire.to_wire_amount(AMOUNT)).query}
    params["vnp_TransactionNo"] = "4088878653"  # MoMo's transId for the same order ref
    del params["vnp_SecureHash"]
    params["vnp_SecureHash"] = vnpay_wire.sign(VNPAY_SECRET, vnpay_wire.signing_string(params))
    vnpay_paid = CallbackRequest("GET", params)
    store = SqliteSeenStore()
    received: list[tuple[str, str]] = []

    def handler(gateway: FeeGateway) -> IpnHandler:
        return IpnHandler(
            gateway,
            expected_amount={REF: AMOUNT}.get,
            on_payment=lambda n: received.append((n.gateway, n.event_key)),
            store=store,
            clock=lambda: NOW,
        )

    outcomes = [
        handler(vnpay).process(vnpay_paid).outcome,
        handler(momo).process(momo_paid).outcome,
        handler(momo).process(momo_paid).outcome,
    ]
    key = f"{REF}:paid:4088878653"
    accepted, duplicate = CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE
    assert [accepted, accepted, duplicate] == outcomes
    assert [("vnpay", key), ("momo", key)] == received
    assert (True, True, False) == (
        store.seen(key, namespace="vnpay"),
        store.seen(key, namespace="momo"),
        store.seen(key),
    )


def test_the_store_a_handler_opens_records_with_the_handlers_clock(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "seen.db"
    with case.handler(store=path) as handler:
        assert CallbackOutcome.ACCEPTED == handler.process(case.callback).outcome
    with SqliteSeenStore(path) as store:
        kept_before_now = store.purge(before=NOW)
        forgotten_after_now = store.purge(before=NOW + 1)
    assert (0, 1) == (kept_before_now, forgotten_after_now)


def test_the_age_limit_is_the_handlers_max_age(case: Case) -> None:
    handler = case.handler(max_age=timedelta(minutes=50), clock=lambda: NOW + 50 * 60 + 1)
    result = handler.process(case.callback)
    assert (CallbackOutcome.INVALID_SIGNATURE, case.note()) == (
        result.outcome,
        result.notification,
    )
    assert f"callback for {case.ref} is 0:50:01 old (limit 0:50:00)" == result.error
