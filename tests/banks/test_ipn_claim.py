"""The IPN handler claims an event only after the portal's code returned (doctrine 11), and
every branch of its dispatch answers what the gateway expects, changing nothing else."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.banks import ipn
from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    FeeGateway,
    PaymentNotification,
    PaymentRequest,
)
from connectors.banks.ipn import IpnHandler
from connectors.core.errors import ValidationError
from connectors.core.webhooks import MemorySeenStore, SqliteSeenStore
from connectors.testing.conformance.banks import BanksHarness
from tests.banks.gateways import GATEWAYS, harness_for


@pytest.fixture(params=GATEWAYS)
def h(request: pytest.FixtureRequest) -> Iterator[BanksHarness]:
    with harness_for(request.param, "in-process") as harness:
        yield harness


def paid(h: BanksHarness, amount: int | None = None) -> tuple[str, CallbackRequest]:
    """A fresh order paid at the simulated gateway: its ref and the signed callback."""
    request = PaymentRequest(
        dossier_code="HS-2025-000901",
        amount=h.amount,
        description="Le phi HS-2025-000901",
        return_url="https://dvc.example.vn/pay/return",
        notify_url="https://dvc.example.vn/pay/ipn",
        order_ref=h.order_refs(),
    )
    intent = h.gateway.create_payment(request)
    h.open_payment(intent)
    return intent.order_ref, h.simulator.pay(intent.order_ref, amount=amount)


class Portal:
    """The portal's side: expected amounts, and every call of its payment code."""

    def __init__(self, expected: Mapping[str, object], fail_with: list[BaseException]) -> None:
        self.expected = dict(expected)
        self.fail_with = list(fail_with)
        self.calls: list[str] = []
        self.recorded: list[PaymentNotification] = []

    def expected_amount(self, ref: str) -> Any:
        return self.expected.get(ref)

    def on_payment(self, note: PaymentNotification) -> None:
        self.calls.append(note.event_key)
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.recorded.append(note)


def handler_for(h: BanksHarness, portal: Portal, **options: Any) -> IpnHandler:
    options.setdefault("store", MemorySeenStore())
    return IpnHandler(
        h.gateway, expected_amount=portal.expected_amount, on_payment=portal.on_payment, **options
    )


@pytest.mark.parametrize(
    "error", [RuntimeError("db down"), SystemExit(3), KeyboardInterrupt()], ids=type
)
def test_the_delivery_after_an_interrupted_portal_reaches_it_again(
    h: BanksHarness, error: BaseException
) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[error])
    store = MemorySeenStore()
    handler = handler_for(h, portal, store=store)

    if isinstance(error, Exception):
        failed = handler.process(callback)
        assert (CallbackOutcome.ERROR, "RuntimeError") == (failed.outcome, failed.error)
        assert h.gateway.callback_answer(CallbackOutcome.ERROR) == failed.answer
    else:
        with pytest.raises(type(error)):
            handler.process(callback)
    assert 0 == len(store)  # nothing claimed

    redelivered = handler.process(callback)
    duplicate = handler.process(callback)

    assert CallbackOutcome.ACCEPTED == redelivered.outcome
    assert h.gateway.callback_answer(CallbackOutcome.ACCEPTED) == redelivered.answer
    assert CallbackOutcome.DUPLICATE == duplicate.outcome
    assert h.gateway.callback_answer(CallbackOutcome.DUPLICATE) == duplicate.answer
    key = redelivered.notification.event_key if redelivered.notification else ""
    assert [key, key] == portal.calls  # the failed call, the redelivery; not the duplicate
    assert [ref] == [n.order_ref for n in portal.recorded]
    assert 1 == len(store)


def test_after_a_restart_a_duplicate_still_never_reaches_the_portal(
    h: BanksHarness, tmp_path: Path
) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[])
    for expected in (CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE):
        with handler_for(h, portal, store=tmp_path / "seen.db") as handler:
            assert expected == handler.process(callback).outcome
    assert 1 == len(portal.calls)


