"""VNPT's operations as its real WSDLs declare them, and a simulator that reads requests the way
an ASMX server does (issue 11 point 1): unknown elements are absent, so the old wrong
parameter names get ``ERR:1``."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
import requests
from lxml import etree

from connectors.core import NotFound, ProviderUnavailable, parse_xml, wsdl_path
from connectors.einvoice import DocumentStatus, Invoice, Line, Receipt, Seller
from connectors.einvoice.gdt import parse_hdon
from connectors.einvoice.vnpt.wire import OPERATIONS, SERVICES, SOAP_ENV, TEMPURI
from connectors.testing import mount
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice.vnpt.helpers import URL, make_client

XS = "{http://www.w3.org/2001/XMLSchema}"
SELLER = Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1 Phố Thử")
WHEN = datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ)


def receipt() -> Receipt:
    return Receipt(
        seller=SELLER,
        template="EBL01",
        symbol="25T",
        lines=[Line.fee("Lệ phí chứng thực", 50_000)],
        issued_at=WHEN,
    )


def coded_invoice() -> Invoice:
    return Invoice(
        seller=SELLER,
        template="1",
        symbol="C25TAA",
        lines=[Line(name="Dịch vụ", quantity=1, unit_price=100_000, tax_rate="10%")],
        issued_at=WHEN,
    )


def raw_call(
    service: str, method: str, params: list[tuple[str, str]], *, namespace: str | None = TEMPURI
) -> requests.Response:
    """POST a SOAP 1.1 call built by hand: `params` in order, in `namespace` (None: none)."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope")
    call = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{TEMPURI}}}{method}"
    )
    for name, value in params:
        tag = f"{{{namespace}}}{name}" if namespace else name
        etree.SubElement(call, tag).text = value
    return requests.post(
        f"{URL}/{service}.asmx",
        data=etree.tostring(envelope),
        headers={"SOAPAction": f'"http://tempuri.org/{method}"', "Content-Type": "text/xml"},
        timeout=5,
    )


def result_of(response: requests.Response, method: str) -> str:
    path = f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}{method}Response/{{{TEMPURI}}}{method}Result"
    return parse_xml(response.content).findtext(path) or ""


def declared(service: str) -> dict[str, tuple[str, ...]]:
    """Each operation of a shipped WSDL and its parameter elements, in order."""
    path = wsdl_path("connectors.einvoice.vnpt", f"wsdl/{service}.wsdl")
    schema = parse_xml(path.read_bytes()).find(f".//{XS}schema")
    assert schema is not None
    operations = {}
    for element in schema.findall(f"{XS}element"):
        name = element.get("name") or ""
        if name.endswith("Response"):
            continue
        fields = element.findall(f"{XS}complexType/{XS}sequence/{XS}element")
        operations[name] = tuple(field.get("name") or "" for field in fields)
    return operations


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_shipped_wsdls_declare_what_the_real_ones_do(service: str) -> None:
    assert {method: OPERATIONS[method] for method in SERVICES[service]} == declared(service)


def test_the_real_parameter_names_of_the_operations_issue_11_named() -> None:
    """Facts from VNPT's WSDLs (lytranuit/hddt Web References; V6AccountingA_2024 VNPT_78)."""
    assert ("fkey", "userName", "userPass", "account", "accPass", "pattern") == OPERATIONS[
        "GetInvDataByFkey"
    ]
    assert "Attachfile" in OPERATIONS["ReplaceInvoiceAction"]
    assert "AttachFile" in OPERATIONS["AdjustInvoiceAction"]
    assert ("Account", "ACpass", "fkey", "userName", "userPass") == OPERATIONS["cancelInv"]


