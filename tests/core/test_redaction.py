"""The redactor: secret fields masked by name, secret values masked everywhere."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus, urlencode
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import SecretStr

from connectors.core.redaction import DEFAULT_SECRET_FIELDS, MASK, RedactingFilter, Redactor

SECRET = "S3cr3t-Hash/Key+2025"
REDACTOR = Redactor(["vnp_SecureHash", "hash_secret", "ApiKey"], [SECRET])

SOAP_WITH_WSSE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
  <soap:Header>
    <wsse:Security>
      <wsse:UsernameToken>
        <wsse:Username>dvc_hanoi</wsse:Username>
        <wsse:Password Type="#PasswordDigest">c2VjcmV0ZGlnZXN0</wsse:Password>
        <wsse:Nonce>bm9uY2UtMTIz</wsse:Nonce>
      </wsse:UsernameToken>
    </wsse:Security>
  </soap:Header>
  <soap:Body>
    <ImportInv xmlns="http://tempuri.org/">
      <Account>dvc_hanoi</Account>
      <ACpass>p@ss-123</ACpass>
      <pass>hunter22</pass>
      <xmlInvData>&lt;Inv&gt;&lt;password&gt;inner-pw&lt;/password&gt;&lt;/Inv&gt;</xmlInvData>
    </ImportInv>
  </soap:Body>
</soap:Envelope>"""


# -- field names -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hash_secret", "HashSecret", "hash-secret", "HASH_SECRET"])
def test_field_names_match_ignoring_case_and_separators(name: str) -> None:
    assert {name: MASK, "amount": "50000"} == REDACTOR.json_obj({name: "x1", "amount": "50000"})
    assert f"{name}={MASK}&amount=50000" == REDACTOR.form(f"{name}=x1&amount=50000")


@pytest.mark.parametrize("name", DEFAULT_SECRET_FIELDS)
def test_default_names_are_always_secret(name: str) -> None:
    assert Redactor().is_secret(name)
    assert Redactor().is_secret(name.upper().replace("_", "-"))


def test_ordinary_names_are_not_secret() -> None:
    names = ["amount", "orderId", "tokens_used", "passport", "x-request-id", "content-type"]

    assert [] == [name for name in names if Redactor().is_secret(name)]


def test_with_fields_and_with_values_return_new_redactors() -> None:
    base = Redactor()

    extended = base.with_fields("vnp_SecureHash").with_values("abcdef123")

    assert "vnp_SecureHash=1" == base.query("vnp_SecureHash=1")
    assert f"vnp_SecureHash={MASK}" == extended.query("vnp_SecureHash=1")
    assert f"x {MASK} y" == extended.text("x abcdef123 y")
    assert "x abcdef123 y" == base.text("x abcdef123 y")


def test_short_values_are_ignored() -> None:
    redactor = Redactor(secret_values=["abc", "", b"xy"])

    assert "abc xy" == redactor.text("abc xy")


def test_a_redactor_is_immutable() -> None:
    with pytest.raises(AttributeError):
        REDACTOR._fields = frozenset()


def test_repr_shows_no_values() -> None:
    assert SECRET not in repr(REDACTOR)


# -- headers ---------------------------------------------------------------------------


def test_headers() -> None:
    headers = {
        "Authorization": "Bearer eyJhbGciOi.xyz",
        "proxy-authorization": "Basic dXNlcjpwdw==",
        "X-Api-Key": "k-123456",
        "Cookie": "sid=abc123; lang=vi",
        "Set-Cookie": "sid=abc123; Path=/; HttpOnly",
        "Content-Type": "application/json",
        "X-Debug": f"key was {SECRET}",
        "Signature": "keyId=a,signature=b",
    }

    assert {
        "Authorization": f"Bearer {MASK}",
        "proxy-authorization": f"Basic {MASK}",
        "X-Api-Key": MASK,
        "Cookie": f"sid={MASK}; lang={MASK}",
        "Set-Cookie": f"sid={MASK}; Path=/; HttpOnly",
        "Content-Type": "application/json",
        "X-Debug": f"key was {MASK}",
        "Signature": MASK,
    } == REDACTOR.headers(headers)


def test_an_authorization_without_scheme_is_masked_whole() -> None:
    assert {"Authorization": MASK} == Redactor().headers({"Authorization": "opaque-token"})


# -- URLs, query strings, forms --------------------------------------------------------


