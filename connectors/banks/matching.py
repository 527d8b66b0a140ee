"""Link incoming bank transfers to the dossiers waiting for them (đối chiếu chuyển khoản).

A citizen who pays by VietQR or by typing a transfer has the dossier code in the transfer
content, but banks mangle it on the way: upper or lower case, spaces and hyphens dropped,
their own prefixes ("MBVCB.3278907687.", "IBFT ") and suffixes ("CT tu 0123 ...") added.
The matcher compares *normal forms*: diacritics stripped, upper case, only A-Z and 0-9 kept
("hs-2025 000123" -> "HS2025000123"), then looks for each open dossier's normal form inside
the transfer's.

Two rules keep that safe:
- a longer code found at the same place wins over a shorter one it contains ("HS12" over
  "HS1");
- a code that ends (or starts) with a digit does not match where another digit is glued to
  it with no separator in the original text ("HS1234" is not "HS123"). Such a transfer is
  left for a person (`UNKNOWN_DOSSIER`) rather than credited to the wrong dossier.

The amount is compared as integers: `MATCHED`, `UNDERPAID`, `OVERPAID`; a dossier already
settled gives `ALREADY_PAID`; two open dossiers in one content give `AMBIGUOUS`.

`BankTransfer` (the typed transfer every bank-notification provider produces) lives here
until the domain's `base.py` takes it.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from connectors.core.errors import ValidationError
from connectors.vn.text import strip_diacritics
from connectors.vn.time import to_vn

__all__ = [
    "MIN_CODE_LENGTH",
    "BankTransfer",
    "ExpectedPayment",
    "MatchOutcome",
    "MatchResult",
    "PaymentState",
    "TransferDirection",
    "TransferMatcher",
    "find_codes",
    "match_transfer",
    "normalize_code",
]

MIN_CODE_LENGTH = 4
"""Shortest normal form a dossier code may have: shorter ones would match by accident."""

_NOT_CODE = re.compile(r"[^A-Z0-9]+")


def _check_int(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be whole VND as int", field=name)
    if value < minimum:
        raise ValidationError(f"{name} must be at least {minimum}", field=name)
    return value


class TransferDirection(enum.StrEnum):
    """Money into the account ("in", tiền vào) or out of it ("out", tiền ra)."""

    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class BankTransfer:
    """One transaction on the commune's bank account, as a bank notification reports it.

    - `transfer_id`: the notifier's id for it, the de-duplication key.
    - `amount`: whole VND, int > 0; `direction` in or out.
    - `content`: the transfer content (nội dung chuyển khoản) as the bank delivered it.
    - `transferred_at`: aware, expressed in GMT+7.
    - `reference_code`: the bank's own reference (mã tham chiếu), when given.
    - `code`: a payment code the notifier already recognised in the content, if any.
    - `source`: which notifier reported it ("sepay"...); `raw` the fields as received.
    """

    transfer_id: str
    account: str
    amount: int
    content: str
    transferred_at: datetime
    direction: TransferDirection = TransferDirection.IN
    reference_code: str | None = None
    bank: str | None = None
    code: str | None = None
    sub_account: str | None = None
    source: str = "bank"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.transfer_id, str) or not self.transfer_id.strip():
            raise ValidationError("transfer_id must be non-empty text", field="transfer_id")
        if not isinstance(self.account, str) or not self.account.strip():
            raise ValidationError("account must be non-empty text", field="account")
        _check_int(self.amount, "amount", minimum=1)
        if not isinstance(self.content, str):
            raise ValidationError("content must be text", field="content")
        try:
            object.__setattr__(self, "transferred_at", to_vn(self.transferred_at))
        except ValidationError:
            raise ValidationError(
                "transferred_at must be an aware datetime", field="transferred_at"
            ) from None
        object.__setattr__(self, "direction", TransferDirection(self.direction))


class PaymentState(enum.StrEnum):
    """A fee's state as the portal records it."""

    OPEN = "open"
    PAID = "paid"


def normalize_code(text: str) -> str:
    """The normal form of a dossier code or content: no diacritics, upper case, A-Z 0-9 only.

    "hs-2025 000123" -> "HS2025000123"; "Lệ phí HS-1" -> "LEPHIHS1".
    """
    return _NOT_CODE.sub("", strip_diacritics(text).upper())


