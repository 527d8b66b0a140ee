"""The demo's run ends with its report: the figures of the day, from the outbox it wrote,
checked against the demo's own result (counted from the simulators' ledgers)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console

from connectors.demo import run
from connectors.demo.scenario import dossiers
from connectors.report import for_run


def test_for_run_reports_the_demos_day(tmp_path: Path) -> None:
    result = run(output=tmp_path, console=Console(quiet=True))
    assert result.ok, result.failures
    console = Console(record=True, width=120)
    report = for_run(tmp_path / "outbox.db", console=console)
    paid = [d for d in dossiers() if d.will_pay]
    assert dict(Counter(d.method for d in paid)) == report.payments
    assert result.paid == report.receipts == sum(result.findings.receipts.values())
    assert sum(result.findings.sms.values()) == report.sms_sent
    assert (0, 0, 0) == (report.sms_failed, report.sms_dead, report.unknown)
    assert report.delay.longest is not None
    assert report.delay.longest < result.seconds
    assert "Operations report" in console.export_text()
