"""The portal's side of the fee path: the commune's adapters, the VNPay IPN handler, and
what a verified payment does (mark the dossier paid and enqueue receipt and SMS, in one
transaction of Django's database, which is the outbox's)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from connectors.banks import IpnHandler, PaymentNotification, PaymentStatus
from connectors.commune import Adapters, build, load
from connectors.core import PostgresSeenStore
from connectors.delivery import Citizen, FeeFlow, FeeLine, FeePaid, SqliteOutbox, fee_steps
from fees.models import Dossier


def citizen(code: str) -> Citizen:
    """The payer as the dossier holds them when a step runs (`FeePaid.citizen` is the
    dossier's code here)."""
    dossier = Dossier.objects.get(code=code)
    return Citizen(name=dossier.citizen, phone=dossier.phone or None)


def fee_tasks(adapters: Adapters) -> FeeFlow:
    """The fee path over the commune's adapters (`connectors outbox run` runs it)."""
    return fee_steps(
        invoices=adapters.invoices,
        sms=adapters.sms,
        seller=adapters.config.seller,
        citizen_lookup=citizen,
    )


@cache
def adapters() -> Adapters:
    """The commune's adapters, built once per process from `settings.PORTAL_CONFIG`."""
    return build(load(settings.PORTAL_CONFIG))


def _joined(outbox: Any) -> Any:
    """The outbox joined to Django's open transaction on the same database."""
    if isinstance(outbox, SqliteOutbox):
        connection.ensure_connection()
        return outbox.joined(connection.connection)
    return outbox.joined(connection)


def expected_amount(order_ref: str) -> int | None:
    found = Dossier.objects.filter(code=order_ref).values_list("fee", flat=True).first()
    return None if found is None else int(found)


def on_payment(notification: PaymentNotification) -> None:
    """A verified, amount-checked IPN: the dossier paid and its follow-up enqueued, once."""
    if notification.status is not PaymentStatus.PAID:
        return
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(code=notification.order_ref)
        Dossier.objects.filter(pk=dossier.pk).update(paid=True)
        fee = FeePaid.from_notification(
            notification,
            dossier_code=dossier.code,
            lines=[FeeLine(dossier.fee_name, dossier.fee)],
            citizen=dossier.code,
        )
        fee_tasks(adapters()).start(_joined(adapters().outbox), fee)


@cache
def vnpay_ipn() -> IpnHandler:
    """VNPay's IPN handler; its seen-store is in the same database."""
    outbox = adapters().config.outbox
    store: Any = (
        settings.PORTAL_CONFIG.with_name("seen.db")
        if isinstance(adapters().outbox, SqliteOutbox)
        else PostgresSeenStore(outbox)
    )
    return IpnHandler(
        adapters().payments["vnpay"],
        expected_amount=expected_amount,
        on_payment=on_payment,
        store=store,
    )


def close() -> None:
    """Close the handler's seen-store and the adapters (at the process's end)."""
    if vnpay_ipn.cache_info().currsize:
        vnpay_ipn().close()
        close_store = getattr(vnpay_ipn().store, "close", None)
        if callable(close_store):
            close_store()
        vnpay_ipn.cache_clear()
    if adapters.cache_info().currsize:
        adapters().close()
        adapters.cache_clear()