def test_the_old_wrong_get_inv_data_by_fkey_request_is_refused_err_1() -> None:
    """What the adapter used to send: the credentials under names VNPT does not declare."""
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        make_client().issue(coded_invoice(), idempotency_key="K-1")
        old = raw_call(
            "PublishService",
            "GetInvDataByFkey",
            [
                ("Account", "sim-admin"),
                ("ACpass", "sim-ac-pass"),
                ("fkey", "K-1"),
                ("username", "sim-service"),
                ("password", "sim-service-pass"),
            ],
        )
        right = raw_call(
            "PublishService",
            "GetInvDataByFkey",
            [
                ("fkey", "K-1"),
                ("userName", "sim-service"),
                ("userPass", "sim-service-pass"),
                ("account", "sim-admin"),
                ("accPass", "sim-ac-pass"),
                ("pattern", "1/001"),
            ],
        )
    assert "ERR:1" == result_of(old, "GetInvDataByFkey")
    coded = parse_hdon(base64.b64decode(result_of(right, "GetInvDataByFkey")))
    assert coded.tax_authority_code
    assert ("C25TAA", 1) == (coded.document.symbol, coded.document.number)


def test_parameters_outside_the_tempuri_namespace_are_absent() -> None:
    sim = VnptInvoiceSimulator()
    params = [("key", "K-1"), ("userName", "sim-service"), ("userPass", "sim-service-pass")]
    with mount(sim, URL):
        unqualified = raw_call("PortalService", "listInvByCusFkey", params, namespace=None)
        qualified = raw_call("PortalService", "listInvByCusFkey", params)
    assert "ERR:1" == result_of(unqualified, "listInvByCusFkey")
    assert "<Data/>" == result_of(qualified, "listInvByCusFkey")


def test_an_unknown_soap_action_is_a_soap_fault() -> None:
    with mount(VnptInvoiceSimulator(), URL):
        response = raw_call("PublishService", "GetInvDataByFkeys", [])
    assert 500 == response.status_code
    fault = parse_xml(response.content).findtext(f".//{{{SOAP_ENV}}}Fault/faultstring") or ""
    assert "did not recognize the value of HTTP Header SOAPAction" in fault


def test_replace_sends_attachfile_as_vnpt_spells_it() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key="K-orig")
        client.replace("K-orig", receipt(), reason="Sai tên", idempotency_key="K-new")
        body = next(
            c.request.body
            for c in mock.calls
            if b"ReplaceInvoiceAction>" in (c.request.body or b"")
        )
    call = parse_xml(body).find(f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}ReplaceInvoiceAction")
    assert call is not None
    assert OPERATIONS["ReplaceInvoiceAction"] == tuple(etree.QName(c).localname for c in call)
    assert DocumentStatus.REPLACED == sim.invoices["K-orig"].status


def test_get_reads_list_inv_by_cus_fkey() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key="K-1")
        got = client.get("K-1")
        body = mock.calls[-1].request.body
    call = parse_xml(body).find(f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}listInvByCusFkey")
    assert call is not None
    assert OPERATIONS["listInvByCusFkey"] == tuple(etree.QName(c).localname for c in call)
    assert ("1", "EBL01", "25T", "K-1") == (got.number, got.template, got.symbol, got.lookup_code)
    assert "0000001" == got.raw["invNum"]  # VNPT pads; the adapter does not
    assert got.issued_at is not None
    assert got.issued_at.utcoffset() is not None


def test_tax_authority_xml_is_the_coded_document() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(coded_invoice(), idempotency_key="K-coded")
        client.issue(receipt(), idempotency_key="K-receipt")
        coded = parse_hdon(client.tax_authority_xml("K-coded"))
        with pytest.raises(ProviderUnavailable) as uncoded:
            client.tax_authority_xml("K-receipt")
        with pytest.raises(NotFound):
            client.tax_authority_xml("K-none")
    assert coded.tax_authority_code
    assert ("ERR:24", "temporary") == (uncoded.value.vendor_code, uncoded.value.code)


def test_download_of_an_unknown_fkey_is_not_found_err_6() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        response = raw_call(
            "PortalService",
            "downloadInvFkeyNoPay",
            [("fkey", "K-none"), ("userName", "sim-service"), ("userPass", "sim-service-pass")],
        )
        with pytest.raises(NotFound) as raised:
            make_client().download("K-none", "xml")
    assert "ERR:6" == result_of(response, "downloadInvFkeyNoPay")
    assert ("ERR:6", "not_found") == (raised.value.vendor_code, raised.value.code)
