"""The dossiers the demo runs: who pays how, and what goes wrong on purpose.

Every name, phone number and account here is fake. Codes are ASCII without separators
("HS2026000101"), the form banks keep intact in a transfer's content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["ACCOUNT", "COMMUNE", "DOSSIER_CODE", "Dossier", "Method", "Outcome", "dossiers"]

Method = Literal["vnpay", "momo", "payos", "vietqr"]
Outcome = Literal["paid", "cancelled", "underpaid", "unpaid"]

COMMUNE = {
    "name": "UBND Phường Mẫu (dữ liệu thử)",
    "tax_code": "0100109106",
    "address": "Số 1 Phố Thử, Hà Nội",
}
DOSSIER_CODE = re.compile(r"HS\d{10}")
"""How the demo's dossier codes look ("HS2026000101"), to find them in SMS and feedback text."""
ACCOUNT = "0123456789"
"""The commune's (fake) VPBank account, where VietQR transfers land."""

_FEES = (
    ("Lệ phí đăng ký hộ tịch", 8_000),
    ("Phí chứng thực bản sao", 20_000),
    ("Lệ phí cấp giấy phép xây dựng", 75_000),
    ("Phí thẩm định hồ sơ", 50_000),
    ("Lệ phí đăng ký kinh doanh hộ gia đình", 100_000),
    ("Phí cung cấp thông tin", 15_000),
)
_NAMES = ("Nguyễn Văn Thử", "Trần Thị Mẫu", "Lê Văn Ví Dụ", "Phạm Thị Demo", "Hoàng Văn Giả")
_CARRIER_PREFIXES = ("091", "098", "090", "088", "097", "094")
_PLAN: tuple[tuple[Method, tuple[Outcome, ...]], ...] = (
    ("vnpay", ("paid", "paid", "paid", "paid", "paid", "cancelled")),
    ("momo", ("paid", "paid", "paid", "paid", "cancelled", "paid")),
    ("payos", ("paid", "paid", "paid", "cancelled", "paid", "paid")),
    ("vietqr", ("paid", "paid", "paid", "underpaid", "unpaid", "paid")),
)
INVALID_PHONE_DOSSIER = "HS2026000103"
"""This citizen typed a phone number that is not a Vietnamese mobile: their SMS is refused
before sending and becomes a dead letter, which the demo reports; then the commune's staff
correct the number (CORRECTED_PHONE) and retry the job, as `connectors outbox retry` would."""
CORRECTED_PHONE = "0912000103"


@dataclass(frozen=True)
class Dossier:
    """One administrative dossier (hồ sơ) with a fee to pay."""

    code: str
    citizen: str
    phone: str
    fee_name: str
    fee: int
    method: Method
    outcome: Outcome

    @property
    def will_pay(self) -> bool:
        return self.outcome == "paid"

    @property
    def citizen_ref(self) -> str:
        """The portal's reference to the citizen who filed it (what a `FeePaid` carries)."""
        return "CD" + self.code.removeprefix("HS")


def dossiers() -> list[Dossier]:
    """24 dossiers: six per payment method, with cancellations, an underpayment and an
    unpaid VietQR transfer; one citizen with an invalid phone number."""
    found = []
    number = 101
    for method, outcomes in _PLAN:
        for index, outcome in enumerate(outcomes):
            code = f"HS2026{number:06d}"
            fee_name, fee = _FEES[(number + index) % len(_FEES)]
            prefix = _CARRIER_PREFIXES[number % len(_CARRIER_PREFIXES)]
            phone = f"{prefix}{number:07d}" if code != INVALID_PHONE_DOSSIER else "0241234"
            found.append(
                Dossier(
                    code=code,
                    citizen=_NAMES[number % len(_NAMES)],
                    phone=phone,
                    fee_name=fee_name,
                    fee=fee,
                    method=method,
                    outcome=outcome,
                )
            )
            number += 1
    return found
