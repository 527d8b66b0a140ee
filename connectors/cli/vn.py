"""Commands over the Vietnamese rules: `phone`, `words`, `sms inspect`."""

from __future__ import annotations

import typer
from rich.table import Table

from connectors.cli.output import (
    JSON_OPTION,
    ExitCode,
    console,
    emit_json,
    fail,
    reporting_errors,
)
from connectors.vn import amount_in_words, parse_phone, sms_segments, strip_diacritics

__all__ = ["register"]


def phone(
    number: str = typer.Argument(..., help="A mobile number in any common spelling."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Normalise a Vietnamese mobile number and name its carrier."""
    with reporting_errors():
        parsed = parse_phone(number)
    document = {
        "national": parsed.national,
        "international": parsed.international,
        "e164": parsed.e164,
        "carrier": parsed.carrier,
    }
    if as_json:
        emit_json(document)
        return
    table = Table(show_header=False)
    for name, value in document.items():
        table.add_row(name, value or "unknown")
    console.print(table)


def words(
    amount: str = typer.Argument(..., help="A whole amount in đồng, e.g. 1250000 or 1_250_000."),
    zero_tens: str = typer.Option("linh", help='"linh" or "lẻ" (1005 -> ... linh năm).'),
    thousand: str = typer.Option("nghìn", help='"nghìn" or "ngàn".'),
    even: bool = typer.Option(False, "--even", help='Append "chẵn".'),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read an amount in Vietnamese words, as invoices print it."""
    from connectors.core.errors import ValidationError

    with reporting_errors():
        digits = amount.replace("_", "").replace(".", "").replace(",", "")
        if not digits.lstrip("-").isdigit():
            raise ValidationError(f"amount must be a whole number of đồng, got {amount!r}")
        if zero_tens not in ("linh", "lẻ") or thousand not in ("nghìn", "ngàn"):
            raise ValidationError("--zero-tens must be linh|lẻ and --thousand nghìn|ngàn")
        text = amount_in_words(
            int(digits),
            zero_tens="linh" if zero_tens == "linh" else "lẻ",
            thousand="nghìn" if thousand == "nghìn" else "ngàn",
            even_suffix=even,
        )
    if as_json:
        emit_json({"amount": int(digits), "words": text})
    else:
        console.print(text, markup=False)


TEMPLATES = typer.Option(
    None,
    "--template",
    "-t",
    help="A registered template, e.g. 'Ho so {dossier} da thanh toan'; repeatable.",
)


def _template_match(text: str, patterns: list[str]) -> dict[str, object] | None:
    """The first template `text` matches (as written or unaccented), with its values."""
    from connectors.sms.templates import Template

    for number, pattern in enumerate(patterns, start=1):
        template = Template(f"t{number}", pattern, "CHECK")
        for candidate in (text, strip_diacritics(text)):
            values = template.match(candidate)
            if values is not None:
                return {"template": pattern, "values": list(values)}
    return None


def inspect(
    text: str = typer.Argument(..., help="The SMS text as it would be sent."),
    templates: list[str] | None = TEMPLATES,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an SMS text's encoding, length and segments, accented and unaccented, and which
    registered template it matches (exit 3 if templates are given and none matches)."""
    plain = strip_diacritics(text)
    forms: dict[str, dict[str, object]] = {}
    for label, candidate in (("as written", text), ("unaccented", plain)):
        seg = sms_segments(candidate)
        forms[label] = {
            "text": candidate,
            "encoding": seg.encoding,
            "units": seg.units,
            "segments": seg.segments,
            "per_segment": seg.per_segment,
        }
    matched = _template_match(text, templates) if templates else None
    if as_json:
        emit_json({**forms, "template_match": matched} if templates else forms)
    else:
        table = Table("form", "encoding", "units", "segments", "text")
        for label, row in forms.items():
            table.add_row(
                label,
                str(row["encoding"]),
                str(row["units"]),
                str(row["segments"]),
                str(row["text"]),
            )
        console.print(table)
        if matched is not None:
            console.print(f"matches template: {matched['template']} values={matched['values']}")
    if templates and matched is None:
        fail("the text matches none of the given templates", ExitCode.INVALID_INPUT)


def register(app: typer.Typer) -> None:
    app.command()(phone)
    app.command()(words)
    sms = typer.Typer(help="SMS text tools.", no_args_is_help=True)
    sms.command()(inspect)
    app.add_typer(sms, name="sms")
