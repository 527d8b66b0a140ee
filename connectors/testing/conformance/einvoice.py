"""The e-invoice conformance suite: one set of checks every `InvoiceProvider` must pass.

A provider's tests subclass `InvoiceProviderConformance` and supply a `harness` fixture
returning an `EInvoiceHarness` (how to build its simulator and a client pointed at a base
URL, and which simulator route the issue call hits). Every test then runs twice: with the
simulator in process (behind `responses`) and on a loopback port.

    class TestVnptConformance(InvoiceProviderConformance):
        @pytest.fixture
        def harness(self) -> EInvoiceHarness:
            return EInvoiceHarness(name="vnpt", make_simulator=VnptInvoiceSimulator,
                                   make_client=make_vnpt_client,
                                   issue_route="ImportAndPublishInv")

The client the harness makes must have a read timeout well under `HOLD` seconds and a retry
policy that does not really sleep. Simulators keep a ledger with one `ledger_kind` entry
per issued document (key = idempotency key) and one `cancel_kind` entry per cancellation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from connectors.core.errors import NotFound, ValidationError
from connectors.core.safexml import parse_xml
from connectors.einvoice.model_lines import Line
from connectors.einvoice.model_parties import Buyer, Seller
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, InvoiceProvider, IssuedDocument
from connectors.testing.faults import CommitThenStatus, TimeoutAfterCommit, TimeoutBeforeProcessing
from connectors.testing.inprocess import mount
from connectors.testing.server import serve
from connectors.testing.simulator import Simulator

__all__ = [
    "HOLD",
    "EInvoiceHarness",
    "InvoiceProviderConformance",
    "sample_invoice",
    "sample_receipt",
]

HOLD = 2.0
"""Seconds a simulated timeout holds the connection: longer than the client's read timeout."""

FAKE_TAX_CODE = "0100109106"
"""A tax code with a valid check digit, used in examples everywhere (not a real customer)."""


def sample_receipt(dossier: str = "HS-000123") -> Receipt:
    """A fee receipt: a commune collects a certification fee from a (fake) citizen."""
    return Receipt(
        seller=Seller(name="UBND Phường Mẫu Thử", tax_code=FAKE_TAX_CODE, address="Số 1 Phố Thử"),
        buyer=Buyer(name="Nguyễn Văn Thử", address="Số 2 Ngõ Mẫu", phone="0900000000"),
        template="EBL01",
        symbol="25T",
        dossier_code=dossier,
        lines=(Line.fee("Lệ phí chứng thực bản sao", 50_000, quantity=2),),
    )


def sample_invoice() -> Invoice:
    """A VAT invoice with two rates and a discount line."""
    return Invoice(
        seller=Seller(name="Công ty Thử Nghiệm", tax_code=FAKE_TAX_CODE, address="Số 3 Phố Thử"),
        buyer=Buyer(legal_name="Đơn vị Mua Thử", tax_code=FAKE_TAX_CODE, address="Số 4"),
        template="1",
        symbol="C25TAA",
        lines=(
            Line(name="Dịch vụ A", unit="lần", quantity=3, unit_price=100_000, tax_rate="10%"),
            Line(name="Hàng B", unit="cái", quantity="1.5", unit_price=20_000, tax_rate="8%"),
        ),
    )


@dataclass(frozen=True)
class EInvoiceHarness:
    """How the suite drives one provider and its simulator."""

    name: str
    """The provider's `name` (and `IssuedDocument.provider`)."""
    make_simulator: Callable[[], Simulator]
    make_client: Callable[[str], InvoiceProvider]
    """A client whose base URL is the argument."""
    issue_route: str
    """The simulator route (name) the issue call reaches, to arm faults on."""
    ledger_kind: str = "invoice"
    cancel_kind: str = "cancel"
    in_process_url: str = "https://einvoice.sim.test"
    documents: tuple[Callable[[], Invoice | Receipt], ...] = field(
        default=(sample_receipt, sample_invoice)
    )
    """Documents the provider must issue; each test uses the first, some use all."""
    status_shows_changes: bool = True
    """`status` tells a cancelled, replaced or adjusted document. False for a vendor whose
    lookup answer has no such field (Viettel: the search answer's ``status`` is the payment
    status); `cancel` must still return the document as cancelled."""
    returns_signed_hdon: bool = True
    """The XML download is the tax-authority `HDon`: checked against our schema, its seller
    signature verified (and trusted, when the simulator has `credentials`) and its content
    compared with what was sent (`connectors.einvoice.gdt.check_returned`)."""

    def document(self) -> Invoice | Receipt:
        return self.documents[0]()


@dataclass
class Running:
    """A simulator and a client talking to it."""

    sim: Simulator
    client: InvoiceProvider
    harness: EInvoiceHarness


