"""Brandnames and their registered templates (mẫu tin CSKH), rendered and matched locally.

Customer-care (CSKH) messages must match a template the brandname registered with each
telco, or the gateway refuses them (Viettel CONTENT_NOT_MATCH_TEMPLATE, eSMS 146, VNPT 7).
This module finds the mismatch before anything is sent.

A template's text names its parameters in braces: `{dossier}`, optionally with a maximum
length as eSMS writes it, `{name:30}`. A parameter matches one or more characters other
than a line break (the gateways' exact rule is not public; this is the conservative
reading). Templates are compared in Unicode NFC form.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator

from connectors.core.errors import ValidationError
from connectors.sms.errors import TemplateMismatch
from connectors.vn.text import strip_diacritics

__all__ = [
    "BRANDNAME_PATTERN",
    "Brandname",
    "BrandnameSetting",
    "Placeholder",
    "Template",
    "TemplateRegistry",
    "check_brandname",
    "compile_pattern",
]

BRANDNAME_PATTERN = re.compile(r"\A[A-Za-z0-9]{1,11}\Z")
"""A brandname (tên định danh): at most 11 letters or digits, no signs (spec section 0)."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([1-9][0-9]{0,3}))?\}")
_TEMPLATE_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\Z")


def check_brandname(name: object, *, field_name: str = "brandname") -> str:
    """`name` if it is a valid brandname, else `ValidationError(field=field_name)`."""
    if not isinstance(name, str) or not BRANDNAME_PATTERN.match(name):
        raise ValidationError(
            f"{field_name} must be 1 to 11 letters or digits without signs", field=field_name
        )
    return name


BrandnameSetting = Annotated[str, AfterValidator(check_brandname)]
"""A settings field holding a brandname, refused when the settings load (not at first send)."""


@dataclass(frozen=True)
class Placeholder:
    """One `{name}` or `{name:max_length}` in a template."""

    name: str
    max_length: int | None = None


def compile_pattern(text: str) -> tuple[re.Pattern[str], tuple[Placeholder, ...]]:
    """The regular expression a rendered message must fully match, and the placeholders.

    Literal text must match exactly (after NFC); each placeholder matches 1 to
    `max_length` characters other than a line break.
    """
    text = unicodedata.normalize("NFC", text)
    parts: list[str] = []
    placeholders: list[Placeholder] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        limit = int(match.group(2)) if match.group(2) else None
        placeholders.append(Placeholder(match.group(1), limit))
        quantity = f"{{1,{limit}}}" if limit else "+"
        parts.append(f"(?P<p{len(placeholders) - 1}>[^\\r\\n]{quantity}?)")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return re.compile("".join(parts), re.DOTALL), tuple(placeholders)


@dataclass(frozen=True)
class Template:
    """A template registered for a brandname.

    `id` is the portal's own name for it ("dossier_paid"); `vendor_ids` maps a provider
    name to the id that provider gave the template (VNPT's TEMPLATEID), where it has one.
    `accented` says whether the template was registered with diacritics (có dấu); an
    unaccented template renders its parameters without diacritics.
    """

    id: str
    text: str
    brandname: str
    accented: bool = False
    vendor_ids: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _TEMPLATE_ID.match(self.id):
            raise ValidationError(
                "template id must be 1 to 64 letters, digits or ._:- characters", field="id"
            )
        check_brandname(self.brandname)
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValidationError("template text is empty", field="text")
        normal = unicodedata.normalize("NFC", self.text)
        object.__setattr__(self, "text", normal)
        if not self.accented and strip_diacritics(normal) != normal:
            raise ValidationError(
                "an unaccented template must be registered without diacritics "
                "(or set accented=True)",
                field="text",
            )
        pattern, placeholders = compile_pattern(normal)
        names = [p.name for p in placeholders]
        if len(set(names)) != len(names):
            raise ValidationError("a template names each parameter once", field="text")
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_placeholders", placeholders)
        object.__setattr__(self, "_literals", tuple(_PLACEHOLDER.split(normal)[::3]))
        object.__setattr__(self, "vendor_ids", dict(self.vendor_ids))

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        """The parameters in the order they appear (VNPT numbers them 1, 2, ...)."""
        placeholders: tuple[Placeholder, ...] = self.__dict__["_placeholders"]
        return placeholders

    @property
    def pattern(self) -> re.Pattern[str]:
        """The expression a message built from this template fully matches."""
        pattern: re.Pattern[str] = self.__dict__["_pattern"]
        return pattern

    def render(self, params: Mapping[str, object]) -> tuple[str, tuple[str, ...]]:
        """Fill the template: (text, parameter values in order).

        Values are turned into text with `str`, NFC-normalised, and stripped of diacritics
        when the template is unaccented. Raises `ValidationError` (field "params") for a
        missing or unexpected parameter and `TemplateMismatch` (field "params.<name>") for
        a value the template cannot hold (a line break, or longer than its maximum). The
        rendered text is checked against the registered pattern before it is returned.
        """
        if not isinstance(params, Mapping):
            raise ValidationError("params must be a mapping of names to values", field="params")
        expected = {p.name for p in self.placeholders}
        missing = sorted(expected - set(params))
        extra = sorted(str(name) for name in set(params) - expected)
        if missing or extra:
            problems = []
            if missing:
                problems.append("missing " + ", ".join(missing))
            if extra:
                problems.append("unexpected " + ", ".join(extra))
            raise ValidationError(
                f"template {self.id!r} parameters: " + "; ".join(problems), field="params"
            )
        values: list[str] = []
        for placeholder in self.placeholders:
            raw = params[placeholder.name]
            if isinstance(raw, bool) or raw is None:
                raise ValidationError(
                    f"parameter {placeholder.name!r} must be text or a number",
                    field=f"params.{placeholder.name}",
                )
            value = unicodedata.normalize("NFC", str(raw))
            if not self.accented:
                value = strip_diacritics(value)
            problem = _value_problem(value, placeholder)
            if problem:
                raise TemplateMismatch(
                    f"template {self.id!r}: parameter {placeholder.name!r} {problem}",
                    field=f"params.{placeholder.name}",
                )
            values.append(value)
        literals: tuple[str, ...] = self.__dict__["_literals"]
        pieces = [literals[0]]
        for value, literal in zip(values, literals[1:], strict=True):
            pieces += (value, literal)
        text = "".join(pieces)
        if not self.pattern.fullmatch(text):  # pragma: no cover - guarded by _value_problem
            raise TemplateMismatch(f"rendered text does not match {self.id!r}", field="params")
        return text, tuple(values)

    def match(self, text: str) -> tuple[str, ...] | None:
        """The parameter values if `text` (NFC) fully matches this template, else None."""
        found = self.pattern.fullmatch(unicodedata.normalize("NFC", text))
        if found is None:
            return None
        return tuple(found.group(f"p{i}") for i in range(len(self.placeholders)))


