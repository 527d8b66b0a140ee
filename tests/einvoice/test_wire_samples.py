"""Contract tests on public wire samples (``tests/einvoice/samples/<vendor>/``, each cited in
its README): requests replay through the vendor's simulator, answers through the adapter.

An answer sample is served by a `Canned` simulator (its bytes as found) so the adapter's own
parsing runs on it; a request sample is posted raw to the real simulator.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests

from connectors.core import NotFound, parse_xml
from connectors.einvoice import DocumentStatus, Invoice, Line, Seller
from connectors.einvoice.bkav import BkavKey, decode_json, encode_json
from connectors.einvoice.bkav.wire import DEFAULT_PROFILE as BKAV_PROFILE
from connectors.einvoice.bkav.wire import BkavResult
from connectors.einvoice.gdt import parse_hdon
from connectors.einvoice.vnpt.wire import (
    OPERATIONS,
    SOAP_ENV,
    TEMPURI,
    parse_invoice_list,
    parse_publish_result,
    soap_call,
)
from connectors.testing import mount
from connectors.testing.simulator import SimRequest, SimResponse, Simulator
from connectors.testing.simulators.einvoice.bkav import BkavInvoiceSimulator
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice import vendors
from tests.einvoice.viettel.helpers import URL as VIETTEL_URL
from tests.einvoice.viettel.helpers import make_client as viettel_client
from tests.einvoice.vnpt.helpers import URL as VNPT_URL
from tests.einvoice.vnpt.helpers import make_client as vnpt_client

SAMPLES = Path(__file__).parent / "samples"
HOST = "https://einvoice.sim.test"
WHEN = datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ)
SELLER = Seller(name="Công ty Bán Thử", tax_code="0100109106", address="Số 1 Phố Thử")


def sample(vendor: str, name: str) -> bytes:
    return (SAMPLES / vendor / name).read_bytes()


def sample_json(vendor: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample(vendor, name))
    data.pop("_source")
    return data


class Canned(Simulator):
    """Answers each route with a fixed body, or with what `answer(request)` returns."""

    def __init__(self) -> None:
        super().__init__()

    def canned(
        self, method: str, path: str, answer: SimResponse | Callable[[SimRequest], SimResponse]
    ) -> None:
        self.add_route(method, path, answer if callable(answer) else (lambda _r: answer))


def coded_invoice() -> Invoice:
    return Invoice(
        seller=SELLER,
        template="1",
        symbol="C25TAA",
        issued_at=WHEN,
        lines=[Line(name="Dịch vụ", quantity=1, unit_price=100_000, tax_rate="10%")],
    )


def soap_result(method: str, result: str) -> SimResponse:
    return SimResponse.xml(
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><{method}Response xmlns="{TEMPURI}">'
        f"<{method}Result>{escape(result)}</{method}Result></{method}Response>"
        "</soap:Body></soap:Envelope>"
    )


# -- VNPT ------------------------------------------------------------------------------------


def post_vnpt(service: str, method: str, body: bytes) -> str:
    response = requests.post(
        f"{VNPT_URL}/{service}.asmx",
        data=body,
        headers={"SOAPAction": f'"http://tempuri.org/{method}"', "Content-Type": "text/xml"},
        timeout=5,
    )
    path = f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}{method}Response/{{{TEMPURI}}}{method}Result"
    return parse_xml(response.content).findtext(path) or ""


def test_vnpt_request_samples_declare_the_real_parameters() -> None:
    for name, method in (
        ("GetInvDataByFkey.request.xml", "GetInvDataByFkey"),
        ("listInvByCusFkey.request.xml", "listInvByCusFkey"),
    ):
        found, params = soap_call(sample("vnpt", name))
        assert (method, OPERATIONS[method]) == (found, tuple(params))


def test_vnpt_request_samples_replay_through_the_simulator() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, VNPT_URL):
        vnpt_client().issue(coded_invoice(), idempotency_key="SAMPLE-FKEY-0001")
        coded = post_vnpt(
            "PublishService", "GetInvDataByFkey", sample("vnpt", "GetInvDataByFkey.request.xml")
        )
        listed = post_vnpt(
            "PortalService", "listInvByCusFkey", sample("vnpt", "listInvByCusFkey.request.xml")
        )
    document = parse_hdon(base64.b64decode(coded))
    assert ("C25TAA", 1) == (document.document.symbol, document.document.number)
    assert document.tax_authority_code
    (item,) = parse_invoice_list(listed)
    (expected,) = parse_invoice_list(sample("vnpt", "listInvByCusFkey.result.xml").decode())
    assert (expected.fkey, expected.pattern, expected.serial, expected.number) == (
        item.fkey,
        item.pattern,
        item.serial,
        item.number,
    )
    assert (expected.status, len(expected.publish_date.split("/"))) == (
        item.status,
        len(item.publish_date.split("/")),
    )


def test_vnpt_answer_samples_read_by_the_adapter() -> None:
    sim = VnptInvoiceSimulator()
    sim.answer_next(
        "ImportAndPublishInv", sample("vnpt", "ImportAndPublishInv.result.txt").decode()
    )
    sim.answer_next("listInvByCusFkey", sample("vnpt", "listInvByCusFkey.result.xml").decode())
    sim.answer_next(
        "downloadInvFkey", sample("vnpt", "downloadInvFkeyNoPay.not-found.txt").decode()
    )
    with mount(sim, VNPT_URL):
        client = vnpt_client()
        issued = client.issue(coded_invoice(), idempotency_key="SAMPLE-FKEY-0001")
        got = client.get("SAMPLE-FKEY-0001")
        with pytest.raises(NotFound):
            client.download("SAMPLE-FKEY-0001", "xml")
    assert ("1", "C25TAA", "1") == (issued.number, issued.symbol, issued.template)
    assert (issued.number, issued.symbol, issued.template) == (got.number, got.symbol, got.template)
    assert DocumentStatus.ISSUED == got.status
    assert datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ) == got.issued_at
    replace = sample("vnpt", "ReplaceInvoiceAction.result.txt").decode().strip()
    assert {"key": "2"} == parse_publish_result(
        replace.removeprefix("OK:"), pattern="01GTKT3/001", serial="AA/12E"
    )


# -- Viettel ---------------------------------------------------------------------------------


def viettel_post(path: str, sim: ViettelInvoiceSimulator, **kwargs: Any) -> requests.Response:
    token = next(iter(sim.tokens))
    return requests.post(
        f"{VIETTEL_URL}/services/einvoiceapplication/api{path}",
        cookies={"access_token": token},
        timeout=5,
        **kwargs,
    )


def test_viettel_request_samples_replay_through_the_simulator() -> None:
    sim = ViettelInvoiceSimulator()
    body = sample_json("viettel", "createInvoice.request.json")
    with mount(sim, VIETTEL_URL):
        viettel_client()._access_token()  # a token for the raw requests
        created = viettel_post("/InvoiceAPI/InvoiceWS/createInvoice/0100109106", sim, json=body)
        invoice_no = created.json()["result"]["invoiceNo"]
        form = sample("viettel", "cancelTransactionInvoice.request.form").decode().strip()
        form = form.replace("K24TUT01", invoice_no)
        cancelled = viettel_post(
            "/InvoiceAPI/InvoiceWS/cancelTransactionInvoice",
            sim,
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert 200 == created.status_code
    assert 1_100 == sim.invoices["sample-uuid-000000000001"].total  # totals left to Viettel
    assert (200, "CANCEL TRANSACTION INVOICE SUCCESS") == (
        cancelled.status_code,
        cancelled.json()["description"],
    )
    assert 1 == sim.ledger.count("cancel", "sample-uuid-000000000001")


def viettel_canned(
    create: SimResponse, search: SimResponse | None = None, *, create_status: int = 200
) -> Canned:
    sim = Canned()
    sim.canned(
        "POST",
        "/auth/login",
        SimResponse.json({"access_token": "sample-token", "expires_in": 600}),
    )
    api = "/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS"
    sim.canned("POST", api + "/createInvoice/{tax}", create)
    if search is not None:
        sim.canned("POST", api + "/searchInvoiceByTransactionUuid", search)
    return sim


def viettel_answer(name: str, status: int = 200) -> SimResponse:
    return SimResponse(status, sample("viettel", name), {"Content-Type": "application/json"})


def test_viettel_answer_samples_read_by_the_adapter() -> None:
    doc = Invoice(
        seller=SELLER,
        template="1",
        symbol="K24TUT",
        issued_at=WHEN,
        lines=[Line(name="Dịch vụ", quantity=1, unit_price=1_000, tax_rate="10%")],
    )
    sim = viettel_canned(
        viettel_answer("createInvoice.response.json"),
        viettel_answer("searchInvoiceByTransactionUuid.response.json"),
    )
    with mount(sim, VIETTEL_URL):
        client = viettel_client()
        issued = client.issue(doc, idempotency_key="sample-uuid-000000000001")
        got = client.get("sample-uuid-000000000001")
    assert ("1", "123456", DocumentStatus.ISSUED) == (
        issued.number,
        issued.lookup_code,
        issued.status,
    )
    assert ("1", "K24TUT", "123456") == (got.number, got.symbol, got.lookup_code)
    assert DocumentStatus.ISSUED == got.status
    assert "Chưa thanh toán" == got.raw["status"]
    assert datetime(2024, 1, 1, 7, 0, tzinfo=VN_TZ) == got.issued_at


def test_viettel_500_general_sample_is_looked_up_before_any_resend() -> None:
    doc = Invoice(
        seller=SELLER,
        template="1",
        symbol="K24TUT",
        issued_at=WHEN,
        lines=[Line(name="Dịch vụ", quantity=1, unit_price=1_000, tax_rate="10%")],
    )
    sim = viettel_canned(
        viettel_answer("error-500-general.response.json", 500),
        viettel_answer("searchInvoiceByTransactionUuid.response.json"),
    )
    with mount(sim, VIETTEL_URL):
        issued = viettel_client().issue(doc, idempotency_key="sample-uuid-000000000001")
    assert ["/auth/login", "createInvoice", "/auth/login", "searchInvoice"] == [
        "createInvoice"
        if "createInvoice" in seen.path
        else "searchInvoice"
        if "search" in seen.path
        else seen.path
        for seen in sim.seen
    ]
    assert "1" == issued.number


# -- MISA ------------------------------------------------------------------------------------


def test_misa_request_sample_replays_through_the_simulator() -> None:
    sim = MisaInvoiceSimulator(sleep=lambda _s: None)
    payload = sample_json("misa", "invoice.request.json")
    with mount(sim, HOST):
        vendors.client("misa", HOST).session.token()
        token = next(iter(sim.tokens))
        response = requests.post(
            HOST + "/api/integration/invoice",
            json={"SignType": 2, "InvoiceData": [payload], "PublishInvoiceData": None},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
    (row,) = json.loads(response.json()["publishInvoiceResult"])
    assert (payload["RefID"], None) == (row["RefID"], row["ErrorCode"])
    assert 1 == sim.ledger.count("invoice", payload["RefID"])
    document = parse_hdon(sim.invoices[payload["RefID"]].xml).document
    assert 7_540_000 == document.totals.total_before_tax


def test_misa_answer_sample_read_by_the_adapter() -> None:
    sim = Canned()
    sim.canned(
        "POST",
        "/api/integration/auth/token",
        SimResponse.json({"success": True, "errorCode": None, "data": "sample-token"}),
    )
    sim.canned(
        "POST",
        "/api/integration/invoice",
        SimResponse(
            200, sample("misa", "invoice.response.json"), {"Content-Type": "application/json"}
        ),
    )
    doc = Invoice(
        seller=SELLER,
        template="1",
        symbol="C25MAA",
        issued_at=WHEN,
        lines=[Line(name="Dịch vụ thử", quantity=1, unit_price=100_000, tax_rate="10%")],
    )
    with mount(sim, HOST):
        issued = vendors.client("misa", HOST).issue(doc, "5f1c2b8e-0000-4000-8000-00000000b001")
    assert ("1", "SAMPLETRANSACTION0001", DocumentStatus.ISSUED) == (
        issued.number,
        issued.lookup_code,
        issued.status,
    )


# -- BKAV ------------------------------------------------------------------------------------

BKAV_KEY = BkavKey(bytes(range(32)), bytes(range(16, 32)))


def bkav_exec(command: dict[str, Any]) -> dict[str, Any]:
    envelope = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><ExecCommand xmlns="{TEMPURI}">'
        "<partnerGUID>00000000-test-4000-8000-000000000001</partnerGUID>"
        f"<CommandData>{encode_json(command, BKAV_KEY)}</CommandData>"
        "</ExecCommand></soap:Body></soap:Envelope>"
    )
    response = requests.post(
        HOST + "/WSPublicEHoaDon.asmx",
        data=envelope.encode(),
        headers={"SOAPAction": '"http://tempuri.org/ExecCommand"', "Content-Type": "text/xml"},
        timeout=5,
    )
    result = parse_xml(response.content).findtext(
        f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}ExecCommandResponse/{{{TEMPURI}}}ExecCommandResult"
    )
    answer: dict[str, Any] = decode_json(result or "", BKAV_KEY)
    return answer


def test_bkav_command_sample_replays_through_the_simulator() -> None:
    sim = BkavInvoiceSimulator(sleep=lambda _s: None)
    with mount(sim, HOST):
        answer = bkav_exec(sample_json("bkav", "cmd110.command.json"))
    expected = sample_json("bkav", "cmd110.result.json")
    assert expected.keys() <= answer.keys() | {"isOk", "isError"}
    (row,) = json.loads(answer["Object"])
    assert set(expected["Object"][0]) <= set(row)
    assert (0, 0, "sample-partner-key-0001") == (
        answer["Status"],
        row["Status"],
        row["PartnerInvoiceStringID"],
    )
    assert 1 == sim.ledger.count("create", "sample-partner-key-0001")


def bkav_canned(result: dict[str, Any]) -> Canned:
    sim = Canned()
    encrypted = encode_json(result, BKAV_KEY)
    sim.canned(
        "POST",
        "/WSPublicEHoaDon.asmx",
        SimResponse.xml(
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
            f'<ExecCommandResponse xmlns="{TEMPURI}"><ExecCommandResult>{encrypted}'
            "</ExecCommandResult></ExecCommandResponse></soap:Body></soap:Envelope>"
        ),
    )
    return sim


def test_bkav_result_samples_read_by_the_adapter() -> None:
    with mount(bkav_canned(sample_json("bkav", "cmd800.result.json")), HOST):
        got = vendors.client("bkav", HOST).get("sample-partner-key-0001")
    assert ("12", "1", "C25TAA", DocumentStatus.ISSUED) == (
        got.number,
        got.template,
        got.symbol,
        got.status,
    )
    created = BkavResult.read(sample_json("bkav", "cmd110.result.json"))
    assert (0, "9ea9db57-0000-4000-8000-2fd8b73712fd") == (
        created.status,
        created.rows()[0]["InvoiceGUID"],
    )
    status = BkavResult.read(sample_json("bkav", "cmd801.result.json"))
    assert DocumentStatus.PENDING == BKAV_PROFILE.invoice_statuses[status.obj]  # 11 blank