def test_url_masks_secret_parameters_and_keeps_the_rest_byte_for_byte() -> None:
    url = (
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=1000000"
        "&vnp_OrderInfo=Nop+le+phi%20HS2025000123&vnp_SecureHash=abc123def&token=&x"
    )

    assert (
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=1000000"
        f"&vnp_OrderInfo=Nop+le+phi%20HS2025000123&vnp_SecureHash={MASK}&token=&x"
    ) == REDACTOR.url(url)


def test_url_masks_the_userinfo_password_and_fragment_tokens() -> None:
    url = "https://dvc:p%40ss@127.0.0.1:8443/cb?a=1#access_token=tok123&state=s"

    assert f"https://dvc:{MASK}@127.0.0.1:8443/cb?a=1#access_token={MASK}&state=s" == (
        REDACTOR.url(url)
    )


def test_url_masks_a_secret_value_in_any_encoding() -> None:
    url = f"https://h/p/{quote(SECRET, safe='')}?a={quote_plus(SECRET)}&b=pre{quote(SECRET)}"

    assert f"https://h/p/{MASK}?a={MASK}&b={MASK}" == REDACTOR.url(url)


def test_url_without_secrets_is_unchanged() -> None:
    url = "https://example.test/a%2Fb/c?q=Hà+Nội&x=1&&y#frag"

    assert url == REDACTOR.url(url)


def test_query_keeps_a_leading_question_mark() -> None:
    assert f"?password={MASK}&a=b" == REDACTOR.query("?password=x&a=b")


def test_form_accepts_bytes() -> None:
    body = "apiKey=AK-1&msg=Hồ sơ đã tiếp nhận".encode()

    assert f"apiKey={MASK}&msg=Hồ sơ đã tiếp nhận" == REDACTOR.form(body)


# -- JSON ------------------------------------------------------------------------------


def test_json_text_masks_keys_recursively() -> None:
    body = {
        "partnerCode": "MOMO",
        "signature": "44d90e1a",
        "items": [{"ApiKey": {"nested": 1}}, {"note": f"sent {SECRET}"}],
        "count": 2,
    }

    assert {
        "partnerCode": "MOMO",
        "signature": MASK,
        "items": [{"ApiKey": MASK}, {"note": f"sent {MASK}"}],
        "count": 2,
    } == json.loads(REDACTOR.json_text(json.dumps(body).encode()))


def test_json_obj_copies_and_keeps_types() -> None:
    original: dict[str, Any] = {"token": "t", "pair": ("a", SECRET), "n": None, "ok": True}

    masked = REDACTOR.json_obj(original)

    assert {"token": MASK, "pair": ("a", MASK), "n": None, "ok": True} == masked
    assert "t" == original["token"]


def test_json_obj_masks_a_number_that_is_a_secret() -> None:
    assert {"otp": MASK} == Redactor(secret_values=["20250102"]).json_obj({"otp": 20250102})


def test_json_text_falls_back_to_text_when_not_json() -> None:
    assert f'{{"password": "{MASK}", broken' == REDACTOR.json_text('{"password": "x", broken')


# -- XML -------------------------------------------------------------------------------


def test_xml_masks_ws_security_and_secret_elements() -> None:
    masked = REDACTOR.xml(SOAP_WITH_WSSE)

    assert "<wsse:Username>dvc_hanoi</wsse:Username>" in masked
    assert f'<wsse:Password Type="#PasswordDigest">{MASK}</wsse:Password>' in masked
    assert f"<wsse:Nonce>{MASK}</wsse:Nonce>" in masked
    assert f"<pass>{MASK}</pass>" in masked
    assert "<ACpass>p@ss-123</ACpass>" in masked  # not a secret name: adapters add it
    assert f"&lt;password&gt;{MASK}&lt;/password&gt;" in masked  # escaped XML inside
    for value in ("c2VjcmV0ZGlnZXN0", "bm9uY2UtMTIz", "hunter22", "inner-pw"):
        assert value not in masked


def test_xml_masks_attributes_and_nested_content() -> None:
    body = b'<r token="t1" id="7"><ns:ApiKey xmlns:ns="urn:x"><k>v1</k>tail</ns:ApiKey></r>'

    assert f'<r token="{MASK}" id="7"><ns:ApiKey xmlns:ns="urn:x">{MASK}</ns:ApiKey></r>' == (
        REDACTOR.xml(body)
    )


