"""Amounts in Vietnamese words (đọc số tiền bằng chữ), as printed on invoices and receipts.

Reading rules (einvoice spec 3.3): digits are read in groups of three from the right with the
scale words nghìn (or ngàn), triệu and tỷ. Above 999 tỷ the number of tỷ is itself read and
followed by "tỷ": 10**12 is "một nghìn tỷ", 5 * 10**15 "năm triệu tỷ", 1_001 * 10**9 "một
nghìn không trăm linh một tỷ", 10**18 "một tỷ tỷ". The leading group is read as short as
possible; every later group is read in full ("không trăm", "linh"); all-zero groups are
skipped. `words_to_amount` is the strict inverse, used to check the reader.
"""

from __future__ import annotations

from typing import Literal

from connectors.core.errors import ValidationError

__all__ = ["MAX_AMOUNT_IN_WORDS", "amount_in_words", "words_to_amount"]

MAX_AMOUNT_IN_WORDS = 10**27 - 1
"""The largest magnitude `amount_in_words` reads (just under a tỷ tỷ tỷ)."""

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9


def _group(value: int, *, full: bool, zero_tens: str, four: str) -> list[str]:
    """Words for 0 < value < 1000; `full` reads the hundreds and "linh" even when zero."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(zero_tens)
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
        return words
    words += [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt")
    elif units == 4:
        words.append(four)
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(
    value: int, *, leading: bool, thousand: str, zero_tens: str, four: str
) -> list[str]:
    """Words for 0 <= value < 10**9; the first non-zero group is short only if `leading`."""
    words: list[str] = []
    for scale, scale_word in ((10**6, "triệu"), (10**3, thousand), (1, "")):
        group = value // scale % 1000
        if not group:
            continue
        words += _group(group, full=not leading, zero_tens=zero_tens, four=four)
        if scale_word:
            words.append(scale_word)
        leading = False
    return words


def _number(value: int, *, thousand: str, zero_tens: str, four: str) -> list[str]:
    """Words for value > 0, recursing on the number of tỷ."""
    billions, rest = divmod(value, _BILLION)
    words: list[str] = []
    if billions:
        words += _number(billions, thousand=thousand, zero_tens=zero_tens, four=four)
        words.append("tỷ")
    words += _below_billion(
        rest, leading=not billions, thousand=thousand, zero_tens=zero_tens, four=four
    )
    return words


def amount_in_words(
    amount: int,
    *,
    zero_tens: Literal["linh", "lẻ"] = "linh",
    thousand: Literal["nghìn", "ngàn"] = "nghìn",
    four: Literal["tư", "bốn"] = "tư",
    currency: str = "đồng",
    even_suffix: bool = False,
) -> str:
    """Read a whole amount in Vietnamese words, first letter capitalised, currency appended.

    1250000 -> "Một triệu hai trăm năm mươi nghìn đồng"; 1005 -> "Một nghìn không trăm linh
    năm đồng"; 0 -> "Không đồng"; -21 -> "Âm hai mươi mốt đồng". `zero_tens`, `thousand` and
    `four` pick the vendor's style ("lẻ", "ngàn", "bốn" after 2x-9x); `currency=""` omits the
    unit; `even_suffix` appends " chẵn" (no fractional part). Raises `ValidationError` for a
    non-int (bool and float included), an unknown option or |amount| > MAX_AMOUNT_IN_WORDS.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(
            f"amount must be an int of whole units, got {type(amount).__name__}",
            field="amount",
        )
    if zero_tens not in ("linh", "lẻ"):
        raise ValidationError(
            f"zero_tens must be 'linh' or 'lẻ', not {zero_tens!r}", field="zero_tens"
        )
    if thousand not in ("nghìn", "ngàn"):
        raise ValidationError(
            f"thousand must be 'nghìn' or 'ngàn', not {thousand!r}", field="thousand"
        )
    if four not in ("tư", "bốn"):
        raise ValidationError(f"four must be 'tư' or 'bốn', not {four!r}", field="four")
    if not isinstance(currency, str):
        raise ValidationError("currency must be a str", field="currency")
    if abs(amount) > MAX_AMOUNT_IN_WORDS:
        raise ValidationError("amount too large to read in words", field="amount")

    if amount == 0:
        words = [_DIGITS[0]]
    else:
        words = _number(abs(amount), thousand=thousand, zero_tens=zero_tens, four=four)
        if amount < 0:
            words.insert(0, "âm")
    words += currency.split()
    if even_suffix:
        words.append("chẵn")
    text = " ".join(words)
    return text[0].upper() + text[1:]


# ---- the inverse -----------------------------------------------------------------------

_DIGIT_VALUE = {word: value for value, word in enumerate(_DIGITS)}
# What may follow "mười" and "<2-9> mươi"; năm after a ten is always lăm.
_AFTER_MUOI = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
}  # fmt: skip
# After "<2-9> mươi": mốt (never một), tư or bốn.
_AFTER_MUOI_X = {word: units for word, units in _AFTER_MUOI.items() if word != "một"}
_AFTER_MUOI_X |= {"mốt": 1, "tư": 4}
_ZERO_TENS = {"linh", "lẻ"}
_SCALES = {"triệu": 6, "nghìn": 3, "ngàn": 3}
# The most words a magnitude up to MAX_AMOUNT_IN_WORDS is read with: nine groups of at most
# five ("chín trăm chín mươi chín"), triệu and nghìn in each block of nine digits, two "tỷ".
_MAX_NUMBER_WORDS = 9 * 5 + 3 * 2 + 2


