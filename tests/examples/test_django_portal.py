"""The Django example portal, through Django's test `Client` (in fresh processes) against
the simulators, and its worker run as a portal runs it: `connectors outbox run --tasks
fees.tasks:fee_tasks --django-settings mysite.settings` from the project's folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.commune import build, load
from tests.examples.simulated import EXAMPLES, Vendors, vendors

__all__ = ["vendors"]

PROJECT = EXAMPLES / "django_portal"
ROOT = EXAMPLES.parent


def _fresh(command: list[str], config: Path, env: dict[str, str] | None = None) -> Any:
    """`command` in a fresh process, from the Django project's folder (the library from
    this checkout, the commune's configuration `config`)."""
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(PROJECT)]),
        "PORTAL_CONFIG": str(config),
        **(env or {}),
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=PROJECT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def outbox_run(config: Path, *options: str) -> Any:
    """`connectors outbox run --config config OPTIONS` as a portal runs it."""
    command = [sys.executable, "-m", "connectors", "outbox", "run", "--config", str(config)]
    return _fresh([*command, *options], config, {"DJANGO_SETTINGS_MODULE": ""})


def step(config: Path, *args: str) -> Any:
    """One step of the portal through Django's test `Client` (`django_steps.py`)."""
    done = _fresh(
        [sys.executable, str(Path(__file__).with_name("django_steps.py")), *args],
        config,
        {"DJANGO_SETTINGS_MODULE": "mysite.settings"},
    )
    assert 0 == done.returncode, done.stderr
    return json.loads(done.stdout)


def test_a_dossier_is_paid_through_django_and_the_worker_sends_receipt_and_sms_once(
    vendors: Vendors,
) -> None:
    pytest.importorskip("django")
    code = vendors.new_code()
    dossier = {
        "citizen": "Trần Thị Bình",
        "phone": "0987654321",
        "fee_name": "Lệ phí hộ tịch",
        "fee": 30_000,
    }
    step(vendors.config, "register", code, json.dumps(dossier))
    created = step(vendors.config, "pay", code)
    assert code == created["order_ref"]
    assert 200 == requests.get(created["pay_url"], timeout=5).status_code  # the citizen pays
    ipn = vendors.vnpay.pay(code)
    received = step(vendors.config, "ipn", code, json.dumps(dict(ipn.query)))
    assert {
        "answers": [
            '{"RspCode":"00","Message":"Confirm Success"}',
            '{"RspCode":"02","Message":"Order already confirmed"}',
        ],
        "paid": True,
    } == received

    worker = outbox_run(
        vendors.config,
        "--tasks",
        "fees.tasks:fee_tasks",
        "--django-settings",
        "mysite.settings",
        "--until-idle",
        "--json",
    )
    assert 0 == worker.returncode, worker.stderr
    assert 2 <= json.loads(worker.stdout)["done"]
    assert 1 == vendors.invoices.ledger.count("invoice")
    assert [code] == [t.split()[2] for t in vendors.sms.texts_to("0987654321")]


def test_tasks_needing_django_without_its_setup_fail_in_one_line_with_exit_6(
    vendors: Vendors,
) -> None:
    build(load(vendors.config)).close()  # the outbox exists: only the tasks fail
    result = outbox_run(vendors.config, "--tasks", "fees.tasks:fee_tasks", "--until-idle")
    assert 6 == result.returncode
    assert result.stderr.startswith("error: importing fees.tasks failed: ")
    assert 1 == len(result.stderr.strip().splitlines()), result.stderr
    broken = outbox_run(
        vendors.config, "--tasks", "fees.tasks:fee_tasks", "--django-settings", "nosuch.settings"
    )
    assert (6, 1) == (broken.returncode, len(broken.stderr.strip().splitlines()))
    assert "django.setup() with nosuch.settings failed: ModuleNotFoundError" in broken.stderr
