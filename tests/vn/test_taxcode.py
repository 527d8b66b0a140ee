import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core.errors import ValidationError
from connectors.vn import TaxCode, is_valid_tax_code, normalize_tax_code, tax_code_check_digit

SETTINGS = settings(database=None, max_examples=300)
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def remainder(first9: str) -> int:
    return sum(int(d) * w for d, w in zip(first9, WEIGHTS, strict=True)) % 11


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("0100109106", True),
        ("0100109107", False),
        ("0100109106-712", True),
        ("0100109106712", True),
        ("010010910", False),
        ("0100109106-00A", False),
        ("0100109106-000", False),
        ("0100109106000", False),
        ("0100109107-712", False),
        (" 0100109106", False),
        ("0100109106 ", False),
        ("0100 109106", False),
        ("01001091O6", False),
        ("010010910612", False),
        ("0100109106-71", False),
        ("0100109106-7120", False),
        ("0100109106_712", False),
        ("0100109106--12", False),
        ("", False),
        ("０１００１０９１０６", False),  # full-width digits
    ],
)
def test_vectors(code: str, valid: bool) -> None:
    assert valid == is_valid_tax_code(code)


def test_check_digit_of_the_spec_example() -> None:
    assert 114 % 11 == remainder("010010910")
    assert 6 == tax_code_check_digit("010010910")


def test_remainder_ten_gives_check_zero_and_zero_gives_none() -> None:
    tens = next(f"{n:09d}" for n in range(10**6) if remainder(f"{n:09d}") == 10)
    zeros = next(f"{n:09d}" for n in range(1, 10**6) if remainder(f"{n:09d}") == 0)
    assert 0 == tax_code_check_digit(tens)
    assert is_valid_tax_code(tens + "0")
    assert None is tax_code_check_digit(zeros)
    assert [] == [d for d in "0123456789" if is_valid_tax_code(zeros + d)]


@pytest.mark.parametrize(
    "first9", ["01001091", "0100109106", "01001091a", "", "０１００１０９１０"]
)
def test_check_digit_needs_nine_ascii_digits(first9: str) -> None:
    with pytest.raises(ValidationError):
        tax_code_check_digit(first9)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0100109106", "0100109106"),
        ("0100109106-712", "0100109106-712"),
        ("0100109106712", "0100109106-712"),
        ("0100109106001", "0100109106-001"),
    ],
)
def test_normalize(code: str, expected: str) -> None:
    assert expected == normalize_tax_code(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("0100109107", "check digit is 7, expected 6"),
        ("0100109106-000", "suffix 000"),
        ("010010910", "10 digits"),
        ("0100109106-00A", "3 digits"),
    ],
)
def test_normalize_says_what_is_wrong(code: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_tax_code(code)
    assert "tax_code" == caught.value.field
    assert reason in str(caught.value)


def test_non_strings_are_invalid_not_errors() -> None:
    assert False is is_valid_tax_code(100109106)  # type: ignore[arg-type]
    assert False is is_valid_tax_code(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        normalize_tax_code(100109106)  # type: ignore[arg-type]


class Seller(pydantic.BaseModel):
    tax_code: TaxCode


def test_pydantic_type_normalises() -> None:
    assert "0100109106-712" == Seller(tax_code="0100109106712").tax_code
    assert "0100109106" == Seller(tax_code="0100109106").tax_code


@pytest.mark.parametrize("value", ["0100109107", "0100109106-000", 100109106, None])
def test_pydantic_type_rejects(value: object) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Seller(tax_code=value)
    assert ("tax_code",) == caught.value.errors()[0]["loc"]


def test_pydantic_error_carries_the_reason() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Seller(tax_code="0100109107")
    assert "check digit is 7, expected 6" in str(caught.value)


# ---- properties --------------------------------------------------------------------------

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@SETTINGS
@given(nine_digits)
def test_exactly_one_completion_unless_remainder_is_zero(first9: str) -> None:
    r = remainder(first9)
    valid = [d for d in "0123456789" if is_valid_tax_code(first9 + d)]
    if r == 0:
        assert None is tax_code_check_digit(first9)
        assert [] == valid
    else:
        assert (10 - r) % 10 == tax_code_check_digit(first9)
        assert [str((10 - r) % 10)] == valid


def test_every_weight_is_invertible_mod_11() -> None:
    # Why a single changed digit is always caught: w * delta is never 0 mod 11 (11 is prime,
    # 0 < |delta| < 11 and no weight is a multiple of 11), so the remainder always moves.
    assert all(w % 11 for w in WEIGHTS)


@SETTINGS
@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(1, 9))
def test_changing_any_one_digit_invalidates(first9: str, position: int, shift: int) -> None:
    check = tax_code_check_digit(first9)
    if check is None:
        return
    code = first9 + str(check)
    changed = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert is_valid_tax_code(code)
    assert not is_valid_tax_code(changed)


@SETTINGS
@given(nine_digits, st.integers(min_value=1, max_value=999))
def test_branch_forms(first9: str, branch: int) -> None:
    check = tax_code_check_digit(first9)
    if check is None:
        return
    head = first9 + str(check)
    assert f"{head}-{branch:03d}" == normalize_tax_code(f"{head}{branch:03d}")
    assert f"{head}-{branch:03d}" == normalize_tax_code(f"{head}-{branch:03d}")
    assert not is_valid_tax_code(f"{head}-000")


@SETTINGS
@given(st.text(max_size=20) | st.text(alphabet="0123456789-", max_size=16))
def test_random_text_never_raises_from_is_valid(text: str) -> None:
    valid = is_valid_tax_code(text)
    try:
        normalized = normalize_tax_code(text)
    except ValidationError:
        assert not valid
    else:
        assert valid
        assert is_valid_tax_code(normalized)
        assert len(normalized) in (10, 14)
