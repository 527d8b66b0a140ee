"""The VNPT simulator's own rules, driven with raw SOAP (no adapter in between)."""

from __future__ import annotations

from datetime import datetime

import requests
from lxml import etree

from connectors.core import parse_xml
from connectors.einvoice import Line, Receipt, Seller
from connectors.einvoice.vnpt.wire import SOAP_ENV, TEMPURI, invoice_xml
from connectors.testing import mount
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator
from connectors.vn import VN_TZ

URL = "https://vnpt.sim.test"
DOC = Receipt(
    seller=Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1"),
    template="EBL01",
    symbol="25T",
    lines=[Line.fee("Lệ phí", 30_000)],
    issued_at=datetime(2025, 6, 1, tzinfo=VN_TZ),
)


def publish(xml: str, **overrides: str) -> str:
    params = {
        "Account": "sim-admin",
        "ACpass": "sim-ac-pass",
        "xmlInvData": xml,
        "username": "sim-service",
        "password": "sim-service-pass",
        "pattern": "EBL01",
        "serial": "25T",
        "convert": "0",
        **overrides,
    }
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope")
    call = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{TEMPURI}}}ImportAndPublishInv"
    )
    for name, value in params.items():
        etree.SubElement(call, f"{{{TEMPURI}}}{name}").text = value
    response = requests.post(
        f"{URL}/PublishService.asmx",
        data=etree.tostring(envelope),
        headers={
            "SOAPAction": '"http://tempuri.org/ImportAndPublishInv"',
            "Content-Type": "text/xml",
        },
        timeout=5,
    )
    result = parse_xml(response.content).findtext(
        f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}ImportAndPublishInvResponse/{{{TEMPURI}}}ImportAndPublishInvResult"
    )
    return result or ""


def test_fkey_is_de_duplicated_with_err_13() -> None:
    sim = VnptInvoiceSimulator()
    xml = invoice_xml(DOC, fkey="F-1", issued_at=DOC.issued_at or datetime.now(VN_TZ))
    with mount(sim, URL):
        assert "OK:EBL01;25T-F-1_0000001" == publish(xml)
        assert "ERR:13" == publish(xml)
    assert 1 == sim.ledger.count("invoice", "F-1")


def test_numbers_follow_each_other_per_series() -> None:
    sim = VnptInvoiceSimulator()
    when = DOC.issued_at or datetime.now(VN_TZ)
    with mount(sim, URL):
        results = [publish(invoice_xml(DOC, fkey=f"F-{n}", issued_at=when)) for n in range(3)]
        other = publish(invoice_xml(DOC, fkey="G-1", issued_at=when), serial="26T")
    assert [
        "OK:EBL01;25T-F-0_0000001",
        "OK:EBL01;25T-F-1_0000002",
        "OK:EBL01;25T-F-2_0000003",
    ] == results
    assert "OK:EBL01;26T-G-1_0000001" == other


def test_inconsistent_totals_and_bad_credentials_are_refused() -> None:
    sim = VnptInvoiceSimulator()
    xml = invoice_xml(DOC, fkey="F-1", issued_at=DOC.issued_at or datetime.now(VN_TZ))
    tampered = xml.replace("<TgTTTBSo>30000</TgTTTBSo>", "<TgTTTBSo>30001</TgTTTBSo>")
    assert tampered != xml
    with mount(sim, URL):
        assert "ERR:3" == publish(tampered)
        assert "ERR:3" == publish("<not-xml")
        assert "ERR:1" == publish(xml, ACpass="wrong")
        assert "ERR:7" == publish(xml, password="wrong")
        assert "ERR:35" == publish(xml, serial="")
    assert 0 == len(sim.ledger)
