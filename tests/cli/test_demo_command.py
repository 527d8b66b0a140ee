"""`connectors demo`: the end-to-end run as a command, its JSON summary and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.demo.scenario import INVALID_PHONE_DOSSIER


def test_demo_subprocess_ends_green_with_json_summary(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "connectors", "demo", "--output", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert 0 == result.returncode, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert (24, 19) == (summary["dossiers"], summary["paid"])
    assert all(check["ok"] for check in summary["checks"])
    # The invalid phone number became a dead letter; staff fixed it and the job was retried.
    assert [] == summary["dead_letters"]
    assert [f"{INVALID_PHONE_DOSSIER}:sms"] == summary["repaired"]
    for name in summary["files"]:
        assert (tmp_path / name).stat().st_size > 0


def test_cli_exits_1_when_an_invariant_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connectors.demo.runner as demo_run
    from connectors.demo.report import Findings

    def failing(world, portal, feedback_id):  # type: ignore[no-untyped-def]
        findings = Findings()
        findings.add("a check", False, "made to fail")
        return findings

    monkeypatch.setattr(demo_run, "check_invariants", failing)
    result = CliRunner().invoke(app, ["demo", "--output", str(tmp_path)])
    assert 1 == result.exit_code
    assert "Some invariants failed." in result.stdout