@contextmanager
def _running(harness: EInvoiceHarness, runner: str) -> Iterator[Running]:
    sim = harness.make_simulator()
    if runner == "in-process":
        with mount(sim, harness.in_process_url):
            yield Running(sim, harness.make_client(harness.in_process_url), harness)
    else:
        with serve(sim) as base_url:
            yield Running(sim, harness.make_client(base_url), harness)


def _key(name: str) -> str:
    return f"conformance-{name}"


class InvoiceProviderConformance:
    """The suite. Subclass it in a test module and define the `harness` fixture."""

    @pytest.fixture
    def harness(self) -> EInvoiceHarness:  # pragma: no cover - overridden
        raise NotImplementedError("define a `harness` fixture returning an EInvoiceHarness")

    @pytest.fixture(params=["in-process", "loopback"])
    def env(self, request: pytest.FixtureRequest, harness: EInvoiceHarness) -> Iterator[Running]:
        with _running(harness, request.param) as running:
            yield running

    # -- issue and read back -------------------------------------------------------------

    def test_implements_the_protocol(self, env: Running) -> None:
        assert isinstance(env.client, InvoiceProvider)
        assert env.harness.name == env.client.name

    def test_issue_returns_the_document_and_the_vendor_holds_one(self, env: Running) -> None:
        doc = env.harness.document()
        key = _key("issue")
        issued = env.client.issue(doc, idempotency_key=key)
        _check_issued(issued, env.harness, key, doc)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, key)

    def test_every_sample_document_issues(self, env: Running) -> None:
        for index, make in enumerate(env.harness.documents):
            doc = make()
            issued = env.client.issue(doc, idempotency_key=_key(f"sample-{index}"))
            _check_issued(issued, env.harness, _key(f"sample-{index}"), doc)
        assert len(env.harness.documents) == env.sim.ledger.count(env.harness.ledger_kind)

    def test_issue_without_a_key_makes_one(self, env: Running) -> None:
        issued = env.client.issue(env.harness.document())
        assert issued.key
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, issued.key)

    def test_get_returns_what_issue_returned(self, env: Running) -> None:
        key = _key("get")
        issued = env.client.issue(env.harness.document(), idempotency_key=key)
        got = env.client.get(key)
        assert (issued.key, issued.number, issued.symbol, issued.lookup_code) == (
            got.key,
            got.number,
            got.symbol,
            got.lookup_code,
        )
        assert DocumentStatus.ISSUED == env.client.status(key)

    def test_get_of_an_unknown_key_is_not_found(self, env: Running) -> None:
        with pytest.raises(NotFound) as raised:
            env.client.get(_key("never-issued"))
        assert env.harness.name == raised.value.provider
        assert "not_found" == raised.value.code

    def test_download_pdf_and_xml(self, env: Running) -> None:
        key = _key("download")
        env.client.issue(env.harness.document(), idempotency_key=key)
        pdf = env.client.download(key, "pdf")
        assert pdf.startswith(b"%PDF")
        xml = env.client.download(key, "xml")
        root = parse_xml(xml, what="downloaded invoice XML")
        assert root.tag is not None
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind)  # reads add nothing

    def test_returned_xml_is_the_signed_document_that_was_sent(self, env: Running) -> None:
        if not env.harness.returns_signed_hdon:
            pytest.skip(f"{env.harness.name}'s simulator does not return tax-authority XML")
        from connectors.einvoice.gdt import check_returned

        credentials = getattr(env.sim, "credentials", None)  # an InvoiceSimulator's key
        trusted = credentials.certificate if credentials is not None else None
        for index, make in enumerate(env.harness.documents):
            doc = make()
            issued = env.client.issue(doc, idempotency_key=_key(f"xml-{index}"))
            xml = env.client.download(issued.key, "xml")
            checked = check_returned(doc, xml, trusted_certificate=trusted)
            assert checked.signature is not None
            assert checked.signature.trusted is (trusted is not None)
            assert str(checked.parsed.document.number) == issued.number
            assert doc.series == checked.parsed.document.symbol
            assert doc.total == checked.parsed.document.totals.grand_total

    def test_download_refuses_an_unknown_format_before_sending(self, env: Running) -> None:
        seen = len(env.sim.seen)
        with pytest.raises(ValidationError) as raised:
            env.client.download(_key("x"), "docx")  # type: ignore[arg-type]
        assert "format" == raised.value.field
        assert seen == len(env.sim.seen)

    def test_bad_key_is_refused_before_sending(self, env: Running) -> None:
        with pytest.raises(ValidationError) as raised:
            env.client.issue(env.harness.document(), idempotency_key="bad key with spaces")
        assert "idempotency_key" == raised.value.field
        assert [] == env.sim.seen

    # -- idempotency ---------------------------------------------------------------------

    def test_same_key_issues_once(self, env: Running) -> None:
        key = _key("twice")
        first = env.client.issue(env.harness.document(), idempotency_key=key)
        second = env.client.issue(env.harness.document(), idempotency_key=key)
        assert first.number == second.number
        assert first.lookup_code == second.lookup_code
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, key)

    def test_timeout_after_commit_returns_the_one_document(self, env: Running) -> None:
        """THE test: the vendor committed, the answer was lost; one document, found by key."""
        key = _key("lost-answer")
        env.sim.faults.add(env.harness.issue_route, TimeoutAfterCommit(HOLD))
        issued = env.client.issue(env.harness.document(), idempotency_key=key)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, key)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind)
        assert 1 == len(env.sim.requests_to(env.harness.issue_route))  # looked up, not resent
        assert env.client.get(key).number == issued.number
        assert key == issued.key
        assert issued.number
        assert 0 == env.sim.faults.pending()

    def test_a_5xx_after_commit_returns_the_one_document(self, env: Running) -> None:
        """The vendor committed, then answered 500: looked up by key, never created again."""
        key = _key("commit-then-500")
        env.sim.faults.add(env.harness.issue_route, CommitThenStatus(500))
        issued = env.client.issue(env.harness.document(), idempotency_key=key)
        assert 1 == len(env.sim.requests_to(env.harness.issue_route))
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, key)
        assert issued.number
        assert env.client.get(key).number == issued.number

    def test_timeout_before_processing_issues_once(self, env: Running) -> None:
        key = _key("never-arrived")
        env.sim.faults.add(env.harness.issue_route, TimeoutBeforeProcessing(HOLD))
        issued = env.client.issue(env.harness.document(), idempotency_key=key)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, key)
        assert 2 == len(env.sim.requests_to(env.harness.issue_route))
        assert issued.number

    def test_concurrent_issues_are_gap_free_and_duplicate_free(self, env: Running) -> None:
        results: list[IssuedDocument] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def issue(n: int) -> None:
            try:
                doc = env.client.issue(env.harness.document(), idempotency_key=_key(f"c{n}"))
            except BaseException as exc:  # pragma: no cover - reported below
                with lock:
                    errors.append(exc)
                return
            with lock:
                results.append(doc)

        threads = [threading.Thread(target=issue, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert [] == errors
        numbers = sorted(int(d.number or 0) for d in results)
        assert list(range(numbers[0], numbers[0] + 6)) == numbers
        assert 6 == env.sim.ledger.count(env.harness.ledger_kind)

    # -- cancel, replace, adjust ---------------------------------------------------------

    def test_cancel_once_and_again(self, env: Running) -> None:
        key = _key("cancel")
        env.client.issue(env.harness.document(), idempotency_key=key)
        cancelled = env.client.cancel(key, "Lập sai thông tin người nộp")
        assert DocumentStatus.CANCELLED == cancelled.status
        if env.harness.status_shows_changes:
            assert DocumentStatus.CANCELLED == env.client.status(key)
        again = env.client.cancel(key, "Lập sai thông tin người nộp")
        assert DocumentStatus.CANCELLED == again.status
        assert 1 == env.sim.ledger.count(env.harness.cancel_kind, key)

    def test_cancel_needs_a_reason(self, env: Running) -> None:
        with pytest.raises(ValidationError) as raised:
            env.client.cancel(_key("cancel"), "  ")
        assert "reason" == raised.value.field
        assert [] == env.sim.seen

    def test_replace(self, env: Running) -> None:
        key, new_key = _key("original"), _key("replacement")
        original = env.client.issue(env.harness.document(), idempotency_key=key)
        replacement = env.client.replace(
            key, env.harness.document(), reason="Sai địa chỉ", idempotency_key=new_key
        )
        assert new_key == replacement.key
        assert replacement.number != original.number
        if env.harness.status_shows_changes:
            assert DocumentStatus.REPLACED == env.client.status(key)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, new_key)

    def test_adjust(self, env: Running) -> None:
        key, new_key = _key("to-adjust"), _key("adjustment")
        env.client.issue(env.harness.document(), idempotency_key=key)
        adjustment = env.client.adjust(
            key, env.harness.document(), reason="Điều chỉnh tăng", idempotency_key=new_key
        )
        assert new_key == adjustment.key
        if env.harness.status_shows_changes:
            assert DocumentStatus.ADJUSTED == env.client.status(key)
        assert 1 == env.sim.ledger.count(env.harness.ledger_kind, new_key)

    def test_replace_of_an_unknown_key_sends_no_write(self, env: Running) -> None:
        with pytest.raises(NotFound):
            env.client.replace(
                _key("ghost"), env.harness.document(), reason="x", idempotency_key=_key("new")
            )
        assert 0 == env.sim.ledger.count(env.harness.ledger_kind)


def _check_issued(
    issued: IssuedDocument, harness: EInvoiceHarness, key: str, doc: Invoice | Receipt
) -> None:
    assert harness.name == issued.provider
    assert key == issued.key
    assert issued.number
    assert doc.series == issued.symbol
    assert doc.template == issued.template
    assert issued.lookup_code
    assert DocumentStatus.ISSUED == issued.status
    assert isinstance(issued.issued_at, datetime)
    assert issued.issued_at.utcoffset() is not None
