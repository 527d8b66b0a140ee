"""Journals: an accepted key is never sent again, in this process or after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.core import ValidationError
from connectors.sms import MemoryJournal, Message, SqliteJournal
from connectors.testing import mount
from tests.sms import harnesses
from tests.sms.harnesses import MOBIFONE_URL, PARAMS


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


def test_sqlite_journal_survives_a_restart_of_the_sender(tmp_path: Path) -> None:
    sim = harnesses.mobifone_sim()
    path = tmp_path / "sms.sqlite"
    with mount(sim, MOBIFONE_URL):
        first_journal = SqliteJournal(path)
        first = harnesses.mobifone_sender(MOBIFONE_URL, journal=first_journal).send(
            paid(), "HS-1:sms"
        )
        first_journal.close()
        # A new process: a new client, the same journal file. MobiFone has no request id.
        second_journal = SqliteJournal(path)
        again = harnesses.mobifone_sender(MOBIFONE_URL, journal=second_journal).send(
            paid(), "HS-1:sms"
        )
        second_journal.close()
    assert again.duplicate is True
    assert (first.text, first.recipient, first.segments, first.encoding) == (
        again.text,
        again.recipient,
        again.segments,
        again.encoding,
    )
    assert 1 == sim.ledger.count("sms")
    assert 1 == len(sim.requests_to("send"))


def test_a_key_reused_for_another_message_is_refused() -> None:
    sim = harnesses.mobifone_sim()
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL)
        sender.send(paid("0912345678"), "HS-1:sms")
        with pytest.raises(ValidationError) as raised:
            sender.send(paid("0987654321"), "HS-1:sms")
    assert "idempotency_key" == raised.value.field
    assert 1 == sim.ledger.count("sms")


def test_memory_journal_forgets_the_oldest_beyond_its_size() -> None:
    journal = MemoryJournal(max_size=2)
    sim = harnesses.mobifone_sim()
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, journal=journal)
        for n in range(3):
            sender.send(paid(), f"K-{n}")
    assert 2 == len(journal)
    assert journal.get("K-0") is None
    assert journal.get("K-2") is not None
