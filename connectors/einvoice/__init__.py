"""The e-invoice domain: e-invoices (hóa đơn điện tử) and fee/charge e-receipts (biên lai
điện tử thu phí, lệ phí) issued through a vendor.

- models: `Invoice`, `Receipt`, `Seller`, `Buyer`, `Line`, `TaxRate`, `PaymentMethod`,
  computed `Totals`;
- numbering rules: `is_valid_symbol`, templates (KHMSHDon/KHHDon, EBL01/EBL02 + ``25T``);
- the `InvoiceProvider` protocol and `IssuedDocument`;
- `InvoiceClient`, the base every vendor's adapter is built on (`connectors.einvoice.client`);
- the common result vocabulary `ResultCode` and its error table `INVOICE_ERRORS`.

Vendor adapters live in sub-packages (`connectors.einvoice.vnpt`, `.viettel`, ...); their
simulators on the testing side (`connectors.testing.simulators.einvoice`).
"""

from connectors.einvoice.client import InvoiceClient
from connectors.einvoice.codes import (
    INVOICE_ERRORS,
    Refusal,
    ResultCode,
    VendorCode,
    error_for_code,
    refusal_error,
)
from connectors.einvoice.models import (
    VAT_TEMPLATES,
    Buyer,
    Document,
    DocumentBase,
    Invoice,
    Line,
    LineKind,
    LineTotal,
    PaymentMethod,
    RateTotal,
    Receipt,
    Seller,
    TaxKind,
    TaxRate,
    Totals,
    document_from_json,
)
from connectors.einvoice.provider import (
    PROVIDERS,
    VENDOR_ENV,
    DocumentStatus,
    DownloadFormat,
    InvoiceProvider,
    IssuedDocument,
    Vendor,
    check_key,
    issue_with_lookup,
    new_key,
    provider_from_env,
)
from connectors.einvoice.symbols import (
    INVOICE_TEMPLATES,
    RECEIPT_TEMPLATES,
    SymbolKind,
    is_valid_invoice_symbol,
    is_valid_receipt_symbol,
    is_valid_receipt_template,
    is_valid_symbol,
    is_valid_template,
    make_receipt_symbol,
    make_symbol,
    split_symbol,
)
from connectors.einvoice.totals import compute_totals, tax_on

__all__ = [
    "INVOICE_ERRORS",
    "INVOICE_TEMPLATES",
    "PROVIDERS",
    "RECEIPT_TEMPLATES",
    "VAT_TEMPLATES",
    "VENDOR_ENV",
    "Buyer",
    "Document",
    "DocumentBase",
    "DocumentStatus",
    "DownloadFormat",
    "Invoice",
    "InvoiceClient",
    "InvoiceProvider",
    "IssuedDocument",
    "Line",
    "LineKind",
    "LineTotal",
    "PaymentMethod",
    "RateTotal",
    "Receipt",
    "Refusal",
    "ResultCode",
    "Seller",
    "SymbolKind",
    "TaxKind",
    "TaxRate",
    "Totals",
    "Vendor",
    "VendorCode",
    "check_key",
    "compute_totals",
    "document_from_json",
    "error_for_code",
    "is_valid_invoice_symbol",
    "is_valid_receipt_symbol",
    "is_valid_receipt_template",
    "is_valid_symbol",
    "is_valid_template",
    "issue_with_lookup",
    "make_receipt_symbol",
    "make_symbol",
    "new_key",
    "provider_from_env",
    "refusal_error",
    "split_symbol",
    "tax_on",
]
