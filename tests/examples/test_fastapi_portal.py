"""The FastAPI example portal, through FastAPI's TestClient against the simulators: a
dossier paid with VNPay is receipted and texted once, whatever the IPN's repeats."""

from __future__ import annotations

import importlib

import requests
from fastapi.testclient import TestClient

from connectors.commune import build, load
from connectors.delivery import JobState, Worker
from tests.examples.simulated import Vendors, vendors

__all__ = ["vendors"]


def test_a_dossier_is_paid_receipted_and_texted_once(vendors: Vendors) -> None:
    portal = importlib.import_module("fastapi_portal.portal")
    code = vendors.new_code()
    app = portal.create_app(vendors.config)
    with TestClient(app, base_url="http://127.0.0.1") as web:
        dossier = {
            "code": code,
            "citizen": "Nguyễn Văn An",
            "phone": "0912345678",
            "fee_name": "Lệ phí chứng thực",
            "fee": 20_000,
        }
        assert 201 == web.post("/dossiers", json=dossier).status_code
        created = web.post(f"/dossiers/{code}/payment").json()
        assert code == created["order_ref"]
        assert 200 == requests.get(created["pay_url"], timeout=5).status_code  # the citizen
        ipn = vendors.vnpay.pay(code)
        first = web.get("/ipn/vnpay", params=ipn.query)
        again = web.get("/ipn/vnpay", params=ipn.query)  # VNPay repeats
        forged = web.get("/ipn/vnpay", params={**ipn.query, "vnp_Amount": "100"})
        status = web.get(f"/dossiers/{code}/payment").json()
    assert b'{"RspCode":"00","Message":"Confirm Success"}' == first.content
    assert b'{"RspCode":"02","Message":"Order already confirmed"}' == again.content
    assert b'{"RspCode":"97","Message":"Invalid signature"}' == forged.content
    assert {"order_ref": code, "status": "paid"} == status

    with build(load(vendors.config)) as adapters:  # the worker, as `connectors outbox run`
        worker = Worker(adapters.outbox, portal.fee_tasks(adapters).tasks(), sleep=lambda _s: None)
        while worker.run_once().handled:
            pass
        jobs = {key: adapters.outbox.get(f"{code}:{key}") for key in ("receipt", "sms")}
    assert {"receipt": JobState.DONE, "sms": JobState.DONE} == {
        key: job.state if job else None for key, job in jobs.items()
    }
    texts = vendors.sms.texts_to("0912345678")
    assert [t for t in texts if code in t] == [
        f"Ho so {code} da thanh toan 20.000 dong. Ma tra cuu bien lai: "
        + texts[-1].rsplit(": ", 1)[1]
    ]
    assert 1 == vendors.invoices.ledger.count("invoice")  # one receipt, issued once