def _value_problem(value: str, placeholder: Placeholder) -> str | None:
    if not value:
        return "is empty"
    if "\n" in value or "\r" in value:
        return "contains a line break"
    if placeholder.max_length is not None and len(value) > placeholder.max_length:
        return f"is longer than {placeholder.max_length} characters"
    return None


@dataclass(frozen=True)
class Brandname:
    """A brandname the portal holds, and its rules.

    `accented`: whether the brandname may send accented text (most are registered
    unaccented; accented text is then stripped of diacritics). `require_template`: whether
    every message must match one of its registered templates (true for CSKH brandnames).
    """

    name: str
    accented: bool = False
    require_template: bool = True

    def __post_init__(self) -> None:
        check_brandname(self.name, field_name="name")


class TemplateRegistry:
    """The brandnames a portal holds and the templates each registered; thread-safe.

    registry = TemplateRegistry([Brandname("UBNDPHUONG")])
    registry.register(Template("paid", "Ho so {dossier} da thanh toan", "UBNDPHUONG"))
    """

    def __init__(
        self, brandnames: Iterable[Brandname | str] = (), templates: Iterable[Template] = ()
    ) -> None:
        self._brandnames: dict[str, Brandname] = {}
        self._templates: dict[tuple[str, str], Template] = {}
        self._lock = threading.Lock()
        for brandname in brandnames:
            self.add_brandname(brandname)
        for template in templates:
            self.register(template)

    def add_brandname(self, brandname: Brandname | str) -> Brandname:
        """Declare a brandname (a plain name gets the defaults: unaccented, templates required)."""
        entry = brandname if isinstance(brandname, Brandname) else Brandname(brandname)
        with self._lock:
            self._brandnames[entry.name] = entry
        return entry

    def register(self, template: Template) -> Template:
        """Add (or replace) a template; its brandname is declared if it was not."""
        with self._lock:
            self._brandnames.setdefault(template.brandname, Brandname(template.brandname))
            self._templates[(template.brandname, template.id)] = template
        return template

    def brandname(self, name: str) -> Brandname:
        """The declared brandname `name`; `ValidationError(field="brandname")` if unknown."""
        check_brandname(name)
        with self._lock:
            found = self._brandnames.get(name)
        if found is None:
            raise ValidationError(f"brandname {name!r} is not configured", field="brandname")
        return found

    def template(self, brandname: str, template_id: str) -> Template:
        """The template `template_id` of `brandname`; `TemplateMismatch` if not registered."""
        with self._lock:
            found = self._templates.get((brandname, template_id))
        if found is None:
            raise TemplateMismatch(
                f"template {template_id!r} is not registered for brandname {brandname!r}",
                field="template_id",
            )
        return found

    def templates(self, brandname: str) -> list[Template]:
        """The templates registered for `brandname`, in registration order."""
        with self._lock:
            return [t for (b, _), t in self._templates.items() if b == brandname]

    def match(self, brandname: str, text: str) -> tuple[Template, tuple[str, ...]] | None:
        """The first template of `brandname` that `text` fully matches, with its values."""
        for template in self.templates(brandname):
            values = template.match(text)
            if values is not None:
                return template, values
        return None