@pytest.mark.parametrize(
    "body",
    [
        "<a><password>hunter22</a>",
        "<a><password>hunter22",
        '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a><password>hunter22</password>&x;</a>',
        "<a><wsse:Password><![CDATA[hunter22]]></wsse:Password></a>",
    ],
)
def test_xml_never_raises_and_still_masks_malformed_documents(body: str) -> None:
    masked = REDACTOR.xml(body)

    assert "hunter22" not in masked
    assert "root:" not in masked


def test_xml_falls_back_for_billion_laughs() -> None:
    lol = '<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;<token>tk99</token></l>'

    assert "tk99" not in REDACTOR.xml(lol)


# -- free text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login password=hunter22 ok", f"login password={MASK} ok"),
        ("api_key='a b c' next", f"api_key='{MASK}' next"),
        ("{'token': b'zz', \"n\": 1}", f"{{'token': b'{MASK}', \"n\": 1}}"),
        ('{"secret": 12345, "x": "y"}', f'{{"secret": "{MASK}", "x": "y"}}'),
        ("Authorization: Basic dXNlcjpwdw==\nX: y", f"Authorization: Basic {MASK}\nX: y"),
        ("password: hunter22", f"password: {MASK}"),
        ("<wsse:Nonce>bm9uY2U=</wsse:Nonce>", f"<wsse:Nonce>{MASK}</wsse:Nonce>"),
        ("<token/>visible", "<token/>visible"),
        ("token=&password=", "token=&password="),
        ("password = hunter22", f"password = {MASK}"),
    ],
)
def test_text_patterns(text: str, expected: str) -> None:
    assert expected == Redactor().text(text)


def test_text_masks_encoded_forms_of_secret_values() -> None:
    basic = base64.b64encode(f"dvc_hanoi:{SECRET}".encode()).decode()
    forms = [
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(SECRET, safe="")),
        base64.b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(SECRET.encode()).decode(),
        json.dumps(SECRET),
    ]

    masked = REDACTOR.text(f"Basic {basic} " + " ".join(forms))

    assert SECRET not in masked
    assert basic not in masked
    assert [] == [form for form in forms if form in masked]


def test_secret_values_may_be_bytes_or_secretstr() -> None:
    key = bytes(range(200, 216))
    redactor = Redactor(secret_values=[key, SecretStr("sk_live_123456")])

    assert MASK == redactor.text(key.hex())
    assert MASK == redactor.text(base64.b64encode(key).decode())
    assert f"a{MASK}b" == redactor.text("ask_live_123456b")


def test_masking_that_forms_a_new_occurrence_is_repeated() -> None:
    redactor = Redactor(secret_values=["x***"])

    assert MASK == redactor.text("xxxx***")


# -- body and excerpt ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"token": "t"}', "application/json; charset=utf-8", f'{{"token": "{MASK}"}}'),
        (b'{"token": "t"}', "text/html", f'{{"token": "{MASK}"}}'),
        ('[{"token": "t"}]', None, f'[{{"token": "{MASK}"}}]'),
        ("<a><token>t1</token></a>", "application/soap+xml", f"<a><token>{MASK}</token></a>"),
        ("<a><token>t1</token></a>", None, f"<a><token>{MASK}</token></a>"),
        ("token=t&a=1", "application/x-www-form-urlencoded", f"token={MASK}&a=1"),
        ("token=t&a=1", None, f"token={MASK}&a=1"),
        ("plain token=t", "text/plain", f"plain token={MASK}"),
        (None, "application/json", ""),
        (b"\xff\xfe ok", None, "\ufffd\ufffd ok"),
    ],
)
def test_body_dispatches_by_content_type_or_look(
    body: str | bytes | None, content_type: str | None, expected: str
) -> None:
    assert expected == Redactor().body(body, content_type)


def test_excerpt_cuts_to_the_limit() -> None:
    long_body = json.dumps({"password": "p", "log": "x" * 1000})

    excerpt = Redactor().excerpt(long_body, "application/json", limit=50)

    assert 50 == len(excerpt)
    assert excerpt.endswith("…")
    assert excerpt.startswith(f'{{"password": "{MASK}"')
    assert "short" == Redactor().excerpt("short", limit=50)


# -- logging ---------------------------------------------------------------------------


