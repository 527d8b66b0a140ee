"""The SMS journal on PostgreSQL: every app server answers an accepted key from it."""

from __future__ import annotations

import threading

from connectors.sms import Message, SendResult, SendStatus
from connectors.sms.journal_postgres import PostgresJournal
from connectors.testing import mount
from connectors.vn.phone import VnPhone
from tests.pg import PgTarget
from tests.sms import harnesses
from tests.sms.harnesses import MOBIFONE_URL, PARAMS


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


def test_a_key_accepted_on_one_app_server_is_never_sent_by_another(pg: PgTarget) -> None:
    sim = harnesses.mobifone_sim()
    first_journal = PostgresJournal(pg.dsn, schema=pg.schema)
    second_journal = PostgresJournal(pg.dsn, schema=pg.schema)
    try:
        with mount(sim, MOBIFONE_URL):
            first = harnesses.mobifone_sender(MOBIFONE_URL, journal=first_journal).send(
                paid(), "HS-1:sms"
            )
            # Another server: its own client and connection, the same database.
            again = harnesses.mobifone_sender(MOBIFONE_URL, journal=second_journal).send(
                paid(), "HS-1:sms"
            )
    finally:
        first_journal.close()
        second_journal.close()
    assert (True, False, True) == (first.accepted, first.duplicate, again.duplicate)
    assert (first.text, first.recipient, first.segments, first.encoding) == (
        again.text,
        again.recipient,
        again.segments,
        again.encoding,
    )
    assert 1 == sim.ledger.count("sms")
    assert 1 == len(sim.requests_to("send"))


def accepted(message_id: str, recipient: VnPhone | None, key: str = "HS-1:sms") -> SendResult:
    return SendResult(
        provider="mobifone",
        status=SendStatus.ACCEPTED,
        idempotency_key=key,
        recipient=recipient,
        provider_message_id=message_id,
        vendor_code="0",
        vendor_message="Thành công",
        segments=2,
        encoding="UCS-2",
        text="Hồ sơ HS-1 đã nộp phí",
    )


def test_the_first_acceptance_recorded_is_kept_whoever_writes_next(pg: PgTarget) -> None:
    journal = PostgresJournal(pg.dsn, schema=pg.schema)
    try:
        assert journal.get("HS-1:sms") is None
        phone = VnPhone("0912345678", "viettel")
        results = [accepted(f"msg-{n}", phone) for n in range(8)]
        threads = [
            threading.Thread(target=journal.put, args=("HS-1:sms", result)) for result in results
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        kept = journal.get("HS-1:sms")
        assert kept is not None
        assert kept in results, "one writer's result, whole"
        journal.put("HS-1:sms", accepted("msg-late", None))
        assert kept == journal.get("HS-1:sms")
        journal.put("HS-2:sms", accepted("msg-9", None, "HS-2:sms"))
        assert accepted("msg-9", None, "HS-2:sms") == journal.get("HS-2:sms")
    finally:
        journal.close()
    assert "PostgresJournal(" in repr(journal)
