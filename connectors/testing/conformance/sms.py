"""The SMS conformance suite: the same checks against every SMS Brandname provider.

A provider's tests subclass `SmsConformance` and supply a `harness` fixture returning an
`SmsHarness` (a simulator already answering, and how to build a fresh sender against it):

    class TestMobifoneConformance(SmsConformance):
        @pytest.fixture
        def harness(self) -> Iterator[SmsHarness]:
            ...

Checks: a message is accepted and the gateway holds exactly that text for that number;
the same idempotency key sends once (from the same sender, from a fresh sender where the
gateway de-duplicates, and after a timeout once the gateway committed); template mismatch,
invalid number and too-long text are refused before any request; vendor refusals map to
the common vocabulary with the right failover rule; a bad number in a batch stops nothing;
a delivery report is parsed; an expired session is recovered without a second SMS; and
the "maybe sent" fault matrix (`connectors.testing.conformance.maybe_sent`): a send the
gateway took but answered with a 5xx, a cut-short, trickled or oversize answer texts the
citizen once, raises what the table says, and never allows a failover.
Capabilities a provider lacks are skipped with the harness's stated reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pytest

from connectors.core.errors import OutcomeUnknown, ProviderError
from connectors.core.transport import DEFAULT_MAX_RESPONSE_BYTES, Timeouts
from connectors.sms.base import (
    DeliveryReport,
    DeliveryStatus,
    Message,
    MessageInput,
    SendResult,
    SendStatus,
    SmsSender,
)
from connectors.sms.errors import (
    MessageTooLong,
    SmsErrorCode,
    TemplateMismatch,
    may_fail_over,
)
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    MAYBE_SENT_FAULTS,
    check_maybe_sent,
    maybe_sent_fault,
    run_call,
)
from connectors.testing.faults import TimeoutAfterCommit
from connectors.testing.simulator import Simulator
from connectors.vn.phone import InvalidPhoneNumber

__all__ = ["SenderFactory", "SmsConformance", "SmsHarness"]

SMS = "sms"


class SenderFactory(Protocol):
    """Builds a fresh sender against the simulator; `timeouts` replaces the test default."""

    def __call__(self, *, timeouts: Timeouts | None = None) -> SmsSender: ...


@dataclass
class SmsHarness:
    """How the suite drives one provider.

    `simulator` is running (mounted or served) for the whole test and records accepted
    messages in its ledger under kind "sms" with `recipient` (national form) and `text`;
    `served` says it answers on a loopback socket (trickled answers take real time there).
    `make_sender` builds a fresh sender (fresh journal) against it, with the brandname
    `brandname` holding the template `template_id` ("Ho so {dossier} ... {code}"-style,
    unaccented, parameters `params`), and the given `timeouts` if any. `send_route` names the
    simulator route of a send; `answer_limit` is the send's answer size limit (bytes).
    `force` makes the simulator answer the next send with its vendor error for a code.
    A capability set to None is skipped with the matching `*_skip` reason.
    """

    provider: str
    simulator: Simulator
    make_sender: SenderFactory
    send_route: str
    template_id: str
    params: Mapping[str, str]
    force: Callable[[SmsErrorCode], None]
    recipient: str = "0912345678"
    other_recipient: str = "0987654321"
    gateway_dedup: bool = True
    gateway_dedup_skip: str = ""
    keyed: bool = True
    served: bool = False
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES
    delivery_report: Callable[[SendResult], DeliveryReport] | None = None
    delivery_report_skip: str = ""
    expire_sessions: Callable[[], None] | None = None
    login_route: str | None = None
    session_skip: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def message(self, recipient: str | None = None, **params: str) -> Message:
        return Message(
            recipient or self.recipient,
            template_id=self.template_id,
            params={**self.params, **params},
        )

    def accepted(self) -> int:
        return self.simulator.ledger.count(SMS)

    def requests(self) -> int:
        return len(self.simulator.seen)


class SmsConformance:
    """The suite (see the module docstring); subclasses provide the `harness` fixture."""

    # -- sending -------------------------------------------------------------------------

    def test_send_is_accepted_and_recorded_once(self, harness: SmsHarness) -> None:
        result = harness.make_sender().send(harness.message(), "HS-0001:sms")
        assert result.accepted
        assert SendStatus.ACCEPTED == result.status
        assert harness.provider == result.provider
        assert "HS-0001:sms" == result.idempotency_key
        assert result.duplicate is False
        assert result.segments >= 1
        assert "GSM-7" == result.encoding
        entries = harness.simulator.ledger.entries(SMS)
        assert 1 == len(entries)
        assert harness.recipient == entries[0].data["recipient"]
        assert result.text == entries[0].data["text"]

    def test_same_key_twice_sends_once(self, harness: SmsHarness) -> None:
        sender = harness.make_sender()
        first = sender.send(harness.message(), "HS-0002:sms")
        second = sender.send(harness.message(), "HS-0002:sms")
        assert first.accepted
        assert second.accepted
        assert second.duplicate is True
        assert first.provider_message_id == second.provider_message_id
        assert 1 == harness.accepted()
        assert 1 == len(harness.simulator.requests_to(harness.send_route))

    def test_same_key_from_a_fresh_sender_sends_once(self, harness: SmsHarness) -> None:
        if not harness.gateway_dedup:
            pytest.skip(harness.gateway_dedup_skip)
        harness.make_sender().send(harness.message(), "HS-0003:sms")
        again = harness.make_sender().send(harness.message(), "HS-0003:sms")
        assert again.accepted
        assert again.duplicate is True
        assert 1 == harness.accepted()
        assert 2 == len(harness.simulator.requests_to(harness.send_route))

    def test_timeout_after_commit_never_sends_twice(self, harness: SmsHarness) -> None:
        harness.simulator.faults.add(harness.send_route, TimeoutAfterCommit(5.0))
        sender = harness.make_sender()
        if harness.keyed:
            result = sender.send(harness.message(), "HS-0004:sms")
            assert result.accepted
            assert result.duplicate is True  # the retry found the first attempt
        else:
            with pytest.raises(OutcomeUnknown) as raised:
                sender.send(harness.message(), "HS-0004:sms")
            assert "HS-0004:sms" == raised.value.idempotency_key
            assert may_fail_over(raised.value) is False
        assert 1 == harness.accepted()

    @pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
    def test_maybe_sent_fault_never_texts_twice(self, harness: SmsHarness, fault: str) -> None:
        if fault == "trickle" and not harness.served:
            pytest.skip("in process a trickled answer is an instant read timeout (see above)")
        key = f"HS-0020-{fault}:sms"
        spoil = maybe_sent_fault(fault, answer_limit=harness.answer_limit)
        harness.simulator.faults.add(harness.send_route, spoil)
        sender = harness.make_sender(timeouts=MATRIX_TIMEOUTS)
        outcome = run_call(lambda: sender.send(harness.message(), key))
        check_maybe_sent(
            fault,
            outcome,
            keyed=harness.keyed,
            key=key,
            requests=len(harness.simulator.requests_to(harness.send_route)),
            answer_limit=harness.answer_limit,
        )
        if outcome.error is None:
            assert outcome.result.duplicate is True  # the resend found the first attempt
        else:
            assert may_fail_over(outcome.error) is False
        assert 1 == harness.accepted()
        if harness.keyed and harness.gateway_dedup:  # resending with the key: still one SMS
            again = harness.make_sender().send(harness.message(), key)
            assert (True, True) == (again.accepted, again.duplicate)
            assert 1 == harness.accepted()

    # -- refused before sending ----------------------------------------------------------

    def test_template_mismatch_is_caught_before_sending(self, harness: SmsHarness) -> None:
        sender = harness.make_sender()
        with pytest.raises(TemplateMismatch) as raised:
            sender.send(Message(harness.recipient, text="Noi dung khong dang ky"), "K-5")
        assert SmsErrorCode.TEMPLATE_MISMATCH == raised.value.code
        assert "text" == raised.value.field
        assert 0 == harness.requests()

    def test_unregistered_template_id_is_caught_before_sending(self, harness: SmsHarness) -> None:
        message = Message(harness.recipient, template_id="not-registered", params={})
        with pytest.raises(TemplateMismatch) as raised:
            harness.make_sender().send(message, "K-6")
        assert "template_id" == raised.value.field
        assert 0 == harness.requests()

    def test_too_long_text_is_caught_before_sending(self, harness: SmsHarness) -> None:
        name = next(iter(harness.params))
        message = harness.message(**{name: "x" * 1200})
        with pytest.raises(MessageTooLong) as raised:
            harness.make_sender().send(message, "K-7")
        assert "text" == raised.value.field
        assert 0 == harness.requests()

    def test_invalid_number_is_caught_before_sending(self, harness: SmsHarness) -> None:
        with pytest.raises(InvalidPhoneNumber) as raised:
            harness.message(recipient="02438261234")  # a Hanoi landline
        assert "recipient" == raised.value.field
        assert 0 == harness.requests()

    # -- vendor answers ------------------------------------------------------------------

    def test_provider_side_refusal_allows_failover(self, harness: SmsHarness) -> None:
        harness.force(SmsErrorCode.AUTH)
        with pytest.raises(ProviderError) as raised:
            harness.make_sender().send(harness.message(), "K-8")
        assert SmsErrorCode.AUTH.value == raised.value.code
        assert raised.value.vendor_code is not None or raised.value.vendor_message is not None
        assert may_fail_over(raised.value) is True
        assert 0 == harness.accepted()

    def test_vendor_template_refusal_forbids_failover(self, harness: SmsHarness) -> None:
        harness.force(SmsErrorCode.TEMPLATE_MISMATCH)
        with pytest.raises(ProviderError) as raised:
            harness.make_sender().send(harness.message(), "K-9")
        assert SmsErrorCode.TEMPLATE_MISMATCH.value == raised.value.code
        assert raised.value.retryable is False
        assert may_fail_over(raised.value) is False
        assert 0 == harness.accepted()

    # -- batches -------------------------------------------------------------------------

    def test_send_many_with_a_bad_number_in_the_middle(self, harness: SmsHarness) -> None:
        items: list[MessageInput] = [
            {
                "recipient": harness.recipient,
                "template_id": harness.template_id,
                "params": dict(harness.params),
                "idempotency_key": "B-1",
            },
            {
                "recipient": "1900123456",
                "template_id": harness.template_id,
                "params": dict(harness.params),
                "idempotency_key": "B-2",
            },
            harness.message(recipient=harness.other_recipient),
        ]
        batch = harness.make_sender().send_many(items, concurrency=2)
        assert [SendStatus.ACCEPTED, SendStatus.REJECTED, SendStatus.ACCEPTED] == [
            r.status for r in batch.results
        ]
        bad = batch.results[1]
        assert SmsErrorCode.INVALID_NUMBER == bad.code
        assert "recipient" == bad.error_field
        assert "B-2" == bad.idempotency_key
        assert 2 == harness.accepted()
        recipients = sorted(e.data["recipient"] for e in harness.simulator.ledger.entries(SMS))
        assert sorted([harness.recipient, harness.other_recipient]) == recipients

    # -- delivery reports and sessions ---------------------------------------------------

    def test_delivery_report_is_parsed(self, harness: SmsHarness) -> None:
        if harness.delivery_report is None:
            pytest.skip(harness.delivery_report_skip)
        result = harness.make_sender().send(harness.message(), "HS-0010:sms")
        report = harness.delivery_report(result)
        assert harness.provider == report.provider
        assert result.provider_message_id == report.provider_message_id
        assert DeliveryStatus.DELIVERED == report.status
        assert report.final is True
        assert result.recipient == report.recipient

    def test_expired_session_is_recovered_without_a_second_sms(self, harness: SmsHarness) -> None:
        if harness.expire_sessions is None or harness.login_route is None:
            pytest.skip(harness.session_skip)
        sender = harness.make_sender()
        sender.send(harness.message(), "HS-0011:sms")
        harness.expire_sessions()
        second = sender.send(harness.message(recipient=harness.other_recipient), "HS-0012:sms")
        assert second.accepted
        assert 2 == harness.accepted()
        assert 2 == len(harness.simulator.requests_to(harness.login_route))
        assert 3 == len(harness.simulator.requests_to(harness.send_route))
