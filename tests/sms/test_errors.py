"""The error vocabulary, every vendor table mapped onto it, and the failover rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import (
    AuthError,
    ConnectionFailed,
    ConnectTimeout,
    Duplicate,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    Rejected,
    ValidationError,
)
from connectors.sms import SMS_ERRORS, SmsErrorCode, TemplateMismatch, code_of, may_fail_over
from connectors.sms.esms import ERRORS as ESMS_ERRORS
from connectors.sms.keys import numeric_request_id, token_request_id
from connectors.sms.mobifone import DEFAULT_PROFILE as MOBIFONE
from connectors.sms.viettel.wire import DEFAULT_PROFILE as VIETTEL
from connectors.sms.viettel.wire import ERROR_TEXTS
from connectors.sms.vnpt import DEFAULT_PROFILE as VNPT
from connectors.sms.vnpt import ERRORS as VNPT_ERRORS
from connectors.vn import InvalidPhoneNumber

C = SmsErrorCode

# code -> (retryable, failover_ok, error class)
VOCABULARY = {
    C.AUTH: (False, True, AuthError),
    C.IP_NOT_ALLOWED: (False, True, AuthError),
    C.INVALID_NUMBER: (False, False, Rejected),
    C.TEMPLATE_MISMATCH: (False, False, Rejected),
    C.BRANDNAME_NOT_REGISTERED_FOR_TELCO: (False, True, Rejected),
    C.DUPLICATE: (False, False, Duplicate),
    C.QUOTA: (False, True, Rejected),
    C.RATE_LIMITED: (True, True, RateLimited),
    C.CONTENT_REJECTED: (False, False, Rejected),
    C.TOO_LONG: (False, False, Rejected),
    C.TEMPORARY: (True, True, ProviderUnavailable),
    C.INVALID_REQUEST: (False, False, Rejected),
    C.UNKNOWN: (False, False, ProviderError),
}


def test_vocabulary_is_complete() -> None:
    assert set(SmsErrorCode) == set(VOCABULARY)


@pytest.mark.parametrize("code", list(SmsErrorCode))
def test_each_code_says_retryable_and_failover_and_builds_its_error(code: SmsErrorCode) -> None:
    retryable, failover_ok, cls = VOCABULARY[code]
    assert (retryable, failover_ok) == (code.retryable, code.failover_ok)
    error = SMS_ERRORS.error(code, "no", provider="p", vendor_code="X", vendor_message="raw text")
    assert cls is type(error)
    assert (code.value, retryable, "X", "raw text") == (
        error.code,
        error.retryable,
        error.vendor_code,
        error.vendor_message,
    )
    assert code is code_of(error)
    assert failover_ok is may_fail_over(error)


def test_the_error_table_is_the_vocabulary() -> None:
    """`SMS_ERRORS` (one `CodeTable`) says each code's class and retryability; the codes'
    own `retryable` agrees with it."""
    classes = {code: SMS_ERRORS.error_class(code) for code in SmsErrorCode}
    assert {code: cls for code, (_r, _f, cls) in VOCABULARY.items()} == classes
    assert [c for c in SmsErrorCode if c.retryable] == [
        c for c in SmsErrorCode if SMS_ERRORS.is_retryable(c)
    ]


@pytest.mark.parametrize(
    ("exc", "allowed"),
    [
        (OutcomeUnknown("maybe", idempotency_key="k"), False),
        (ConnectTimeout("never left"), True),
        (ConnectionFailed("refused", sent=False), True),
        (ConnectionFailed("reset", sent=True), False),
        (ReadTimeout("left"), False),
        (ProviderUnavailable("HTTP 500, no vendor answer"), False),
        (SMS_ERRORS.error(C.TEMPORARY, "explicit", vendor_code="99"), True),
        (AuthError("HTTP 401"), True),
        (RateLimited("HTTP 429"), True),
        (Rejected("HTTP 400"), False),
        (InvalidPhoneNumber("bad"), False),
        (TemplateMismatch("local"), False),
        (ValidationError("bad"), False),
        (ValueError("not ours"), False),
    ],
)
def test_may_fail_over(exc: BaseException, allowed: bool) -> None:
    assert allowed is may_fail_over(exc)


VIETTEL_EXPECTED = {
    "Authenticate: Cp_code: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Authenticate: UserName: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Authenticate: Password: NULL_OR_BLANK": C.INVALID_REQUEST,
    "CP_CODE_NOT_FOUND": C.AUTH,
    "Authenticate: CP_CODE_NOT_FOUND": C.AUTH,
    "WRONG_INFORMATION_AUTHENTICATE": C.AUTH,
    "Authenticate: WRONG_INFORMATION_AUTHENTICATE": C.AUTH,
    "Authenticate: IP_INVALID (YOUR IP: 10.0.0.1)": C.IP_NOT_ALLOWED,
    "Check RequestID: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Check RequestID: REQUEST_ID_NOT_NUMBER": C.INVALID_REQUEST,
    "Check UserID: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Check ReceiverID: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Check ReceiverID: FORMAT_ERROR": C.INVALID_NUMBER,
    "UserID_NOT_EQUAL_ReceiverID": C.INVALID_REQUEST,
    "Unable to check telco from input receiver": C.INVALID_NUMBER,
    "Length of ReceiverID is invalid.": C.INVALID_NUMBER,
    "Check ServiceID: DUPLICATE MESSAGE": C.DUPLICATE,
    "Check ServiceID: ALIAS_INVALID:TELCO=VT": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO,
    "Check ServiceID: ALIAS_INVALID:TELCO=VM": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO,
    "Check CommandCode: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Check CommandCode: COMMAND_CODE_ERROR": C.INVALID_REQUEST,
    "Check Content: NULL_OR_BLANK": C.INVALID_REQUEST,
    "Check Content: MAXLENGTH_LIMIT_1224_BYTE (YOUR_CONTENT: 1500 BYTE)": C.TOO_LONG,
    "Check Content: MSG_ERROR_CONTAIN_BLACKLIST": C.CONTENT_REJECTED,
    "Check template: CONTENT_NOT_MATCH_TEMPLATE": C.TEMPLATE_MISMATCH,
    "Check information error": C.TEMPORARY,
    "Something Viettel never documented": C.UNKNOWN,
}


@pytest.mark.parametrize(("text", "code"), list(VIETTEL_EXPECTED.items()))
def test_every_viettel_error_text_is_mapped(text: str, code: SmsErrorCode) -> None:
    assert code is VIETTEL.code_for(text)


def test_the_viettel_table_covers_every_text_of_the_spec() -> None:
    listed = {text for text, _ in ERROR_TEXTS}
    assert all(any(text in known for known in VIETTEL_EXPECTED) for text in listed)
    assert 23 == len(listed)


VNPT_EXPECTED = {
    "-1": C.TEMPORARY, "1": C.AUTH, "2": C.INVALID_REQUEST, "3": C.INVALID_REQUEST,
    "7": C.TEMPLATE_MISMATCH, "8": C.CONTENT_REJECTED, "9": C.INVALID_REQUEST, "10": C.AUTH,
    "11": C.TOO_LONG, "12": C.CONTENT_REJECTED, "13": C.AUTH,
    "14": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "15": C.AUTH, "16": C.RATE_LIMITED,
    "17": C.CONTENT_REJECTED, "20": C.QUOTA, "21": C.QUOTA, "22": C.QUOTA,
    "23": C.INVALID_NUMBER, "24": C.INVALID_REQUEST,
    "25": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "26": C.CONTENT_REJECTED,
    "30": C.CONTENT_REJECTED, "31": C.AUTH, "32": C.TEMPLATE_MISMATCH, "33": C.DUPLICATE,
}  # fmt: skip


def test_every_vnpt_code_is_mapped() -> None:
    assert VNPT_EXPECTED == {code: VNPT.code_for(code) for code in VNPT_ERRORS}
    assert C.UNKNOWN is VNPT.code_for("999")


ESMS_EXPECTED = {
    "99": C.INVALID_NUMBER, "101": C.AUTH, "102": C.AUTH, "103": C.QUOTA,
    "104": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "105": C.INVALID_REQUEST,
    "107": C.INVALID_REQUEST, "108": C.INVALID_NUMBER, "110": C.INVALID_REQUEST,
    "120": C.INVALID_REQUEST, "124": C.DUPLICATE, "140": C.IP_NOT_ALLOWED,
    "146": C.TEMPLATE_MISMATCH, "171": C.INVALID_REQUEST,
    "177": C.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "199": C.UNKNOWN,
}  # fmt: skip


def test_every_esms_code_is_mapped() -> None:
    assert ESMS_EXPECTED == {code: value[0] for code, value in ESMS_ERRORS.items()}


def test_mobifone_guessed_messages_round_trip() -> None:
    for message, (_status, code) in MOBIFONE.errors.items():
        assert code is MOBIFONE.code_for(message)
        assert message == MOBIFONE.answer_for(code)[1]
    assert C.UNKNOWN is MOBIFONE.code_for("Whatever")


@given(code=st.sampled_from(list(SmsErrorCode)), vendor_code=st.none() | st.text(max_size=5))
def test_failover_rule_for_any_vendor_answer(code: SmsErrorCode, vendor_code: str | None) -> None:
    error = SMS_ERRORS.error(code, "answer", vendor_code=vendor_code)
    explicit = vendor_code is not None
    expected = code.failover_ok and (code is not SmsErrorCode.TEMPORARY or explicit)
    assert expected is may_fail_over(error)
    if code.failover_ok is False:
        assert may_fail_over(error) is False


@given(st.text(min_size=1, max_size=300), st.integers(min_value=8, max_value=64))
def test_request_ids_fit_the_provider_rules(key: str, limit: int) -> None:
    token = token_request_id(key, limit)
    assert 1 <= len(token) <= limit
    assert all(c.isascii() and (c.isalnum() or c in "_.:-") for c in token)
    assert token == token_request_id(key, limit)
    number = numeric_request_id(key, 15)
    assert number.isdigit()
    assert len(number) <= 15
