"""The transfer matcher: outcomes, the normalisation rules, mangled contents (hypothesis)."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from connectors.banks.matching import (
    BankTransfer,
    ExpectedPayment,
    MatchOutcome,
    PaymentState,
    TransferDirection,
    TransferMatcher,
    find_codes,
    match_transfer,
    normalize_code,
)
from connectors.core.errors import ValidationError
from connectors.vn.time import VN_TZ

AT = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)
ACCOUNT = "0123456789"


def transfer(
    content: str,
    amount: int = 50_000,
    *,
    transfer_id: str = "T1",
    direction: TransferDirection = TransferDirection.IN,
    account: str = ACCOUNT,
    code: str | None = None,
) -> BankTransfer:
    return BankTransfer(
        transfer_id=transfer_id,
        account=account,
        amount=amount,
        content=content,
        transferred_at=AT,
        direction=direction,
        code=code,
    )


PAYMENTS = (
    ExpectedPayment("HS-2025-000123", 50_000),
    ExpectedPayment("HS-2025-000124", 30_000),
    ExpectedPayment("HS-2025-000099", 20_000, state=PaymentState.PAID, received=20_000),
)


# -- the model -----------------------------------------------------------------------------


def test_transfer_time_is_expressed_in_gmt7() -> None:
    moved = BankTransfer("T", ACCOUNT, 1, "x", datetime(2025, 1, 1, 23, 30, tzinfo=UTC))
    assert datetime(2025, 1, 2, 6, 30, tzinfo=VN_TZ) == moved.transferred_at
    assert "Asia/Ho_Chi_Minh" == str(moved.transferred_at.tzinfo)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"transfer_id": " "}, "transfer_id"),
        ({"account": ""}, "account"),
        ({"amount": 0}, "amount"),
        ({"amount": 10.0}, "amount"),
        ({"amount": True}, "amount"),
        ({"transferred_at": datetime(2025, 1, 1)}, "transferred_at"),
    ],
)
def test_transfer_refuses_bad_fields(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "transfer_id": "T",
        "account": ACCOUNT,
        "amount": 1,
        "content": "x",
        "transferred_at": AT,
        **kwargs,
    }
    with pytest.raises(ValidationError) as caught:
        BankTransfer(**args)  # type: ignore[arg-type]
    assert field == caught.value.field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dossier_code": "H-1"}, "dossier_code"),
        ({"amount": 0}, "amount"),
        ({"received": -1}, "received"),
        ({"expires_at": datetime(2025, 1, 1)}, "expires_at"),
    ],
)
def test_expected_payment_refuses_bad_fields(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"dossier_code": "HS-1234", "amount": 1, **kwargs}
    with pytest.raises(ValidationError) as caught:
        ExpectedPayment(**args)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_normal_form() -> None:
    assert "HS2025000123" == normalize_code(" hs-2025 000123. ")
    assert "LEPHIHSDD1" == normalize_code("Lệ phí HS-Đđ1")


# -- outcomes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "amount", "outcome", "dossier", "difference"),
    [
        ("HS-2025-000123 LE PHI", 50_000, MatchOutcome.MATCHED, "HS-2025-000123", 0),
        ("hs2025000123", 40_000, MatchOutcome.UNDERPAID, "HS-2025-000123", -10_000),
        ("HS 2025 000123", 60_000, MatchOutcome.OVERPAID, "HS-2025-000123", 10_000),
        ("chuyen tien", 50_000, MatchOutcome.UNKNOWN_DOSSIER, None, None),
        ("HS2025000099", 20_000, MatchOutcome.ALREADY_PAID, "HS-2025-000099", 20_000),
    ],
)
def test_outcomes(
    content: str,
    amount: int,
    outcome: MatchOutcome,
    dossier: str | None,
    difference: int | None,
) -> None:
    result = match_transfer(transfer(content, amount), PAYMENTS)
    assert outcome == result.outcome
    assert dossier == result.dossier_code
    assert difference == result.difference


def test_two_open_dossiers_in_one_content_is_ambiguous() -> None:
    result = match_transfer(transfer("HS2025000124 va HS2025000123", 80_000), PAYMENTS)
    assert MatchOutcome.AMBIGUOUS == result.outcome
    assert ("HS-2025-000124", "HS-2025-000123") == result.candidates
    assert result.payment is None


def test_outgoing_and_other_accounts_are_ignored() -> None:
    out = match_transfer(
        transfer("HS2025000123", direction=TransferDirection.OUT), PAYMENTS, accounts={ACCOUNT}
    )
    other = match_transfer(transfer("HS2025000123", account="999"), PAYMENTS, accounts={ACCOUNT})
    assert (MatchOutcome.IGNORED, MatchOutcome.IGNORED) == (out.outcome, other.outcome)
    assert "999" in other.reason


def test_notifier_code_is_searched_too() -> None:
    result = match_transfer(transfer("thanh toan", code="HS2025000124", amount=30_000), PAYMENTS)
    assert (MatchOutcome.MATCHED, "HS-2025-000124") == (result.outcome, result.dossier_code)


def test_longer_code_wins_over_the_code_it_contains() -> None:
    payments = [ExpectedPayment("HS12345", 1), ExpectedPayment("HS123456", 2)]
    result = match_transfer(transfer("ND HS123456 x", 2), payments)
    assert (MatchOutcome.MATCHED, "HS123456") == (result.outcome, result.dossier_code)
    assert ("HS12345",) == find_codes("HS12345 and nothing else", ["HS12345", "HS123456"])


def test_digit_glued_to_the_code_does_not_match() -> None:
    assert () == find_codes("HS20250001234", ["HS2025000123"])
    assert () == find_codes("MA 92025000123", ["2025000123"])
    assert () == find_codes("12025000123", ["2025000123"])
    # a separator in the original text makes it a boundary again
    assert ("HS2025000123",) == find_codes("HS2025000123 0912345678", ["HS2025000123"])
    assert ("2025000123",) == find_codes("1.2025000123", ["2025000123"])
    # letters glued to the code are bank noise, not a different code
    assert ("HS2025000123",) == find_codes("IBFTHS2025000123CT", ["HS2025000123"])


# -- the stateful matcher ------------------------------------------------------------------


def test_matcher_counts_a_repeated_transfer_once() -> None:
    matcher = TransferMatcher(PAYMENTS)
    first = matcher.match(transfer("HS2025000123", transfer_id="T9"))
    again = matcher.match(transfer("HS2025000123", transfer_id="T9"))
    assert first is again
    assert 1 == len(matcher.results)
    paid = {p.dossier_code: p for p in matcher.payments}["HS-2025-000123"]
    assert (PaymentState.PAID, 50_000) == (paid.state, paid.received)


def test_matcher_accumulates_underpayments() -> None:
    matcher = TransferMatcher(PAYMENTS)
    part = matcher.match(transfer("HS2025000124", 10_000, transfer_id="A"))
    rest = matcher.match(transfer("HS2025000124", 20_000, transfer_id="B"))
    late = matcher.match(transfer("HS2025000124", 30_000, transfer_id="C"))
    assert [MatchOutcome.UNDERPAID, MatchOutcome.MATCHED, MatchOutcome.ALREADY_PAID] == [
        part.outcome,
        rest.outcome,
        late.outcome,
    ]
    assert (-20_000, 0) == (part.difference, rest.difference)
    assert rest.settles
    assert not part.settles


def test_matcher_refuses_two_payments_for_one_code() -> None:
    with pytest.raises(ValidationError) as caught:
        TransferMatcher([ExpectedPayment("HS-1234", 1), ExpectedPayment("hs 1234", 2)])
    assert "dossier_code" == caught.value.field


# -- mangled contents (hypothesis) ---------------------------------------------------------

letters = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=3)
digits = st.text(alphabet=string.digits, min_size=4, max_size=10)
codes = st.builds(lambda p, y, n: f"{p}-{y}-{n}", letters, digits, digits)
PREFIXES = ["", "MBVCB.3278907687.", "IBFT ", "CT DEN:012345 ", "ND: ", "REM Tfr Ac:99 ", "ft"]
SUFFIXES = ["", " CT tu 0123 NGUYEN VAN A", ".Trace 123456", "-FT25001", " le phi", "CT tu 01"]


@st.composite
def mangled(draw: st.DrawFn, code: str) -> str:
    """`code` as a bank might deliver it inside a transfer content."""
    pieces = code.split("-")
    joined = ""
    for index, piece in enumerate(pieces):
        if index:
            joined += draw(st.sampled_from(["", " ", "-", "  ", "."]))
        joined += piece
    cased = "".join(ch.lower() if draw(st.booleans()) else ch for ch in joined)
    prefix = draw(st.sampled_from(PREFIXES))
    suffix = draw(st.sampled_from(SUFFIXES))
    if suffix and suffix[0].isdigit():
        suffix = " " + suffix
    return prefix + cased + suffix


@given(code=codes, others=st.lists(codes, max_size=5), data=st.data())
def test_mangled_content_still_matches_its_dossier(
    code: str, others: list[str], data: st.DataObject
) -> None:
    key = normalize_code(code)
    other_keys = {normalize_code(o) for o in others}
    assume(key not in other_keys)
    content = data.draw(mangled(code), label="content")
    # no other open code may legitimately appear in the content
    assume(not any(k in normalize_code(content) for k in other_keys))
    payments = [ExpectedPayment(code, 50_000)] + [
        ExpectedPayment(o, 10_000) for o in dict.fromkeys(others) if normalize_code(o) != key
    ]
    result = match_transfer(transfer(content), payments)
    assert MatchOutcome.MATCHED == result.outcome
    assert code == result.dossier_code


@given(code=codes, amount=st.integers(1, 10**9), expected=st.integers(1, 10**9), data=st.data())
def test_amount_decides_the_outcome_as_integers(
    code: str, amount: int, expected: int, data: st.DataObject
) -> None:
    content = data.draw(mangled(code), label="content")
    result = match_transfer(transfer(content, amount), [ExpectedPayment(code, expected)])
    want = (
        MatchOutcome.MATCHED
        if amount == expected
        else MatchOutcome.UNDERPAID
        if amount < expected
        else MatchOutcome.OVERPAID
    )
    assert want == result.outcome
    assert amount - expected == result.difference


@given(code=codes, glue=st.text(alphabet=string.digits, min_size=1, max_size=3))
def test_a_longer_number_is_never_taken_for_the_code(code: str, glue: str) -> None:
    content = f"ND {normalize_code(code)}{glue} CT"
    result = match_transfer(transfer(content), [ExpectedPayment(code, 50_000)])
    assert MatchOutcome.UNKNOWN_DOSSIER == result.outcome


def test_public_api() -> None:
    import connectors.banks.matching as matching

    assert {
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
    } == set(matching.__all__)
    assert all(hasattr(matching, name) for name in matching.__all__)
