"""The command line: the entry point exists from day one."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from connectors import __version__
from connectors.cli import app


def test_version_through_typer_runner() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert 0 == result.exit_code
    assert f"connectors {__version__}\n" == result.output


def test_version_as_installed_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connectors", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == result.returncode, result.stderr
    assert f"connectors {__version__}" == result.stdout.strip()
