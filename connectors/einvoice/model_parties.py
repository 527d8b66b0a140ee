"""The parties of an e-invoice or e-receipt: the seller (or collecting body) and the buyer.

Lengths follow the tax-authority XML (NBan/NMua, spec 1.3.1). The buyer of a fee receipt is
usually a citizen with no tax code; a buyer may be left out of a receipt entirely.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from connectors.einvoice.model_base import ModelBase
from connectors.vn.taxcode import TaxCode

__all__ = ["Buyer", "Seller"]

_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_PHONE = re.compile(r"\A\+?[0-9 .()-]{6,20}\Z")
_CITIZEN_ID = re.compile(r"\A\d{12}\Z")
_BUDGET_UNIT = re.compile(r"\A[0-9A-Za-z]{7}\Z")


def _phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise ValueError("a phone number has 6-20 digits, spaces, dots, dashes or a leading +")
    return value


def _email(value: str | None) -> str | None:
    if value is not None and (len(value) > 50 or not _EMAIL.match(value)):
        raise ValueError("not an e-mail address (at most 50 characters)")
    return value


class Seller(ModelBase):
    """The seller, or the state body collecting a fee (đơn vị thu phí, lệ phí)."""

    name: str = Field(min_length=1, max_length=400)
    tax_code: TaxCode
    address: str = Field(min_length=1, max_length=400)
    phone: str | None = None
    email: str | None = None
    bank_account: str | None = Field(default=None, max_length=30)
    bank_name: str | None = Field(default=None, max_length=400)

    check_phone = field_validator("phone")(_phone)
    check_email = field_validator("email")(_email)


class Buyer(ModelBase):
    """The buyer or payer (người mua / người nộp). Only a name is needed for a citizen.

    `name` is the person's name (HVTNMHang); `legal_name` an organisation's name (Ten);
    `citizen_id` the 12-digit CCCD; `budget_unit_code` the 7-character budget-relationship
    code of a state unit (MDVQHNSach).
    """

    name: str | None = Field(default=None, min_length=1, max_length=100)
    legal_name: str | None = Field(default=None, min_length=1, max_length=400)
    tax_code: TaxCode | None = None
    address: str | None = Field(default=None, max_length=400)
    phone: str | None = None
    email: str | None = None
    citizen_id: str | None = None
    budget_unit_code: str | None = None
    customer_code: str | None = Field(default=None, max_length=50)

    check_phone = field_validator("phone")(_phone)
    check_email = field_validator("email")(_email)

    @field_validator("citizen_id")
    @classmethod
    def _check_citizen_id(cls, value: str | None) -> str | None:
        if value is not None and not _CITIZEN_ID.match(value):
            raise ValueError("a citizen identity number (CCCD) is 12 digits")
        return value

    @field_validator("budget_unit_code")
    @classmethod
    def _check_budget_unit(cls, value: str | None) -> str | None:
        if value is not None and not _BUDGET_UNIT.match(value):
            raise ValueError("a budget-relationship unit code (MDVQHNSach) is 7 characters")
        return value

    @model_validator(mode="after")
    def _named(self) -> Buyer:
        if self.name is None and self.legal_name is None:
            raise ValueError("a buyer needs a name or a legal_name")
        return self

    @property
    def display_name(self) -> str:
        """The organisation's name if any, else the person's."""
        return self.legal_name or self.name or ""
