"""The main job: the demo runs every simulator end to end and checks its invariants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from connectors.cli import app
from connectors.commune.config import load_config, sections
from connectors.delivery import JobState, ResolveAction, SqliteOutbox
from connectors.demo import run
from connectors.demo.scenario import INVALID_PHONE_DOSSIER, dossiers
from connectors.einvoice.gdt import parse_hdon
from connectors.providers import provider


def test_demo_ledgers_outbox_and_files(tmp_path: Path) -> None:
    result = run(output=tmp_path, console=Console(quiet=True))
    assert result.ok, result.failures
    cases = dossiers()
    paid = {d.code for d in cases if d.will_pay}
    assert len(paid) == result.paid
    # Counted from the vendors' ledgers, not from what the portal believes.
    assert {code: 1 for code in paid} == dict(result.findings.receipts)
    assert {code: 1 for code in paid} == dict(result.findings.sms)
    with SqliteOutbox(tmp_path / "outbox.db") as outbox:
        counts = outbox.counts()
        assert (0, 0, 0) == (
            counts[JobState.PENDING],
            counts[JobState.LEASED],
            counts[JobState.DEAD],
        )
        # receipt + SMS + status per paid dossier, the repaired SMS included.
        assert 3 * len(paid) == counts[JobState.DONE]
        repaired = outbox.get(f"{INVALID_PHONE_DOSSIER}:sms")
        assert repaired is not None
        assert (JobState.DONE, 2) == (repaired.state, repaired.attempts)
        # MobiFone's answer to one SMS was lost after it sent it: the job waited for staff
        # (never re-sent: one SMS per dossier above), who found it in MobiFone's report.
        [key] = result.reconciled
        reconciled = outbox.get(key)
        assert reconciled is not None
        assert key.endswith(":sms")
        assert (reconciled.last_error or "").startswith("OutcomeUnknown")
        [decision] = reconciled.resolutions
        assert (JobState.DONE, ResolveAction.DONE, "demo-staff") == (
            reconciled.state,
            decision.action,
            decision.by,
        )
        status = outbox.get(key.replace(":sms", ":status"))
        assert status is not None
        assert JobState.DONE == status.state, "the flow went on after the resolution"
    assert result.repaired == [f"{INVALID_PHONE_DOSSIER}:sms"]
    [png] = [name for name in result.files if name.endswith(".png")]
    assert (tmp_path / png).read_bytes().startswith(b"\x89PNG")
    [xml] = [name for name in result.files if name.endswith(".xml")]
    parsed = parse_hdon((tmp_path / xml).read_bytes())
    first_paid = next(d for d in cases if d.will_pay)
    assert f"receipt-{first_paid.code}.xml" == xml
    assert parsed.has_seller_signature
    assert first_paid.fee == int(parsed.document.totals.grand_total)
    # The commune's configuration the demo wrote for its simulators holds no secret, and
    # the outbox commands find the outbox through it.
    config = tmp_path / "connectors.toml"
    for section in sections(load_config(config)):
        secret = provider(section.domain, section.name).settings_class().secret_field_names()
        assert set() == set(section.values) & set(secret)
    status = CliRunner().invoke(app, ["outbox", "status", "--config", str(config), "--json"])
    assert 3 * len(paid) == json.loads(status.stdout)["done"]


def test_a_second_receipt_in_the_vendor_ledger_fails_the_invariant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks count the vendor's ledger: one extra receipt must turn the run red."""
    import connectors.demo.runner as demo_run
    from connectors.demo.report import check_invariants

    def with_a_duplicate(world, portal, feedback_id):  # type: ignore[no-untyped-def]
        world.invoice_sim.ledger.record("invoice", "HS2026000102:receipt-again", number=99)
        return check_invariants(world, portal, feedback_id)

    monkeypatch.setattr(demo_run, "check_invariants", with_a_duplicate)
    result = run(output=tmp_path, console=Console(quiet=True))
    assert not result.ok
    [failure] = result.failures
    assert failure.startswith("one receipt per paid dossier")
    assert "HS2026000102" in failure
