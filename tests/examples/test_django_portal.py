"""The Django example portal, through Django's test `Client` against the simulators, and
its worker run as a portal runs it: `connectors outbox run --tasks fees.tasks:fee_tasks
--django-settings mysite.settings` from the project's folder."""

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


def outbox_run(config: Path, *options: str, env: dict[str, str] | None = None) -> Any:
    """`connectors outbox run` in a fresh process, from the Django project's folder (the
    library from this checkout)."""
    command = [sys.executable, "-m", "connectors", "outbox", "run", "--config", str(config)]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_CONFIG": str(config), **(env or {})}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [*command, *options],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_dossier_is_paid_through_django_and_the_worker_sends_receipt_and_sms_once(
    vendors: Vendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    django = pytest.importorskip("django")
    monkeypatch.setenv("PORTAL_CONFIG", str(vendors.config))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "mysite.settings")
    monkeypatch.syspath_prepend(str(PROJECT))
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from fees import portal
    from fees.models import Dossier

    call_command("migrate", verbosity=0)
    try:
        pay_and_run_the_worker(vendors, Client(), Dossier)
    finally:
        portal.close()
        connections.close_all()


def pay_and_run_the_worker(vendors: Vendors, web: Any, Dossier: Any) -> None:
    code = vendors.new_code()
    Dossier.objects.create(
        code=code,
        citizen="Trần Thị Bình",
        phone="0987654321",
        fee_name="Lệ phí hộ tịch",
        fee=30_000,
    )
    created = web.post(f"/dossiers/{code}/payment").json()
    assert 200 == requests.get(created["pay_url"], timeout=5).status_code  # the citizen pays
    ipn = vendors.vnpay.pay(code)
    first = web.get("/ipn/vnpay", ipn.query)
    again = web.get("/ipn/vnpay", ipn.query)
    assert b'{"RspCode":"00","Message":"Confirm Success"}' == first.content
    assert b'{"RspCode":"02","Message":"Order already confirmed"}' == again.content
    assert Dossier.objects.get(code=code).paid

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
