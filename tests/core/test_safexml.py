"""Safe XML parsing: entity attacks, DTDs, size limits and malformed input are refused."""

from __future__ import annotations

import pytest
from lxml import etree

from connectors.core import safexml
from connectors.core.errors import ValidationError
from connectors.core.safexml import DEFAULT_MAX_BYTES, parse_xml, safe_parser

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""

XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]>
<foo>&xxe;</foo>"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x.dtd"> %remote;]>
<foo/>"""

SOAP_ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <ImportInvResponse xmlns="http://tempuri.org/">
      <ImportInvResult>OK:1/001;HS2025000123</ImportInvResult>
    </ImportInvResponse>
  </soap:Body>
</soap:Envelope>"""

ATTACKS = [
    pytest.param(BILLION_LAUGHS, id="billion-laughs"),
    pytest.param(XXE_FILE, id="xxe-file"),
    pytest.param(XXE_NETWORK, id="xxe-network"),
    pytest.param(XXE_PARAMETER, id="xxe-parameter-entity"),
    pytest.param(b'<!DOCTYPE r SYSTEM "http://127.0.0.1:1/r.dtd"><r/>', id="external-dtd"),
    pytest.param(b"<!DOCTYPE r><r/>", id="bare-doctype"),
    pytest.param(XXE_FILE.decode().encode("utf-16"), id="xxe-utf16"),
]


def test_a_soap_envelope_parses() -> None:
    root = parse_xml(SOAP_ENVELOPE.encode())

    result = root.find(".//{http://tempuri.org/}ImportInvResult")
    assert result is not None
    assert "OK:1/001;HS2025000123" == result.text


def test_a_str_with_an_encoding_declaration_parses() -> None:
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>Hà Nội</a>')

    assert "Hà Nội" == root.text


def test_bytes_in_a_declared_encoding_parse() -> None:
    data = '<?xml version="1.0" encoding="windows-1258"?><a>phí</a>'.encode("windows-1258")

    assert "phí" == parse_xml(data).text


@pytest.mark.parametrize("document", ATTACKS)
def test_entity_and_dtd_attacks_are_refused(document: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_xml(document, what="VNPT response")

    message = str(caught.value)
    assert "VNPT response" in message
    assert "DOCTYPE" in message
    assert "root:" not in message


@pytest.mark.parametrize("document", ATTACKS)
def test_the_parsed_tree_is_checked_too(document: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safexml, "_FORBIDDEN", ())  # defeat the byte scan: the tree check holds

    with pytest.raises(ValidationError) as caught:
        parse_xml(document)

    assert "root:" not in str(caught.value)


def test_the_safe_parser_resolves_no_entity() -> None:
    root = etree.fromstring(XXE_FILE, safe_parser())

    serialised = etree.tostring(root, encoding="unicode")
    assert "root:" not in serialised
    assert "root:" not in "".join(str(text) for text in root.itertext())


def test_safe_parser_gives_a_fresh_parser_each_call() -> None:
    assert safe_parser() is not safe_parser()


@pytest.mark.parametrize("data", [b"<a>" + b"x" * 200 + b"</a>", "<a>" + "x" * 200 + "</a>"])
def test_oversized_documents_are_refused(data: str | bytes) -> None:
    with pytest.raises(ValidationError, match="too large"):
        parse_xml(data, max_bytes=100)


def test_the_limit_counts_utf8_bytes_of_a_str() -> None:
    data = "<a>" + "ệ" * 40 + "</a>"  # 47 characters, 127 bytes

    with pytest.raises(ValidationError, match="too large"):
        parse_xml(data, max_bytes=100)


def test_the_default_limit_is_ten_megabytes() -> None:
    assert 10 * 1024 * 1024 == DEFAULT_MAX_BYTES


@pytest.mark.parametrize(
    "data", [b"", b"<a>", b"<a></b>", b"not xml", "<a>&undefined;</a>", b"<a/><b/>"]
)
def test_malformed_documents_are_refused(data: str | bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_xml(data, what="MISA answer")

    assert str(caught.value).startswith("MISA answer")


def test_only_str_and_bytes_are_accepted() -> None:
    with pytest.raises(ValidationError, match="must be str or bytes"):
        parse_xml(123)  # type: ignore[arg-type]


def test_comments_and_processing_instructions_are_kept() -> None:
    root = parse_xml(b"<?xml version='1.0'?><a><!-- note --><?pi data?><b>1</b></a>")

    assert "<a><!-- note --><?pi data?><b>1</b></a>" == etree.tostring(root, encoding="unicode")