class BrokenGateway:
    """The real gateway, except that reading a callback raises `error`."""

    def __init__(self, real: FeeGateway, error: Exception) -> None:
        self.real = real
        self.error = error
        self.name = real.name

    def parse_notification(self, **_kw: Any) -> PaymentNotification:
        raise self.error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (RuntimeError("bug"), CallbackOutcome.ERROR),
        (KeyError("vnp_TxnRef"), CallbackOutcome.ERROR),
        (RecursionError("deep JSON"), CallbackOutcome.ERROR),
        (ValueError("not JSON"), CallbackOutcome.ERROR),
        (ValidationError("amount is not digits", field="amount"), CallbackOutcome.MALFORMED),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_a_gateway_failing_otherwise_than_by_signature_changes_nothing(
    h: BanksHarness, error: Exception, outcome: CallbackOutcome
) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[])
    store = MemorySeenStore()
    handler = IpnHandler(
        BrokenGateway(h.gateway, error),  # type: ignore[arg-type]
        expected_amount=portal.expected_amount,
        on_payment=portal.on_payment,
        store=store,
    )

    result = handler.process(callback)

    assert (outcome, None) == (result.outcome, result.notification)
    assert h.gateway.callback_answer(outcome) == result.answer
    expected_error = error.message if isinstance(error, ValidationError) else type(error).__name__
    assert expected_error == result.error
    assert ([], 0) == (portal.calls, len(store))


def test_the_gateways_answer_for_malformed_data() -> None:
    answers = {}
    for gateway in GATEWAYS:
        with harness_for(gateway, "in-process") as h:
            answer = h.gateway.callback_answer(CallbackOutcome.MALFORMED)
            answers[gateway] = (answer.status, answer.body)
    assert {
        "vnpay": (200, b'{"RspCode":"99","Message":"Input data required"}'),
        "momo": (400, b""),
        "payos": (400, b'{"success":false,"error":"data"}'),
    } == answers


class AnswerlessGateway(BrokenGateway):
    """A third-party gateway whose answer table lacks some outcomes."""

    def __init__(self, real: FeeGateway, missing: set[CallbackOutcome]) -> None:
        super().__init__(real, RuntimeError())
        self.missing = missing

    def parse_notification(self, **kw: Any) -> PaymentNotification:
        return self.real.parse_notification(**kw)

    def callback_answer(self, outcome: CallbackOutcome) -> Any:
        if outcome in self.missing:
            raise KeyError(outcome)
        return self.real.callback_answer(outcome)


def test_an_outcome_without_an_answer_falls_back_to_the_error_answer(h: BanksHarness) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[])
    gateway = AnswerlessGateway(h.gateway, {CallbackOutcome.ACCEPTED})
    handler = IpnHandler(
        gateway,  # type: ignore[arg-type]
        expected_amount=portal.expected_amount,
        on_payment=portal.on_payment,
    )
    result = handler.process(callback)
    assert CallbackOutcome.ACCEPTED == result.outcome  # the payment was taken...
    assert h.gateway.callback_answer(CallbackOutcome.ERROR) == result.answer  # ...answer: retry

    gateway.missing = set(CallbackOutcome)
    fallback = handler.process(callback)
    assert (CallbackOutcome.DUPLICATE, 500, b"error") == (
        fallback.outcome,
        fallback.answer.status,
        fallback.answer.body,
    )


# -- the order of the checks, each answered and changing nothing ---------------------------


def test_an_unknown_order_is_reported_and_not_paid(h: BanksHarness) -> None:
    _ref, callback = paid(h)
    portal = Portal({}, fail_with=[])
    rejected: list[tuple[str, CallbackOutcome]] = []
    store = MemorySeenStore()
    handler = handler_for(
        h, portal, store=store, on_rejected=lambda n, o: rejected.append((n.order_ref, o))
    )
    result = handler.process(callback)
    assert CallbackOutcome.ORDER_NOT_FOUND == result.outcome
    assert h.gateway.callback_answer(CallbackOutcome.ORDER_NOT_FOUND) == result.answer
    assert result.notification is not None
    assert [(result.notification.order_ref, CallbackOutcome.ORDER_NOT_FOUND)] == rejected
    assert ([], 0) == (portal.calls, len(store))


@pytest.mark.parametrize("delta", [-1, +1])
def test_an_amount_one_dong_off_is_a_mismatch(h: BanksHarness, delta: int) -> None:
    ref, callback = paid(h, amount=h.amount + delta)
    portal = Portal({ref: h.amount}, fail_with=[])
    rejected: list[CallbackOutcome] = []
    handler = handler_for(h, portal, on_rejected=lambda _n, o: rejected.append(o))
    result = handler.process(callback)
    assert CallbackOutcome.AMOUNT_MISMATCH == result.outcome
    assert h.gateway.callback_answer(CallbackOutcome.AMOUNT_MISMATCH) == result.answer
    assert ([CallbackOutcome.AMOUNT_MISMATCH], []) == (rejected, portal.calls)


