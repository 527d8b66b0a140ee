"""The fee path, bound to the commune's adapters: receipt, SMS, status, lookups built in.

    fees = fee_steps(invoices=adapters.invoices, sms=adapters.sms, seller=config.seller,
                     citizen_lookup=portal.citizen, feedback=adapters.feedback,
                     feedback_for=portal.feedback_of, agency_code="UBND-PHUONG-MAU")
    with outbox.transaction() as tx:          # the payment's own transaction
        record_payment(tx, notification)
        fees.start(tx, fee)                   # fee: a FeePaid
    Worker(outbox, fees.tasks()).run(stop=stop)

Each step sends its job's key as the vendor's idempotency key (``"<dossier>:receipt"``,
``"<dossier>:sms"``, ``"<dossier>:status"``) and declares what is true of its vendor after
an unknown outcome:

- **receipt**: looked up by its key before anything is resent (every e-invoice vendor
  offers `get(key)`), so a lost answer never issues a second receipt;
- **sms**: resent with its key when the sender's vendor de-duplicates keys (see
  `resends_safely`; or say so with `sms_resend_safe`); otherwise (MobiFone smsg has no
  request id and no lookup) a job whose answer was lost waits for staff
  (`connectors outbox resolve`), never texts twice;
- **status**: the citizen's iHanoi feedback about the dossier, if there is one
  (`feedback_for`), is answered with its key, which iHanoi de-duplicates.

The citizen's name and phone number are looked up (`citizen_lookup`) when a step runs, so
a number corrected after the payment reaches a retried SMS. `status_after_sms` (default
True) makes the status wait for the SMS, as the demo does: an SMS waiting for staff then
holds the status back too. With False, the status follows the receipt directly and runs
beside the SMS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from connectors.core.errors import NotFound, ProviderError
from connectors.delivery.fees import Citizen, FeePaid
from connectors.delivery.flow import Flow, Step, StepContext
from connectors.delivery.jobs import Job
from connectors.delivery.store import Enqueuer
from connectors.delivery.worker import Task
from connectors.einvoice import Buyer, InvoiceProvider, IssuedDocument, Line, Receipt, Seller
from connectors.ihanoi import FeedbackExchange, FeedbackStatus
from connectors.sms import Message, SendResult, SmsSender
from connectors.vn.money import format_vnd
from connectors.vn.time import now_vn

__all__ = [
    "FeeFlow",
    "FeedbackAnswers",
    "fee_steps",
    "paid_sms_params",
    "resends_safely",
    "status_answer",
]


FeedbackAnswers = FeedbackExchange
"""The feedback client the fee steps answer with: the domain protocol, whose answers are
dated (`resolved_at`) so that a resend under the same key is the same answer."""


def paid_sms_params(fee: FeePaid, receipt: Mapping[str, Any]) -> dict[str, str]:
    """The SMS template's parameters: ``dossier``, ``amount`` (``"20.000"``) and ``code``
    (the receipt's lookup code, else its number)."""
    return {
        "dossier": fee.dossier_code,
        "amount": format_vnd(fee.amount).removesuffix(" ₫"),
        "code": str(receipt.get("lookup_code") or receipt.get("number")),
    }


def status_answer(fee: FeePaid, receipt: Mapping[str, Any]) -> str:
    """The answer to the citizen's feedback once the fee is paid and receipted."""
    return (
        f"Hồ sơ {fee.dossier_code} đã nộp phí; biên lai số {receipt.get('number')}, "
        f"mã tra cứu {receipt.get('lookup_code')}."
    )


def resends_safely(sender: SmsSender) -> bool:
    """Whether `sender` de-duplicates an idempotency key sent again, so that an SMS whose
    outcome is unknown may be resent with its key.

    A sender says so itself (``dedupes_keys``), or through its vendor's facts (an SMS
    client's ``vendor.keyed``: the gateway de-duplicates the request id); a router
    (`RoutingSender`) does when every sender in it does. Anything else: no.
    """
    declared = getattr(sender, "dedupes_keys", None)
    if declared is None:
        declared = getattr(getattr(sender, "vendor", None), "keyed", None)
    if isinstance(declared, bool):
        return declared
    senders = getattr(sender, "senders", None)
    if isinstance(senders, Mapping) and senders:
        return all(resends_safely(inner) for inner in senders.values())
    return False


def _issued(document: IssuedDocument) -> dict[str, Any]:
    return {
        "key": document.key,
        "number": document.number,
        "symbol": document.symbol,
        "template": document.template,
        "lookup_code": document.lookup_code,
        "issued_at": None if document.issued_at is None else document.issued_at.isoformat(),
    }


def _answered_at(receipt: Mapping[str, Any]) -> datetime | None:
    issued = receipt.get("issued_at")
    return datetime.fromisoformat(issued) if isinstance(issued, str) else None


def _accepted(result: SendResult) -> dict[str, Any]:
    if not result.accepted:
        if result.error is not None:
            raise result.error
        raise ProviderError(
            f"SMS not accepted: {result.code}",
            provider=result.provider,
            vendor_code=result.vendor_code,
            retryable=result.retryable,
        )
    return {
        "provider": result.provider,
        "message_id": result.provider_message_id,
        "segments": result.segments,
        "duplicate": result.duplicate,
    }


class FeeFlow:
    """The fee path for `FeePaid` events: `start` it in the payment's transaction, give
    `tasks()` to a `Worker` (or `connectors outbox run --tasks`)."""

    def __init__(self, flow: Flow, receipt_for: Callable[[FeePaid], Receipt]) -> None:
        self.flow = flow
        self._receipt_for = receipt_for

    @property
    def name(self) -> str:
        return self.flow.name

    def start(self, target: Enqueuer, fee: FeePaid) -> Job:
        """Enqueue the receipt step for `fee` (idempotent: one flow per dossier).

        Pass the open transaction in which the portal records the payment (an SQLite
        `OutboxTransaction`, or `PostgresOutbox.joined(conn)`).
        """
        return self.flow.start(target, fee.dossier_code, fee.to_payload())

    def tasks(self) -> dict[str, Task]:
        """The worker tasks of every step."""
        return self.flow.tasks()

    def receipt_for(self, fee: FeePaid) -> Receipt:
        """The receipt the receipt step issues for `fee` (the citizen looked up now)."""
        return self._receipt_for(fee)

    @staticmethod
    def fee_of(job: Job) -> FeePaid:
        """The event a fee job carries."""
        return FeePaid.from_payload(job.payload["event"])


def fee_steps(
    *,
    invoices: InvoiceProvider,
    sms: SmsSender,
    seller: Seller,
    citizen_lookup: Callable[[str], Citizen],
    feedback: FeedbackExchange | None = None,
    feedback_for: Callable[[FeePaid], str | None] | None = None,
    agency_code: str = "",
    sms_template: str = "paid",
    receipt_template: str = "EBL01",
    status_after_sms: bool = True,
    sms_resend_safe: bool | None = None,
) -> FeeFlow:
    """The fee flow over the commune's adapters (see the module docstring).

    `seller` is the commune collecting the fee; `citizen_lookup(FeePaid.citizen)` returns
    the payer as the portal holds them now. The SMS uses the registered template
    `sms_template`, whose parameters are `paid_sms_params`. The status step exists only
    with `feedback`: it answers `feedback_for(fee)` (None: no feedback, nothing to answer)
    as `agency_code`. The receipt is `receipt_template` (EBL01) with the issue year's
    symbol (``26T``). `sms_resend_safe` overrides what `resends_safely(sms)` says.
    """
    if feedback is not None and (feedback_for is None or not agency_code):
        raise ValueError("a status step needs feedback_for and agency_code with feedback")

    def receipt_for(fee: FeePaid) -> Receipt:
        citizen = citizen_lookup(fee.citizen)
        return Receipt(
            seller=seller,
            buyer=Buyer(name=citizen.name, citizen_id=citizen.citizen_id),
            template=receipt_template,
            symbol=f"{now_vn().year % 100:02d}T",
            lines=tuple(Line.fee(line.name, line.amount) for line in fee.lines),
            dossier_code=fee.dossier_code,
        )

    def issue_receipt(ctx: StepContext) -> Mapping[str, Any]:
        fee = FeePaid.from_payload(ctx.event)
        return _issued(invoices.issue(receipt_for(fee), idempotency_key=ctx.key))

    def find_receipt(ctx: StepContext) -> Mapping[str, Any] | None:
        try:
            return _issued(invoices.get(ctx.key))
        except NotFound:
            return None

    def notify_citizen(ctx: StepContext) -> Mapping[str, Any]:
        fee = FeePaid.from_payload(ctx.event)
        phone = citizen_lookup(fee.citizen).phone  # as the portal holds it now
        if phone is None:
            return {"sent": False, "reason": "the citizen gave no mobile number"}
        params = paid_sms_params(fee, ctx.results["receipt"])
        # An invalid number raises InvalidPhoneNumber here, before anything is sent.
        message = Message(phone, template_id=sms_template, params=params)
        return _accepted(sms.send(message, idempotency_key=ctx.key))

    steps = [
        Step("receipt", issue_receipt, find_receipt),
        Step(
            "sms",
            notify_citizen,
            resend_safe=resends_safely(sms) if sms_resend_safe is None else sms_resend_safe,
        ),
    ]
    if feedback is not None and feedback_for is not None:
        answers, find_feedback = feedback, feedback_for

        def push_status(ctx: StepContext) -> Mapping[str, Any]:
            fee = FeePaid.from_payload(ctx.event)
            feedback_id = find_feedback(fee)
            if feedback_id is None:
                return {"feedback": None}
            receipt = ctx.results["receipt"]
            answers.answer(
                feedback_id,
                status_answer(fee, receipt),
                agency_code=agency_code,
                status=FeedbackStatus.ANSWERED,
                idempotency_key=ctx.key,
                # Fixed by the receipt, so a resend under the same key is the same answer.
                resolved_at=_answered_at(receipt),
            )
            return {"feedback": feedback_id}

        after = None if status_after_sms else "receipt"
        steps.append(Step("status", push_status, resend_safe=True, after=after))
    return FeeFlow(Flow("fee", steps), receipt_for)
