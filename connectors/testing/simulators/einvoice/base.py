"""What every e-invoice simulator shares: the seller's signing key, signed XML, a PDF.

A vendor signs each invoice with the seller's certificate; a simulator signs with
`credentials` (a throw-away TEST key and certificate when none are given, one per
simulator kind, made once per process: `throwaway_credentials`). Faults after a commit come
from the kit (`CommitThenStatus`, `TimeoutAfterCommit(hold=0)`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import ClassVar
from xml.sax.saxutils import escape

from connectors.core.deprecation import warn_deprecated
from connectors.einvoice.gdt import (
    HDonDocument,
    SellerCredentials,
    generate_test_credentials,
    signed_hdon,
)
from connectors.testing.faults import CommitThenStatus, TimeoutAfterCommit
from connectors.testing.pdf import text_pdf
from connectors.testing.simulator import SimResponse, Simulator
from connectors.testing.simulators.einvoice.pdf import document_pdf

__all__ = ["SOAP_ENV", "InvoiceSimulator", "soap_fault", "throwaway_credentials"]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@cache
def throwaway_credentials(subject: str) -> SellerCredentials:
    """A throw-away TEST key and certificate for `subject`, made once per process."""
    return generate_test_credentials(subject)


class InvoiceSimulator(Simulator):
    """Base of the e-invoice simulators: `credentials` sign every invoice's XML.

    `title` names the simulated vendor on its PDFs and TEST certificate. A vendor's
    simulator passes its `**options` (`credentials`, `sleep`) on to this constructor.
    """

    title: ClassVar[str] = "e-invoice simulator (TEST)"

    def __init__(
        self,
        *,
        credentials: SellerCredentials | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep=sleep)
        self.credentials: SellerCredentials = credentials or throwaway_credentials(self.title)
        """The seller's signing credentials (a TEST key shared by simulators of this kind
        when none are given)."""

    def sign(self, document: HDonDocument) -> bytes:
        """`document` as signed tax-authority XML (``HDon``)."""
        return signed_hdon(document, self.credentials)

    def pdf(self, lines: Sequence[str]) -> bytes:
        """A one-page PDF showing `lines` under the simulator's title."""
        return text_pdf(self.title, list(lines))

    def document_pdf(
        self, document: HDonDocument, *, lookup_code: str | None, key: str | None
    ) -> bytes:
        """The PDF the vendor hands out for `document`: seller, buyer, lines, totals, the
        amount in words, `lookup_code` and `key`, in Vietnamese (`pdf.document_pdf`)."""
        return document_pdf(document, vendor=self.title, lookup_code=lookup_code, key=key)

    def fail_after_commit(
        self,
        route: str,
        *,
        status: int = 500,
        body: bytes = b"",
        content_type: str = "text/plain",
        reset: bool = False,
        times: int = 1,
    ) -> None:
        """Deprecated: arm `CommitThenStatus(status, body, content_type)` (or, for `reset`,
        `TimeoutAfterCommit(hold=0)`) on `route` through `faults.add`."""
        warn_deprecated(
            f"{type(self).__name__}.fail_after_commit",
            "faults.add(route, CommitThenStatus(...)) or TimeoutAfterCommit(hold=0)",
        )
        fault = (
            TimeoutAfterCommit(hold=0) if reset else CommitThenStatus(status, body, content_type)
        )
        self.faults.add(route, fault, times=times)


def soap_fault(code: str, text: str, status: int = 500) -> SimResponse:
    """A SOAP 1.1 fault (``faultcode`` `code`, ``faultstring`` `text`), as ASMX answers."""
    return SimResponse.xml(
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
        f"<faultcode>{escape(code)}</faultcode><faultstring>{escape(text)}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>",
        status,
    )
