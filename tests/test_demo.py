"""The main job: `connectors demo` runs on the simulators and checks its invariants."""

from __future__ import annotations

import subprocess
import sys

from rich.console import Console

from connectors.demo import run


def test_demo_subprocess_ends_green() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connectors", "demo", "--dossiers", "6"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "All invariants hold." in result.stdout
    assert "6 receipts in the vendor's ledger" in result.stdout


def test_demo_issues_exactly_one_receipt_per_dossier_through_faults() -> None:
    result = run(dossiers=5, console=Console(quiet=True))
    assert result.ok, result.failures
    assert 5 == result.receipts_in_ledger
    # Four faults were armed, each costing one extra request.
    assert 5 + 4 == result.requests_sent