@pytest.fixture
def log_stream() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(REDACTOR))
    logger = logging.getLogger("tests.core.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_the_filter_redacts_messages_args_and_tracebacks(
    log_stream: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log_stream
    logger.warning("calling %s with %r", f"https://h/?token={SECRET}", {"password": "hunter22"})
    try:
        raise RuntimeError(f"vendor echoed {SECRET}")
    except RuntimeError:
        logger.exception("failed")
    logging.getLogger("tests.core.redaction.child").error("child %s", SECRET)

    output = stream.getvalue()
    assert f"calling https://h/?token={MASK} with {{'password': '{MASK}'}}" in output
    assert f"RuntimeError: vendor echoed {MASK}" in output
    assert f"child {MASK}" in output
    assert SECRET not in output
    assert "hunter22" not in output


def test_the_filter_clears_args_and_survives_bad_formats() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items %s", ("x", SECRET), None)

    assert RedactingFilter(REDACTOR).filter(record)
    assert () == record.args
    assert SECRET not in record.getMessage()


# -- the property: no supplied secret value survives -----------------------------------

ALPHABET = string.ascii_letters + string.digits + string.punctuation + " " + "ĐđăâêôơưÁáỳ"
secrets = st.text(alphabet=ALPHABET, min_size=8, max_size=40)


def strings_in(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from strings_in(item)
    else:
        yield str(obj)


def forms_of(secret: str) -> list[str]:
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
        escape(secret),
    ]


def embeddings(secret: str) -> dict[str, str]:
    return {
        "json": json.dumps({"note": f"x{secret}y", "list": [secret], secret: 1}),
        "json-ascii": json.dumps({"data": {"deep": [f"{secret}"]}}, ensure_ascii=True),
        "form": urlencode({"note": secret, "other": f"pre {secret} post", "n": "1"}),
        "xml": (
            f"<r><data>{escape(secret)}</data><a v={quoteattr(secret)}/>"
            f"<!-- {escape(secret).replace('-', '_')} --><b>x{escape(secret)}y</b></r>"
        ),
        "soap": SOAP_WITH_WSSE.replace("dvc_hanoi", escape(secret)),
        "text": f"failed for {secret}: {base64.b64encode(secret.encode()).decode()}",
        "url": (
            f"https://u:{quote(secret, safe='')}@example.test/p/{quote(secret, safe='')}"
            f"?q={quote_plus(secret)}&n=1#{quote(secret)}"
        ),
    }


@given(secret=secrets)
@example(secret="x*******")
@example(secret="<a>&amp;</a>")
@example(secret='"password"')
def test_no_secret_value_survives_any_method(secret: str) -> None:
    redactor = Redactor(secret_values=[secret])
    outputs: list[str] = []
    for content_type, document in embeddings(secret).items():
        outputs += [
            redactor.body(document),
            redactor.body(document.encode(), content_type),
            redactor.excerpt(document, limit=10_000),
            redactor.text(document),
            redactor.json_text(document),
            redactor.xml(document),
            redactor.form(document),
            redactor.query(document),
            redactor.url(document),
        ]
        outputs += strings_in(redactor.headers({"X-Note": document, "Cookie": document}))
        outputs += strings_in(redactor.json_obj({"doc": document, "t": (document,)}))

    leaked = [(form, out) for out in outputs for form in forms_of(secret) if form in out]
    assert [] == leaked


secret_names = st.sampled_from(
    [*DEFAULT_SECRET_FIELDS, "vnp_SecureHash", "hash_secret", "ApiKey"]
).flatmap(
    lambda name: st.sampled_from(
        [name, name.upper(), name.lower(), name.replace("_", "-"), name.replace("_", "")]
    )
)
field_values = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=8, max_size=30)


@given(name=secret_names, value=field_values)
def test_no_secret_field_value_survives_any_structure(name: str, value: str) -> None:
    redactor = Redactor(["vnp_SecureHash", "hash_secret", "ApiKey"])
    outputs = [
        redactor.json_text(json.dumps({"a": 1, "nested": {name: value}})),
        redactor.form(urlencode({"a": "1", name: value})),
        redactor.url(f"https://example.test/p?a=1&{urlencode({name: value})}"),
        redactor.xml(f'<r><{name} a="1">{value}</{name}><x {name}="{value}"/></r>'),
        redactor.body(f'<r><{name} a="1">{value}</{name}></r>'),
        redactor.text(f"{name}={value} and {json.dumps({name: value})}"),
        *strings_in(redactor.headers({name: value})),
        *strings_in(redactor.json_obj({"list": [{name: value}]})),
    ]

    assert [] == [out for out in outputs if value in out]
