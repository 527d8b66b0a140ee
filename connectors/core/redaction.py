"""One redactor for everything logged or put into an exception.

A `Redactor` masks two kinds of secret:

- *fields*, by name: header names, query and form parameters, JSON keys, XML elements and
  attributes. Names match case-insensitively and ignoring "-" and "_" ("hash_secret",
  "HashSecret" and "hash-secret" are one name). Common names (authorization, password,
  token, signature...) are always included.
- *values*, anywhere: every occurrence of a secret value, URL-encoded, base64-encoded
  (also inside a longer base64 run, as in HTTP Basic credentials), JSON- or XML-escaped,
  is replaced by `MASK` in every output of every method.

No output of any method contains a secret value it was given, whatever the input; the
structured methods fall back to `text` on malformed input. `RedactingFilter` applies a
redactor to log records.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote_plus

if TYPE_CHECKING:  # lxml and pydantic load only where a body is XML or a secret is one
    from lxml import etree
    from pydantic import SecretStr

__all__ = ["DEFAULT_SECRET_FIELDS", "MASK", "RedactingFilter", "Redactor"]

MASK = "***"

_DEFAULT_NAMES = """authorization proxy-authorization cookie set-cookie password passwd pass
secret token access_token refresh_token api_key apikey x-api-key signature secure_hash
client_secret private_key"""
DEFAULT_SECRET_FIELDS: tuple[str, ...] = tuple(_DEFAULT_NAMES.split())

_MIN_VALUE_LENGTH = 4
_EXCERPT_WINDOW = (2 * 1024, 16 * 1024)
"""An excerpt redacts 4 times its limit of a body's start, within these bounds (characters),
never the whole body."""
_VERDICTS = 4096
"""How many field names a redactor remembers the verdict of (names repeat in bodies)."""
_AUTH_HEADERS = frozenset({"authorization", "proxyauthorization"})
_COOKIE_HEADERS = frozenset({"cookie", "setcookie"})
_WSSE_SECRETS = frozenset({"password", "nonce"})
_NAME = r"[A-Za-z_][\w.:-]*"
_XML_OPEN = re.compile(rf"(?s)<({_NAME})(\s[^<>]*)?>(<!\[CDATA\[.*?\]\]>|[^<]+)")
_QUOTED_PAIR = re.compile(
    rf"""(["'])({_NAME})\1(\s*:\s*)(b?"(?:[^"\\]|\\.)*"|b?'(?:[^'\\]|\\.)*'|-?\d[\w.+-]*)"""
)
_QUOTED_TAIL = re.compile(rf"""(["'])({_NAME})\1(\s*:\s*)(["'])(?:[^"'\\]|\\.)*\Z""")
"""A quoted pair whose value runs to the end of the text (a cut-off excerpt)."""
_KV_PAIR = re.compile(rf"""(?<![\w.:-])({_NAME})(\s*=\s*)("[^"]*"|'[^']*'|[^\s&"'<>]+)""")
_HEADER_LINE = re.compile(r"(?m)^([ \t]*)([A-Za-z_][\w.-]*)([ \t]*:[ \t]*)(\S[^\r\n]*)")
_AUTH_SCHEME = re.compile(r"\A([A-Za-z][\w.+-]*)\s+\S")
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_LOCAL_NAME = re.compile(r"[:.]")


def _normalize(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def _decode(data: str | bytes | bytearray | memoryview | None) -> str:
    if data is None or isinstance(data, str):
        return data or ""
    return bytes(data).decode("utf-8", errors="replace")


def _sniff(text: str) -> str:
    start = text.lstrip()[:1]
    form = "x-www-form-urlencoded" if "=" in text and "&" in text else ""
    return {"{": "json", "[": "json", "<": "xml"}.get(start, form)


def _raw(value: str | SecretStr | bytes) -> bytes:
    if not isinstance(value, str | bytes | bytearray | memoryview):
        value = value.get_secret_value()  # a SecretStr, tested without importing pydantic
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _text(value: str | SecretStr | bytes) -> str:
    return _raw(value).decode("utf-8", errors="replace")


def _base64_runs(raw: bytes) -> set[str]:
    """The base64 characters that encode `raw` alone, at each of the three alignments."""
    runs: set[str] = set()
    bits = 8 * len(raw)
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = -(-8 * offset // 6)
        end = (8 * offset + bits - 6) // 6 + 1
        run = encoded[start:end]
        runs.update({run, run.replace("+", "-").replace("/", "_")})
    return runs


def _variants(value: str | SecretStr | bytes) -> set[str]:
    """Every form in which `value` may appear in text: raw, encoded, escaped."""
    raw, text = _raw(value), _text(value)
    forms = {text, html.escape(text, quote=False), html.escape(text, quote=True)}
    forms |= {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    for encoded in (quote(raw, safe=""), quote(raw), quote_plus(raw, safe=""), quote_plus(raw)):
        forms |= {encoded, _PERCENT.sub(lambda m: m.group(0).lower(), encoded)}
    forms |= _base64_runs(raw)
    encoded_full = base64.b64encode(raw).decode("ascii")
    forms |= {encoded_full, encoded_full.rstrip("=")}
    if isinstance(value, bytes | bytearray | memoryview):
        forms |= {raw.hex(), raw.hex().upper()}
    return {form for form in forms if len(form) >= _MIN_VALUE_LENGTH}


class Redactor:
    """Masks secret fields (by name) and secret values (anywhere) in text and data.

    Immutable and thread-safe: `with_fields` and `with_values` return new redactors.
    Values shorter than 4 characters are ignored (they would mask everything).
    """

    __slots__ = ("_fields", "_forms", "_pattern", "_values", "_verdicts")

    _fields: frozenset[str]
    _values: tuple[str | SecretStr | bytes, ...]
    _forms: tuple[str, ...]
    _pattern: re.Pattern[str] | None
    _verdicts: dict[str, bool]

    def __init__(
        self,
        secret_fields: Iterable[str] = (),
        secret_values: Iterable[str | SecretStr | bytes] = (),
    ) -> None:
        fields = frozenset(_normalize(n) for n in (*DEFAULT_SECRET_FIELDS, *secret_fields))
        values = tuple(v for v in secret_values if len(_text(v)) >= _MIN_VALUE_LENGTH)
        forms = set().union(*(_variants(v) for v in values)) if values else set()
        ordered = sorted(forms, key=lambda form: (-len(form), form))
        pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        object.__setattr__(self, "_fields", fields)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_forms", tuple(ordered))
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_verdicts", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Redactor is immutable")

    def __repr__(self) -> str:
        return f"Redactor(fields={len(self._fields)}, values={len(self._values)})"

    def with_fields(self, *names: str) -> Redactor:
        """A new redactor that also masks the fields `names`."""
        return Redactor(self._fields | set(names), self._values)

    def with_values(self, *values: str | SecretStr | bytes) -> Redactor:
        """A new redactor that also masks `values` (those under 4 characters are ignored)."""
        return Redactor(self._fields, (*self._values, *values))

    def is_secret(self, name: str) -> bool:
        """Whether `name` (or its part after the last ":" or ".") is a secret field name."""
        verdicts = self._verdicts
        verdict = verdicts.get(name)
        if verdict is None:
            local = _LOCAL_NAME.split(name)[-1]
            verdict = _normalize(name) in self._fields or _normalize(local) in self._fields
            if len(verdicts) >= _VERDICTS:  # names come from bodies: keep the memory bounded
                verdicts.clear()
            verdicts[name] = verdict
        return verdict

    def _mask_values(self, text: str) -> str:
        if self._pattern is None:
            return text
        while True:  # masking may join text into a new occurrence; each pass shortens it
            masked = self._pattern.sub(MASK, text)
            if masked == text:
                return text
            text = masked

    def _has_value(self, text: str) -> bool:
        return self._pattern is not None and self._pattern.search(text) is not None

    def text(self, s: str) -> str:
        """Mask secret values anywhere in `s`, and the values of secret names in patterns.

        The patterns are `name=value`, `"name": "value"` (also single-quoted, as in a
        Python repr), `<name>value` (up to the next tag) and `Name: value` at the start
        of a line. The last resort for unstructured or malformed text.
        """
        s = self._mask_values(_decode(s))
        s = _XML_OPEN.sub(self._xml_open, s)
        s = _QUOTED_PAIR.sub(self._quoted_pair, s)
        s = _QUOTED_TAIL.sub(self._quoted_tail, s)
        s = _KV_PAIR.sub(self._kv_pair, s)
        s = _HEADER_LINE.sub(self._header_line, s)
        return self._mask_values(s)

    def _xml_open(self, m: re.Match[str]) -> str:
        prefix, _, local = m.group(1).rpartition(":")
        wsse = prefix.lower() == "wsse" and _normalize(local) in _WSSE_SECRETS
        attributes = m.group(2) or ""
        if not (wsse or self.is_secret(local)) or attributes.endswith("/"):
            return m.group(0)
        return f"<{m.group(1)}{attributes}>{MASK}"

    def _quoted_pair(self, m: re.Match[str]) -> str:
        if not self.is_secret(m.group(2)):
            return m.group(0)
        value = m.group(4)
        prefix, quote_char = ("b", value[1]) if value.startswith("b") else ("", value[0])
        masked = f"{prefix}{quote_char}{MASK}{quote_char}" if quote_char in "\"'" else f'"{MASK}"'
        return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{masked}"

    def _quoted_tail(self, m: re.Match[str]) -> str:
        if not self.is_secret(m.group(2)):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MASK}"

    def _kv_pair(self, m: re.Match[str]) -> str:
        if not self.is_secret(m.group(1)) or m.group(3) in ('""', "''"):
            return m.group(0)
        value = m.group(3)
        masked = f"{value[0]}{MASK}{value[0]}" if value[0] in "\"'" else MASK
        return f"{m.group(1)}{m.group(2)}{masked}"

    def _header_line(self, m: re.Match[str]) -> str:
        if not self.is_secret(m.group(2)):
            return m.group(0)
        return m.group(1) + m.group(2) + m.group(3) + self._secret_header(m.group(2), m.group(4))

    def _secret_header(self, name: str, value: str) -> str:
        key = _normalize(name)
        if key in _AUTH_HEADERS:
            scheme = _AUTH_SCHEME.match(value)
            return f"{scheme.group(1)} {MASK}" if scheme else MASK
        if key in _COOKIE_HEADERS:
            pairs = value.split(";") if key == "cookie" else value.split(";", 1)[:1]
            masked = [p.split("=", 1)[0] + "=" + MASK if "=" in p else MASK for p in pairs]
            rest = value.split(";", 1)[1:] if key == "setcookie" else []
            return ";".join(masked + rest)
        return MASK

    def headers(self, h: Mapping[str, str]) -> dict[str, str]:
        """A copy of `h` with secret headers masked: `Bearer xyz` -> `Bearer ***`."""
        out: dict[str, str] = {}
        for name, value in h.items():
            text = _decode(value) if isinstance(value, bytes) else str(value)
            masked = self._secret_header(name, text) if self.is_secret(name) else text
            out[self._mask_values(name)] = self.text(masked)
        return out

    def _pairs(self, qs: str) -> str:
        parts = []
        for part in qs.split("&"):
            raw_name, eq, raw_value = part.partition("=")
            name, value = unquote_plus(raw_name), unquote_plus(raw_value)
            if self._has_value(name):
                raw_name = MASK
            if eq and raw_value and (self.is_secret(name) or self._has_value(value)):
                raw_value = MASK
            parts.append(raw_name + eq + raw_value)
        return "&".join(parts)

    def query(self, qs: str) -> str:
        """Mask secret parameters in a query string; the rest is kept byte for byte."""
        qs = _decode(qs)
        lead = "?" if qs.startswith("?") else ""
        return self._mask_values(lead + self._pairs(qs[len(lead) :]))

    def form(self, body: str | bytes) -> str:
        """Mask an application/x-www-form-urlencoded body like a query string."""
        return self.query(_decode(body).lstrip("?"))

    def url(self, url: str) -> str:
        """Mask secret query/fragment parameters and a userinfo password; keep the rest."""
        url = _decode(url)
        head, hash_sign, fragment = url.partition("#")
        base, question, qs = head.partition("?")
        authority = re.match(r"\A(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/?#]*)", base)
        if authority and "@" in authority.group(1):
            userinfo, _, host = authority.group(1).rpartition("@")
            if ":" in userinfo:
                userinfo = userinfo.partition(":")[0] + ":" + MASK
            base = base[: authority.start(1)] + f"{userinfo}@{host}" + base[authority.end(1) :]
        if question:
            qs = self._pairs(qs)
        if hash_sign and "=" in fragment:
            fragment = self._pairs(fragment)
        return self._mask_values(base + question + qs + hash_sign + fragment)

    def json_obj(self, obj: Any) -> Any:
        """A copy of `obj` with the values of secret keys replaced by MASK, recursively.

        Dicts, lists and tuples are copied; strings are masked as `text`; other objects
        are returned as they are.
        """
        if isinstance(obj, Mapping):
            return {
                (self._mask_values(k) if isinstance(k, str) else k): (
                    MASK if isinstance(k, str) and self.is_secret(k) else self.json_obj(v)
                )
                for k, v in obj.items()
            }
        if isinstance(obj, list):
            return [self.json_obj(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.json_obj(item) for item in obj)
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, bytes):
            return self.text(_decode(obj))
        if isinstance(obj, int | float) and not isinstance(obj, bool):
            return MASK if self._has_value(str(obj)) else obj
        return obj

    def json_text(self, body: str | bytes) -> str:
        """Mask a JSON document by key and value; re-serialised, or `text` if not JSON."""
        text = _decode(body)
        try:
            masked = json.dumps(self.json_obj(json.loads(text)), ensure_ascii=False)
        except (ValueError, RecursionError):
            return self.text(text)
        return self._mask_values(masked)

    def xml(self, body: str | bytes) -> str:
        """Mask an XML or SOAP document's secret elements and attributes, by local name.

        WS-Security Password and Nonce are masked too. Parsed safely (no DTD, no
        entities); malformed or unsafe XML is masked as `text`: this never raises.
        """
        from lxml import etree

        from connectors.core.safexml import parse_xml

        text = _decode(body)
        try:
            root = parse_xml(body, what="XML body")
            for element in list(root.iter()):
                self._mask_element(element)
            masked = etree.tostring(root, encoding="unicode")
        except Exception:  # malformed or unsafe XML: mask it as plain text
            return self.text(text)
        return self._mask_values(masked)

    def _mask_element(self, element: etree._Element) -> None:
        from lxml import etree

        if element.text is not None:
            element.text = self.text(element.text)
        if element.tail is not None:
            element.tail = self.text(element.tail)
        if not isinstance(element.tag, str):  # comment or processing instruction
            return
        qname = etree.QName(element)
        wsse = "secext" in (qname.namespace or "") and qname.localname.lower() in _WSSE_SECRETS
        if wsse or self.is_secret(qname.localname):
            for child in list(element):
                element.remove(child)
            element.text = MASK
        for key, value in element.attrib.items():
            secret = self.is_secret(etree.QName(key).localname)
            element.set(key, MASK if secret else self.text(_decode(value)))

    def body(self, body: str | bytes | None, content_type: str | None = None) -> str:
        """Mask a request or response body by its content type, then as free text.

        JSON, XML (incl. SOAP) and form bodies are recognised by content type or, when
        that names none of them, by their look. Bytes are decoded as UTF-8 with
        replacement characters; None gives "".
        """
        if body is None:
            return ""
        kind = (content_type or "").split(";", 1)[0].strip().lower()
        if not kind.endswith(("json", "xml", "x-www-form-urlencoded")):
            kind = _sniff(_decode(body))  # vendors often mislabel bodies; look at them
        text = _decode(body)
        if kind.endswith("json"):
            masked = self.json_text(text)
        elif kind.endswith("xml"):
            masked = self.xml(body)
        elif kind.endswith("x-www-form-urlencoded"):
            masked = self.form(text)
        else:
            masked = text
        return self.text(masked)

    def excerpt(
        self, body: str | bytes | None, content_type: str | None = None, limit: int = 500
    ) -> str:
        """`body(...)` cut to at most `limit` characters, ending with "…" when cut.

        Only the body's first 4 x `limit` characters (at least 2 KiB, at most 16 KiB) are
        redacted (a cut that ends inside a secret value drops that part), so an excerpt
        costs the same for any size of body.
        """
        cut = False
        smallest, largest = _EXCERPT_WINDOW
        window = min(max(smallest, 4 * limit), largest)
        if body is not None and len(body) > window:
            body, cut = self._strip_partial(_decode(body[:window])), True
        masked = self.body(body, content_type)
        if len(masked) <= limit and not cut:
            return masked
        return masked[: max(limit - 1, 0)] + "…"

    def _strip_partial(self, text: str) -> str:
        """`text` without a trailing start of a secret value (where a cut split one)."""
        longest = 0
        for form in self._forms:
            for size in range(min(len(form) - 1, len(text)), longest, -1):
                if text.endswith(form[:size]):
                    longest = size
                    break
        return text[: len(text) - longest]


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message, arguments and traceback.

    The message is formatted with its arguments, redacted, and stored as `msg` with the
    arguments cleared. Attach it to a *handler* to protect everything the handler emits
    (a logger's filters do not see records propagated from child loggers).
    """

    def __init__(self, redactor: Redactor, name: str = "") -> None:
        super().__init__(name)
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redactor.text(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.text(record.stack_info)
        return True
