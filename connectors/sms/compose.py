"""The text pipeline: a `Message` becomes the exact text a provider will be sent.

NFC -> template rendered (or plain text matched against the brandname's templates) ->
diacritics stripped unless accented text is allowed -> GSM-7/UCS-2 segments counted
(`connectors.vn.sms_segments`) -> the provider's length limit enforced. Every refusal is a
`ValidationError` naming the field, raised before anything is sent.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from connectors.core.errors import ValidationError
from connectors.sms.base import Encoding, Message
from connectors.sms.errors import MessageTooLong, TemplateMismatch
from connectors.sms.templates import Template, TemplateRegistry
from connectors.vn.phone import VnPhone
from connectors.vn.text import SmsSegments, sms_segments, strip_diacritics

__all__ = ["Composed", "TextLimits", "compose"]


@dataclass(frozen=True)
class TextLimits:
    """A provider's longest message, in GSM-7 septets and in UCS-2 code units."""

    max_units_gsm7: int
    max_units_ucs2: int

    def limit(self, encoding: Encoding) -> int:
        return self.max_units_gsm7 if encoding == "GSM-7" else self.max_units_ucs2


@dataclass(frozen=True)
class Composed:
    """A message ready for the wire: final text, template and parameters, cost."""

    recipient: VnPhone
    brandname: str
    text: str
    accented: bool
    template: Template | None
    params: tuple[str, ...]
    segments: SmsSegments

    @property
    def encoding(self) -> Encoding:
        return self.segments.encoding


def compose(
    message: Message,
    registry: TemplateRegistry,
    *,
    default_brandname: str | None,
    limits: TextLimits,
) -> Composed:
    """Build the final text of `message` for a provider with `limits`.

    Raises `ValidationError` (field "brandname") for an unconfigured brandname,
    `TemplateMismatch` when a brandname that requires templates gets text matching none of
    them, `ValidationError` (field "text") for unaccented text outside GSM-7 (emoji...),
    and `MessageTooLong` (field "text") over the limit.
    """
    name = message.brandname or default_brandname
    if name is None:
        raise ValidationError(
            "no brandname: set one on the message or the sender", field="brandname"
        )
    brandname = registry.brandname(name)
    template: Template | None = None
    params: tuple[str, ...] = ()
    if message.template_id is not None:
        template = registry.template(name, message.template_id)
        if template.accented and not brandname.accented:
            raise ValidationError(
                f"template {template.id!r} is accented but brandname {name!r} is not",
                field="template_id",
            )
        text, params = template.render(message.params)
        accented = template.accented
    else:
        assert message.text is not None
        accented = bool(message.accented) and brandname.accented
        text = unicodedata.normalize("NFC", message.text)
        if not accented:
            text = strip_diacritics(text)
        if brandname.require_template:
            found = registry.match(name, text)
            if found is None:
                raise TemplateMismatch(
                    f"text matches none of the templates registered for {name!r}", field="text"
                )
            template, params = found
    segments = sms_segments(text)  # GSM-7 exactly when `is_gsm7(text)`
    if not accented and segments.encoding != "GSM-7":
        raise ValidationError(
            "unaccented text has characters outside the GSM-7 alphabet (emoji or symbols)",
            field="text",
        )
    limit = limits.limit(segments.encoding)
    if segments.units > limit:
        raise MessageTooLong(
            f"text needs {segments.units} {segments.encoding} units; the provider's limit "
            f"is {limit}",
            field="text",
        )
    return Composed(message.recipient, name, text, accented, template, params, segments)