def _shown(text: str, limit: int = 60) -> str:
    """`text` quoted for an error message, cut to `limit` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} chars)"


class _Words:
    """A cursor over lower-case tokens that raises a clear error on anything unexpected."""

    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.text = text

    def peek(self, ahead: int = 0) -> str | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> str:
        word = self.peek()
        if word is None:
            raise self.error("unexpected end")
        self.pos += 1
        return word

    def error(self, problem: str) -> ValidationError:
        where = self.peek()
        at = f" at {_shown(where, 20)}" if where is not None else ""
        return ValidationError(f"cannot read {_shown(self.text)}: {problem}{at}", field="text")


def _parse_group(words: _Words, *, full: bool) -> int:
    """One group of three digits; a `full` group must start with "<digit> trăm"."""
    value = 0
    has_hundreds = words.peek() in _DIGIT_VALUE and words.peek(1) == "trăm"
    if has_hundreds:
        value = 100 * _DIGIT_VALUE[words.take()]
        words.take()
        if not full and value == 0:
            raise words.error('a leading group cannot start with "không trăm"')
    elif full:
        raise words.error('a group after a larger one must be read in full ("... trăm")')
    word = words.peek()
    if word in _ZERO_TENS:
        if not has_hundreds:
            raise words.error(f'"{word}" needs a hundreds digit before it')
        words.take()
        units = _DIGIT_VALUE.get(words.take(), 0)
        if units == 0:
            words.pos -= 1
            raise words.error(f'expected a digit 1-9 after "{word}"')
        return value + units
    if word == "mười":
        words.take()
        units = _AFTER_MUOI.get(words.peek() or "", 0)
        if units:
            words.take()
        return value + 10 + units
    tens = _DIGIT_VALUE.get(word or "", 0)
    if tens >= 2 and words.peek(1) == "mươi":
        words.pos += 2
        units = _AFTER_MUOI_X.get(words.peek() or "", 0)
        if units:
            words.take()
        return value + 10 * tens + units
    if not has_hundreds:
        units = _DIGIT_VALUE.get(words.take(), 0)
        if units == 0:
            words.pos -= 1
            raise words.error("expected a number word")
        return units
    if value == 0:
        raise words.error('an all-zero group is never read ("không trăm" alone)')
    return value


def _parse_below_billion(words: _Words, end: int, *, leading: bool) -> int:
    """Groups with triệu / nghìn / nothing, in decreasing scale, up to token index `end`."""
    total = 0
    last_exponent = 9
    while words.pos < end:
        group = _parse_group(words, full=not leading)
        leading = False
        exponent = _SCALES.get(words.peek() or "", 0) if words.pos < end else 0
        if exponent:
            words.take()
        elif words.pos < end:
            raise words.error("unexpected word")
        if exponent >= last_exponent:
            raise words.error("scale words out of order")
        last_exponent = exponent
        total += group * 10**exponent
    return total


def _parse_number(words: _Words, end: int) -> int:
    """A positive number occupying tokens [pos, end); splits at the last "tỷ"."""
    try:
        last_ty = max(i for i in range(words.pos, end) if words.tokens[i] == "tỷ")
    except ValueError:
        last_ty = -1
    billions = 0
    if last_ty >= 0:
        if last_ty == words.pos:
            raise words.error('"tỷ" needs a number before it')
        billions = _parse_number(words, last_ty)
        words.take()
    rest = _parse_below_billion(words, end, leading=not billions)
    if billions == 0 and rest == 0:  # pragma: no cover - a non-empty span always reads > 0
        raise words.error("expected a number")
    return billions * _BILLION + rest


def words_to_amount(text: str, *, currency: str = "đồng") -> int:
    """Read back an amount written by `amount_in_words`, in any of its styles.

    Strict: accepts exactly what `amount_in_words` can produce for some combination of
    options (linh/lẻ, nghìn/ngàn, tư/bốn, optional "chẵn"), case-insensitively, followed by
    the words of `currency` (pass "" when there is none). Raises `ValidationError` (field
    "text") on anything else, e.g. "mười năm", "hai mươi một", a skipped "không trăm" or
    more words than any amount up to `MAX_AMOUNT_IN_WORDS` needs (so a long text costs
    nothing to refuse); the message quotes at most 60 characters of `text`.
    """
    if not isinstance(text, str):
        raise ValidationError("text must be a str", field="text")
    if not isinstance(currency, str):
        raise ValidationError("currency must be a str", field="currency")
    tokens = text.lower().split()
    if tokens and tokens[-1] == "chẵn":
        tokens.pop()
    unit = currency.lower().split()
    if unit:
        if tokens[-len(unit) :] != unit:
            raise ValidationError(
                f"{_shown(text)} does not end with {_shown(currency)}", field="text"
            )
        del tokens[-len(unit) :]
    words = _Words(tokens, text)
    negative = words.peek() == "âm"
    if negative:
        words.take()
    if words.peek() is None:
        raise words.error("no number")
    if len(tokens) - words.pos > _MAX_NUMBER_WORDS:
        raise ValidationError(
            f"cannot read {_shown(text)}: more than the {_MAX_NUMBER_WORDS} words any amount "
            "up to MAX_AMOUNT_IN_WORDS is read with",
            field="text",
        )
    if words.peek() == "không" and words.peek(1) != "trăm":
        words.take()
        if negative or words.peek() is not None:
            raise words.error('"không" stands alone for zero')
        return 0
    value = _parse_number(words, len(tokens))
    if value > MAX_AMOUNT_IN_WORDS:  # "một tỷ tỷ tỷ": well formed, but never written
        raise ValidationError(f"{_shown(text)} is beyond what amounts are read up to", field="text")
    return -value if negative else value