def test_a_failing_on_rejected_does_not_change_the_answer(h: BanksHarness) -> None:
    _ref, callback = paid(h)

    def explode(_n: PaymentNotification, _o: CallbackOutcome) -> None:
        raise RuntimeError("pager down")

    handler = handler_for(h, Portal({}, fail_with=[]), on_rejected=explode)
    assert CallbackOutcome.ORDER_NOT_FOUND == handler.process(callback).outcome


@pytest.mark.parametrize("expected", [50_000.0, True, "50000"])
def test_an_expected_amount_that_is_not_an_int_is_an_error(
    h: BanksHarness, expected: object
) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: expected}, fail_with=[])
    store = MemorySeenStore()
    result = handler_for(h, portal, store=store).process(callback)
    assert CallbackOutcome.ERROR == result.outcome
    assert "expected amount not int" == result.error
    assert h.gateway.callback_answer(CallbackOutcome.ERROR) == result.answer
    assert ([], 0) == (portal.calls, len(store))


def test_a_failing_lookup_is_an_error_naming_the_exception(h: BanksHarness) -> None:
    _ref, callback = paid(h)

    def lookup(_ref: str) -> int:
        raise LookupError("dossier table locked")

    calls: list[PaymentNotification] = []
    handler = IpnHandler(h.gateway, expected_amount=lookup, on_payment=calls.append)
    result = handler.process(callback)
    assert (CallbackOutcome.ERROR, "LookupError", []) == (result.outcome, result.error, calls)
    assert result.notification is not None


def clock_after(callback_note: PaymentNotification, age: timedelta) -> Any:
    assert callback_note.paid_at is not None
    moment = (callback_note.paid_at + age).timestamp()
    return lambda: moment


def test_stale_is_strictly_older_than_max_age(h: BanksHarness) -> None:
    ref, callback = paid(h)
    note = IpnHandler(
        h.gateway, expected_amount=lambda _r: None, on_payment=lambda _n: None
    ).process(callback)
    assert note.notification is not None
    max_age = timedelta(hours=1)
    outcomes = []
    for age in (max_age, max_age + timedelta(seconds=1)):
        portal = Portal({ref: h.amount}, fail_with=[])
        handler = handler_for(h, portal, max_age=max_age, clock=clock_after(note.notification, age))
        result = handler.process(callback)
        outcomes.append((result.outcome, len(portal.calls)))
    assert [(CallbackOutcome.ACCEPTED, 1), (CallbackOutcome.INVALID_SIGNATURE, 0)] == outcomes


def test_max_age_none_accepts_any_age(h: BanksHarness) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[])
    handler = handler_for(h, portal, max_age=None, clock=lambda: 4_000_000_000.0)
    assert CallbackOutcome.ACCEPTED == handler.process(callback).outcome


def test_the_order_is_looked_up_before_the_age_and_the_age_before_the_amount(
    h: BanksHarness,
) -> None:
    ref, callback = paid(h, amount=h.amount + 1)
    late = lambda: 4_000_000_000.0  # noqa: E731  (2096: every callback is stale)
    unknown = handler_for(h, Portal({}, fail_with=[]), clock=late).process(callback)
    stale = handler_for(h, Portal({ref: h.amount}, fail_with=[]), clock=late).process(callback)
    assert CallbackOutcome.ORDER_NOT_FOUND == unknown.outcome
    assert CallbackOutcome.INVALID_SIGNATURE == stale.outcome
    assert stale.error is not None
    assert "old (limit 1 day, 0:00:00)" in stale.error


# -- construction -----------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -5, True, 1.5, "65536"])
def test_max_body_bytes_must_be_a_positive_int(h: BanksHarness, limit: Any) -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        IpnHandler(
            h.gateway,
            expected_amount=lambda _r: 1,
            on_payment=lambda _n: None,
            max_body_bytes=limit,
        )


def test_an_owned_store_is_closed_a_given_one_is_not(h: BanksHarness, tmp_path: Path) -> None:
    given = SqliteSeenStore(tmp_path / "given.db")
    with IpnHandler(
        h.gateway, expected_amount=lambda _r: 1, on_payment=lambda _n: None, store=given
    ) as handler:
        assert f"IpnHandler(gateway={h.gateway.name!r}, store={given!r})" == repr(handler)
    assert not given.seen("x")  # still open
    given.close()
    owned = IpnHandler(
        h.gateway,
        expected_amount=lambda _r: 1,
        on_payment=lambda _n: None,
        store=tmp_path / "owned.db",
    )
    owned.close()
    assert isinstance(owned.store, SqliteSeenStore)
    with pytest.raises(Exception, match="closed"):
        owned.store.seen("x")


