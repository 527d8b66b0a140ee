"""What the citizens (and the gateways behind them) do in the demo.

Gateway payments: the portal creates a payment, the citizen pays or cancels at the
simulated gateway, and the gateway delivers its IPN to the portal's handler. Some IPNs
arrive twice; one forged IPN (amount changed after signing) arrives before the genuine one.
VietQR: the citizen's bank app reads the QR code and transfers; the bank's webhook arrives
at the portal, once more for one transfer. One citizen sends feedback through iHanoi.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from connectors.banks.base import PaymentRequest
from connectors.banks.vietqr import (
    bank_by_short_name,
    build_vietqr,
    parse_vietqr,
    render_png,
    transfer_purpose,
)
from connectors.core.errors import ConnectorError
from connectors.demo.scenario import ACCOUNT, Dossier
from connectors.demo.world import Endpoints, World
from connectors.testing.simulators.banks.delivery import send_callback

__all__ = ["pay_at_gateways", "send_feedback", "transfer_by_vietqr"]

Log = Callable[[str], None]


def pay_at_gateways(world: World, endpoints: Endpoints, cases: list[Dossier], log: Log) -> None:
    """Create, pay (or cancel) and notify every gateway dossier."""
    first_of: set[str] = set()
    forged = False
    for dossier in cases:
        if dossier.method == "vietqr":
            continue
        gateway = world.gateways[dossier.method]
        url = endpoints.ipn[dossier.method]
        intent = gateway.create_payment(
            PaymentRequest(
                dossier_code=dossier.code,
                amount=dossier.fee,
                description=f"{dossier.code} {dossier.fee_name}",
                return_url="http://127.0.0.1/return",
                notify_url=url,
            )
        )
        world.dossiers.set_order_ref(dossier.code, intent.order_ref)
        if intent.redirect_url and dossier.method == "vnpay":
            # The citizen's browser opens VNPay's pay page (VNPay creates the order there).
            requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
        sim = world.simulator_for(dossier.method)
        outcome = "success" if dossier.outcome == "paid" else "cancelled"
        callback = sim.pay(intent.order_ref, outcome=outcome)
        if not forged and dossier.outcome == "paid":
            forged = True
            fake = sim.tamper(callback, amount=dossier.fee * 10)
            answer = send_callback(fake, url)
            log(f"{dossier.code}: forged IPN (amount x10) answered {answer.text().strip()}")
        if dossier.method == "payos" and dossier.outcome != "paid":
            # payOS sends webhooks for payments only: the portal asks for the status.
            report = gateway.query(intent.order_ref)
            world.dossiers.set_state(intent.order_ref, report.status.value)
            log(f"{dossier.code}: payOS link {report.status.value} (found by status query)")
            continue
        sim.deliver_ipn(intent.order_ref, to=url)
        if dossier.method not in first_of:
            first_of.add(dossier.method)
            attempts = sim.deliver_ipn(intent.order_ref, to=url)
            second = attempts[-1].text().strip() or str(attempts[-1].status)
            log(f"{dossier.code}: {dossier.method} IPN sent twice, answered {second[:40]}")


def transfer_by_vietqr(
    world: World, endpoints: Endpoints, cases: list[Dossier], log: Log
) -> list[str]:
    """Each VietQR dossier's QR is read by a bank app; the bank's webhooks reach the portal.

    Returns the QR PNG files written.
    """
    vpbank = bank_by_short_name("VPBank")
    written: list[str] = []
    transfer_ids: list[str] = []
    for number, dossier in enumerate(cases):
        if dossier.method != "vietqr":
            continue
        payload = build_vietqr(
            bin=vpbank.bin,
            account=ACCOUNT,
            amount=dossier.fee,
            purpose=transfer_purpose(dossier.code, "le phi"),
        )
        if not written:
            path = world.output / f"vietqr-{dossier.code}.png"
            render_png(payload, path)
            written.append(path.name)
        qr = parse_vietqr(payload)  # what the citizen's bank app reads
        amount = {"paid": qr.amount or 0, "underpaid": (qr.amount or 0) // 2}.get(dossier.outcome)
        if amount is None:
            continue
        request = world.sepay_sim.transfer(
            account=qr.account, amount=amount, content=f"MBVCB.{number}.{qr.purpose}"
        )
        transfer_ids.append(request.transfer_id)
        if dossier.outcome == "underpaid":
            log(f"{dossier.code}: transferred {amount} of {dossier.fee} VND (underpaid)")
    world.sepay_sim.deliver(endpoints.sepay)
    if transfer_ids:
        world.sepay_sim.deliver(endpoints.sepay, transfer_id=transfer_ids[0])
        log(f"bank webhook for transfer {transfer_ids[0]} delivered twice")
    return written


def send_feedback(world: World, dossier: Dossier, log: Log, *, wait: float = 10.0) -> str:
    """The citizen asks about their dossier in iHanoi; the portal links it by webhook."""
    feedback_id: str = world.ihanoi_sim.citizen_submits(
        title=f"Hỏi về hồ sơ {dossier.code}",
        description="Tôi đã nộp phí, khi nào tôi nhận được biên lai điện tử?",
        dossier_code=dossier.code,
        full_name=dossier.citizen,
    )
    deadline = time.monotonic() + wait
    while world.dossiers.row(dossier.code).feedback_id != feedback_id:
        if time.monotonic() > deadline:
            raise ConnectorError(f"iHanoi webhook for {feedback_id} never reached the portal")
        time.sleep(0.02)
    log(f"{dossier.code}: citizen feedback {feedback_id} received from iHanoi by webhook")
    return feedback_id
