"""MobiFone's wire module: what the client writes is what the simulator reads."""

from __future__ import annotations

from connectors.sms import SmsErrorCode
from connectors.sms.mobifone.wire import (
    DEFAULT_PROFILE,
    SendForm,
    answer,
    login_form,
    login_of,
    request_spec,
    send_form,
    send_of,
    session_gone,
)


def test_a_send_round_trips_and_a_unicode_one_goes_to_send_2() -> None:
    plain = SendForm("sid-1", "UBNDPHUONG", "84912345678", "Ho so")
    unicode = SendForm("sid-1", "UBNDPHUONG", "84912345678", "Hồ sơ", "ALPHA_UCS2")
    assert ("/smsg/send.jsp", plain) == (
        send_form(plain, DEFAULT_PROFILE)[0],
        send_of(send_form(plain, DEFAULT_PROFILE)[1]),
    )
    path, fields = send_form(unicode, DEFAULT_PROFILE)
    assert ("/smsg/send_2.jsp", "ALPHA_UCS2", unicode) == (
        path,
        fields["enCoding"],
        send_of(fields),
    )


def test_login_round_trips_and_get_puts_the_fields_in_the_query() -> None:
    fields = login_form("user", "pw", DEFAULT_PROFILE)
    assert ("user", "pw") == login_of(fields)
    assert "T" == fields["bindMode"]
    spec = request_spec("https://sms.test/smsg/login.jsp", fields, DEFAULT_PROFILE)
    assert ("POST", fields, None) == (spec.method, spec.data, spec.params)
    get = request_spec("https://sms.test/x", fields, DEFAULT_PROFILE.__class__(method="GET"))
    assert ("GET", fields) == (get.method, get.params)


def test_answers_and_lost_sessions() -> None:
    assert {"status": "200", "message": "Sent"} == answer(None, DEFAULT_PROFILE)
    assert {"status": "429", "message": "TooManyRequests"} == answer(
        SmsErrorCode.RATE_LIMITED, DEFAULT_PROFILE
    )
    assert SmsErrorCode.RATE_LIMITED is DEFAULT_PROFILE.code_for("TooManyRequests: slow down")
    assert session_gone(401, "SessionExpired", DEFAULT_PROFILE)
    assert session_gone(200, '{"message": "NotLoggedIn"}', DEFAULT_PROFILE)
    assert not session_gone(401, "AuthenticationFailed", DEFAULT_PROFILE)