def test_failures_are_logged_without_the_callback_body(
    h: BanksHarness, caplog: pytest.LogCaptureFixture
) -> None:
    ref, callback = paid(h)
    portal = Portal({ref: h.amount}, fail_with=[RuntimeError("db down")])
    with caplog.at_level(logging.WARNING, logger="connectors.banks.ipn"):
        handler_for(h, portal).process(callback)
    text = caplog.text
    assert "left for the retry" in text
    for secret_bearing in ("vnp_SecureHash", '"signature"'):
        assert secret_bearing not in text


def test_a_handler_used_as_a_context_manager_closes_its_own_store(
    h: BanksHarness, tmp_path: Path
) -> None:
    with IpnHandler(
        h.gateway,
        expected_amount=lambda _r: 1,
        on_payment=lambda _n: None,
        store=tmp_path / "owned.db",
    ) as handler:
        assert not handler.store.seen("x")
    with pytest.raises(Exception, match="closed"):
        handler.store.seen("x")


def test_the_smallest_body_limit_is_one_byte(h: BanksHarness) -> None:
    handler = IpnHandler(
        h.gateway, expected_amount=lambda _r: 1, on_payment=lambda _n: None, max_body_bytes=1
    )
    assert 1 == handler.max_body_bytes
    assert 413 == handler.handle(method="POST", body=b"{}").status


def test_results_are_frozen_slotted_records(h: BanksHarness) -> None:
    result = IpnHandler(
        h.gateway, expected_amount=lambda _r: 1, on_payment=lambda _n: None
    ).process(CallbackRequest("GET"))
    with pytest.raises(AttributeError):
        result.outcome = CallbackOutcome.ACCEPTED  # type: ignore[misc]
    assert not hasattr(result, "__dict__")
    assert ["IpnHandler", "IpnResult", "request_from_wsgi"] == ipn.__all__


def test_every_refusal_is_logged_with_its_reason(
    h: BanksHarness, caplog: pytest.LogCaptureFixture
) -> None:
    ref, callback = paid(h)
    store = MemorySeenStore()
    portal = Portal({}, fail_with=[])

    def lookup_fails(_r: str) -> int:
        raise LookupError("locked")

    cases: list[tuple[Any, CallbackRequest, str]] = [
        (h.gateway, CallbackRequest("POST", {}, {}, b"x" * 70_000), "callback refused: the body"),
        (h.gateway, h.simulator.tamper(callback, amount=1), "callback refused:"),
        (
            BrokenGateway(h.gateway, ValidationError("odd", field="amount")),
            callback,
            "callback malformed: odd",
        ),
        (BrokenGateway(h.gateway, KeyError("x")), callback, "callback unreadable: KeyError"),
        (
            AnswerlessGateway(h.gateway, {CallbackOutcome.ORDER_NOT_FOUND}),
            callback,
            "has no answer",
        ),
    ]
    for gateway, request, expected in cases:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="connectors.banks.ipn"):
            IpnHandler(
                gateway, expected_amount=portal.expected_amount, on_payment=portal.on_payment
            ).process(request)
        assert expected in caplog.text, expected
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="connectors.banks.ipn"):
        IpnHandler(h.gateway, expected_amount=lookup_fails, on_payment=portal.on_payment).process(
            callback
        )
    assert f"expected_amount({ref}) failed" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="connectors.banks.ipn"):
        handler_for(h, portal, store=store).process(callback)
    assert f"callback for {ref}: order_not_found" in caplog.text
    assert [] == portal.calls


def test_stale_not_int_and_failing_on_rejected_are_logged(
    h: BanksHarness, caplog: pytest.LogCaptureFixture
) -> None:
    ref, callback = paid(h)

    def explode(_n: PaymentNotification, _o: CallbackOutcome) -> None:
        raise RuntimeError("pager down")

    runs = [
        (handler_for(h, Portal({ref: h.amount}, []), clock=lambda: 4e9), "callback refused: "),
        (handler_for(h, Portal({ref: 1.5}, [])), f"expected_amount({ref}) is not an int"),
        (handler_for(h, Portal({}, []), on_rejected=explode), "on_rejected failed"),
    ]
    for handler, expected in runs:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="connectors.banks.ipn"):
            handler.process(callback)
        assert expected in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="connectors.banks.ipn"):
        handler_for(h, Portal({}, [])).process(callback)  # no on_rejected: nothing to fail
    assert "on_rejected failed" not in caplog.text
    assert "order_not_found" in caplog.text
