"""`connectors outbox run --tasks` and the portal's own code: the current directory on
sys.path, a module that fails while importing is one line and exit 6, a name that names
nothing stays a configuration error (4)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.delivery import SqliteOutbox

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A portal project folder, the current directory, with an outbox and three modules."""
    (tmp_path / "good_tasks.py").write_text(
        "from connectors.delivery import Task\n"
        "TASKS = {'record': Task(lambda job: {'ok': True})}\n",
        encoding="utf-8",
    )
    (tmp_path / "broken_tasks.py").write_text(
        "raise RuntimeError('Apps aren\\'t loaded yet.\\nsecond line')\n", encoding="utf-8"
    )
    (tmp_path / "needs_dep.py").write_text("import no_such_dependency_xyz\n", encoding="utf-8")
    SqliteOutbox(tmp_path / "outbox.db").close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "")  # restored after the test, whatever run sets
    for name in ("good_tasks", "broken_tasks", "needs_dep"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    return tmp_path


def run(target: str, *options: str) -> tuple[int, str]:
    command = ["outbox", "run", "--tasks", target, "--db", "outbox.db", "--until-idle"]
    result = runner.invoke(app, [*command, *options])
    return result.exit_code, result.stderr


def test_the_tasks_module_is_found_in_the_current_directory(project: Path) -> None:
    assert (0, "") == run("good_tasks:TASKS")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "broken_tasks:TASKS",
            "error: importing broken_tasks failed: RuntimeError: Apps aren't loaded yet.\n",
        ),
        (
            "needs_dep:TASKS",
            "error: importing needs_dep failed: ModuleNotFoundError: No module named "
            "'no_such_dependency_xyz'\n",
        ),
    ],
)
def test_the_portals_code_failing_on_import_is_one_line_and_exit_6(
    project: Path, target: str, message: str
) -> None:
    assert (int(ExitCode.PORTAL_CODE), message) == run(target)


def test_a_name_that_names_nothing_is_still_a_configuration_error(project: Path) -> None:
    code, stderr = run("no_such_module_xyz:TASKS")
    assert int(ExitCode.CONFIG) == code
    assert stderr.startswith("error: cannot load no_such_module_xyz:TASKS")
    code, stderr = run("good_tasks:NOPE")
    assert int(ExitCode.CONFIG) == code


def test_django_settings_that_do_not_import_are_one_line_and_exit_6(project: Path) -> None:
    code, stderr = run("good_tasks:TASKS", "--django-settings", "no_such_settings_xyz")
    assert int(ExitCode.PORTAL_CODE) == code
    assert stderr.startswith(
        "error: django.setup() with no_such_settings_xyz failed: ModuleNotFoundError"
    )
    assert 1 == len(stderr.splitlines())
