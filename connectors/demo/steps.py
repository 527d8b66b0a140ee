"""The fee flow's three steps, bound to the demo's adapters.

Each step sends its job's key as the vendor's idempotency key (``"<dossier>:receipt"``,
``"<dossier>:sms"``, ``"<dossier>:status"``), and declares what is true of its vendor after
an unknown outcome: the receipt is looked up by its key (Viettel `transactionUuid`); the
status is resent with its key, which iHanoi de-duplicates; the SMS can be neither (MobiFone
smsg has no request id and no lookup), so an SMS whose answer was lost waits for staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.core.errors import NotFound, ProviderError
from connectors.delivery import Flow, Job, Step, StepContext, fee_flow
from connectors.demo.scenario import COMMUNE
from connectors.demo.world import World
from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.einvoice.provider import IssuedDocument
from connectors.ihanoi import FeedbackStatus
from connectors.sms import Message
from connectors.vn import format_vnd, now_vn

__all__ = ["build_fee_flow", "receipt_for", "receipt_of_job"]

AGENCY = "UBND-PHUONG-MAU"


def receipt_for(ctx: StepContext) -> Receipt:
    """The fee receipt (biên lai thu phí, lệ phí) for the dossier the step is about."""
    event = ctx.event
    return Receipt(
        seller=Seller(**COMMUNE),
        buyer=Buyer(name=str(event["citizen"])),
        template="EBL01",
        symbol=f"{now_vn().year % 100:02d}T",
        lines=(Line.fee(str(event["fee_name"]), int(event["fee"])),),
        dossier_code=ctx.subject,
    )


def receipt_of_job(job: Job) -> Receipt:
    """The receipt a fee flow's receipt job issued (rebuilt from its payload)."""
    ctx = StepContext(
        flow="fee",
        step="receipt",
        subject=str(job.payload["subject"]),
        key=job.key,
        event=job.payload["event"],
        results=job.payload["results"],
        attempt=job.attempts,
    )
    return receipt_for(ctx)


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


def build_fee_flow(world: World) -> Flow:
    """payment confirmed -> receipt (Viettel S-Invoice) -> SMS (MobiFone) -> status."""

    def issue_receipt(ctx: StepContext) -> Mapping[str, Any]:
        return _issued(world.invoices.issue(receipt_for(ctx), idempotency_key=ctx.key))

    def find_receipt(ctx: StepContext) -> Mapping[str, Any] | None:
        try:
            return _issued(world.invoices.get(ctx.key))
        except NotFound:
            return None

    def notify_citizen(ctx: StepContext) -> Mapping[str, Any]:
        receipt = ctx.results["receipt"]
        # The number as the portal holds it now (staff may have corrected it before a retry);
        # an invalid one raises InvalidPhoneNumber here, before anything is sent.
        message = Message(
            world.dossiers.row(ctx.subject).phone,
            template_id="paid",
            params={
                "dossier": ctx.subject,
                "amount": format_vnd(int(ctx.event["amount"])).removesuffix(" ₫"),
                "code": str(receipt["lookup_code"] or receipt["number"]),
            },
        )
        result = world.sms.send(message, idempotency_key=ctx.key)
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

    def push_status(ctx: StepContext) -> Mapping[str, Any]:
        row = world.dossiers.row(ctx.subject)
        pushed: dict[str, Any] = {"portal": "paid"}
        if row.feedback_id is not None:
            receipt = ctx.results["receipt"]
            world.ihanoi.answer(
                row.feedback_id,
                f"Hồ sơ {ctx.subject} đã nộp phí; biên lai số {receipt['number']}, "
                f"mã tra cứu {receipt['lookup_code']}.",
                agency_code=AGENCY,
                status=FeedbackStatus.ANSWERED,
                idempotency_key=ctx.key,
                # Fixed by the receipt, so a resend under the same key is the same answer.
                resolved_at=_answered_at(receipt),
            )
            pushed["ihanoi"] = row.feedback_id
        world.dossiers.mark_status_pushed(ctx.subject)
        return pushed

    return fee_flow(
        issue_receipt=Step("receipt", issue_receipt, find_receipt),
        notify_citizen=Step("sms", notify_citizen, resend_safe=False),
        push_status=Step("status", push_status, resend_safe=True),
    )
