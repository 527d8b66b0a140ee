"""Steps of the Django example portal, each run in a fresh process with Django's test
`Client` (Django is set up once per process, and another test of the suite configures it
its own way). `python django_steps.py STEP ARGS...` prints the step's result as JSON."""

from __future__ import annotations

import json
import sys
from typing import Any


def run(step: str, code: str, extra: str = "{}") -> Any:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from fees import portal
    from fees.models import Dossier

    try:
        if step == "register":
            call_command("migrate", verbosity=0)
            Dossier.objects.create(code=code, **json.loads(extra))
            return {"registered": code}
        if step == "pay":
            return Client().post(f"/dossiers/{code}/payment").json()
        if step == "ipn":  # VNPay calls twice: the first is confirmed, the second a copy
            answers = [Client().get("/ipn/vnpay", json.loads(extra)) for _ in range(2)]
            paid = Dossier.objects.get(code=code).paid
            return {"answers": [a.content.decode() for a in answers], "paid": paid}
        raise SystemExit(f"unknown step {step!r}")
    finally:
        portal.close()
        connections.close_all()


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:])))