@dataclass(frozen=True, slots=True)
class ExpectedPayment:
    """A fee the portal expects for one dossier (hồ sơ).

    - `amount`: the fee, whole VND (int > 0); `received`: whole VND already received.
    - `state`: the portal's view (open or paid).
    - `order_refs`: gateway order references used for this dossier (VNPay's TxnRef...),
      for reconciliation against gateway notifications.
    - `expires_at`: when an unpaid payment intent lapses (aware), if known.
    """

    dossier_code: str
    amount: int
    state: PaymentState = PaymentState.OPEN
    received: int = 0
    order_refs: tuple[str, ...] = ()
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.dossier_code, str):
            raise ValidationError("dossier_code must be text", field="dossier_code")
        if len(normalize_code(self.dossier_code)) < MIN_CODE_LENGTH:
            raise ValidationError(
                f"dossier_code needs at least {MIN_CODE_LENGTH} letters or digits",
                field="dossier_code",
            )
        _check_int(self.amount, "amount", minimum=1)
        _check_int(self.received, "received", minimum=0)
        object.__setattr__(self, "state", PaymentState(self.state))
        object.__setattr__(self, "order_refs", tuple(self.order_refs))
        if self.expires_at is not None:
            try:
                object.__setattr__(self, "expires_at", to_vn(self.expires_at))
            except ValidationError:
                raise ValidationError(
                    "expires_at must be an aware datetime", field="expires_at"
                ) from None

    @property
    def key(self) -> str:
        """The normal form of the dossier code, what contents are searched for."""
        return normalize_code(self.dossier_code)

    @property
    def outstanding(self) -> int:
        """Whole VND still to receive (0 once covered)."""
        return max(self.amount - self.received, 0)


class MatchOutcome(enum.StrEnum):
    """What an incoming transfer means for the portal."""

    MATCHED = "matched"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    UNKNOWN_DOSSIER = "unknown_dossier"
    AMBIGUOUS = "ambiguous"
    ALREADY_PAID = "already_paid"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome for one transfer.

    `payment` is the dossier's expected payment (for matched, underpaid, overpaid and
    already-paid); `candidates` the dossier codes found when ambiguous; `reason` a short
    explanation for a person.
    """

    outcome: MatchOutcome
    transfer: BankTransfer
    payment: ExpectedPayment | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""

    @property
    def dossier_code(self) -> str | None:
        """The dossier the transfer was linked to, if one."""
        return None if self.payment is None else self.payment.dossier_code

    @property
    def difference(self) -> int | None:
        """Whole VND received minus outstanding before this transfer (negative: underpaid)."""
        if self.payment is None:
            return None
        return self.transfer.amount - self.payment.outstanding

    @property
    def settles(self) -> bool:
        """True when the dossier's fee is now covered (matched or overpaid)."""
        return self.outcome in (MatchOutcome.MATCHED, MatchOutcome.OVERPAID)


def _compact(text: str) -> tuple[str, list[bool]]:
    """The normal form of `text` and, per kept character, whether a separator preceded it."""
    chars: list[str] = []
    gaps: list[bool] = []
    gap = True
    for ch in strip_diacritics(text).upper():
        if ch.isascii() and ch.isalnum():
            chars.append(ch)
            gaps.append(gap)
            gap = False
        else:
            gap = True
    return "".join(chars), gaps


def find_codes(text: str, keys: Iterable[str]) -> tuple[str, ...]:
    """The normalised `keys` that occur in `text`, in order of first occurrence.

    `keys` must already be normal forms (`normalize_code`). Applies the two rules of the
    module docstring: longer codes win over codes they contain at the same place; a code
    with a digit glued to its digits (no separator in `text`) does not count.
    """
    compact, gaps = _compact(text)
    spans: list[tuple[int, int, str]] = []
    for key in set(keys):
        if not key:
            continue
        start = compact.find(key)
        while start != -1:
            end = start + len(key)
            glued_before = (
                start > 0 and not gaps[start] and key[0].isdigit() and compact[start - 1].isdigit()
            )
            glued_after = (
                end < len(compact)
                and not gaps[end]
                and key[-1].isdigit()
                and compact[end].isdigit()
            )
            if not (glued_before or glued_after):
                spans.append((start, end, key))
            start = compact.find(key, start + 1)
    kept: dict[str, int] = {}
    for start, end, key in spans:
        covered = any(
            other != key and len(other) > len(key) and s <= start and end <= e
            for s, e, other in spans
        )
        if not covered and (key not in kept or start < kept[key]):
            kept[key] = start
    return tuple(sorted(kept, key=lambda k: (kept[k], k)))


def _search_text(transfer: BankTransfer) -> str:
    return f"{transfer.code} . {transfer.content}" if transfer.code else transfer.content


def match_transfer(
    transfer: BankTransfer,
    payments: Iterable[ExpectedPayment],
    *,
    accounts: Collection[str] | None = None,
) -> MatchResult:
    """Decide what `transfer` pays for among `payments` (pure: nothing is changed).

    `accounts`, when given, are the commune's own account numbers: a transfer to any other
    account is `IGNORED`, as is money going out. The dossier code is looked for in the
    transfer's content (and in the notifier's recognised `code`).
    """
    if transfer.direction is not TransferDirection.IN:
        return MatchResult(MatchOutcome.IGNORED, transfer, reason="money going out")
    if accounts is not None and transfer.account not in accounts:
        return MatchResult(
            MatchOutcome.IGNORED, transfer, reason=f"account {transfer.account} is not ours"
        )
    by_key: dict[str, ExpectedPayment] = {}
    for payment in payments:
        by_key.setdefault(payment.key, payment)
    found = find_codes(_search_text(transfer), by_key)
    if not found:
        return MatchResult(
            MatchOutcome.UNKNOWN_DOSSIER, transfer, reason="no open dossier code in the content"
        )
    if len(found) > 1:
        codes = tuple(by_key[key].dossier_code for key in found)
        return MatchResult(
            MatchOutcome.AMBIGUOUS,
            transfer,
            candidates=codes,
            reason=f"the content names {len(codes)} dossiers",
        )
    payment = by_key[found[0]]
    if payment.state is PaymentState.PAID or payment.outstanding == 0:
        return MatchResult(
            MatchOutcome.ALREADY_PAID, transfer, payment, reason="the fee was already paid"
        )
    difference = transfer.amount - payment.outstanding
    if difference == 0:
        return MatchResult(MatchOutcome.MATCHED, transfer, payment)
    if difference < 0:
        return MatchResult(
            MatchOutcome.UNDERPAID, transfer, payment, reason=f"{-difference} VND short"
        )
    return MatchResult(MatchOutcome.OVERPAID, transfer, payment, reason=f"{difference} VND over")


class TransferMatcher:
    """`match_transfer` with memory: the portal's open payments, updated as money arrives.

    A transfer seen before (same `transfer_id`) returns its first result and changes
    nothing, so a webhook delivered three times is counted once. Underpayments accumulate
    in `received`: a second transfer making up the difference is `MATCHED`. Thread-safe.
    """

    def __init__(
        self,
        payments: Iterable[ExpectedPayment],
        *,
        accounts: Collection[str] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._payments: dict[str, ExpectedPayment] = {}
        for payment in payments:
            if payment.key in self._payments:
                raise ValidationError(
                    f"two payments share the dossier code {payment.dossier_code!r}",
                    field="dossier_code",
                )
            self._payments[payment.key] = payment
        self._accounts = None if accounts is None else frozenset(accounts)
        self._results: dict[str, MatchResult] = {}

    @property
    def payments(self) -> tuple[ExpectedPayment, ...]:
        """The payments as they stand now."""
        with self._lock:
            return tuple(self._payments.values())

    @property
    def results(self) -> tuple[MatchResult, ...]:
        """Every distinct transfer's result, in arrival order."""
        with self._lock:
            return tuple(self._results.values())

    def match(self, transfer: BankTransfer) -> MatchResult:
        """The result for `transfer`; updates the dossier it pays for (once per transfer id)."""
        with self._lock:
            previous = self._results.get(transfer.transfer_id)
            if previous is not None:
                return previous
            result = match_transfer(transfer, self._payments.values(), accounts=self._accounts)
            if result.payment is not None and result.outcome in (
                MatchOutcome.MATCHED,
                MatchOutcome.UNDERPAID,
                MatchOutcome.OVERPAID,
            ):
                payment = result.payment
                received = payment.received + transfer.amount
                state = PaymentState.PAID if received >= payment.amount else payment.state
                self._payments[payment.key] = replace(payment, received=received, state=state)
            self._results[transfer.transfer_id] = result
            return result
