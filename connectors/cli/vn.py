"""Commands over the Vietnamese rules: `phone`, `words`, `sms inspect`."""

from __future__ import annotations

import importlib
import re
from typing import Any

import typer
from rich.table import Table
from typer.core import TyperCommand

from connectors.cli.output import (
    JSON_OPTION,
    ExitCode,
    console,
    emit_json,
    fail,
    reporting_errors,
)
from connectors.core.errors import ValidationError
from connectors.vn import (
    amount_in_words,
    parse_dong,
    parse_phone,
    sms_segments,
    strip_diacritics,
)

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


_NEGATIVE = re.compile(r"-[0-9]")


class _AmountCommand(TyperCommand):
    """A command whose arguments may be negative amounts: "-5" is one, not an option.

    No option starts with a digit, so an argument that does after its "-" is moved
    behind "--", where it cannot be taken for one (order kept); an unknown option such as
    "--jsn" is still a usage error.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: a click Context
        head, tail = args, []
        if "--" in args:
            split = args.index("--")
            head, tail = args[:split], args[split + 1 :]
        negatives = [arg for arg in head if _NEGATIVE.match(arg)]
        if negatives:
            others = [arg for arg in head if not _NEGATIVE.match(arg)]
            args = [*others, "--", *negatives, *tail]
        return super().parse_args(ctx, args)


def words(
    amount: str = typer.Argument(
        ...,
        help="Whole đồng: 1250000, 1.250.000, 1,250,000, 1 250 000 or 1_250_000; -5 is negative.",
    ),
    zero_tens: str = typer.Option("linh", help='"linh" or "lẻ" (1005 -> ... linh năm).'),
    thousand: str = typer.Option("nghìn", help='"nghìn" or "ngàn".'),
    even: bool = typer.Option(False, "--even", help='Append "chẵn".'),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read an amount in Vietnamese words, as invoices print it.

    Ambiguous amounts are refused, never guessed: 1.5 and 1,5 (a fraction), 1.500 or 1,500
    (1500 or 1.5?); write 1500, 1_500 or 1 500.
    """
    with reporting_errors():
        if zero_tens not in ("linh", "lẻ") or thousand not in ("nghìn", "ngàn"):
            raise ValidationError("--zero-tens must be linh|lẻ and --thousand nghìn|ngàn")
        value = parse_dong(amount)
        text = amount_in_words(
            value,
            zero_tens="linh" if zero_tens == "linh" else "lẻ",
            thousand="nghìn" if thousand == "nghìn" else "ngàn",
            even_suffix=even,
        )
    if as_json:
        emit_json({"amount": value, "words": text})
    else:
        typer.echo(text)  # one line whatever its length (a console would wrap it)


TEMPLATES = typer.Option(
    None,
    "--template",
    "-t",
    metavar="TEMPLATE",
    help="A registered template, e.g. 'Ho so {dossier} da thanh toan'; repeatable.",
)
PROVIDER = typer.Option(
    None,
    "--provider",
    "-p",
    metavar="NAME",
    help="Check the text against this SMS provider's length limit: mobifone, viettel, "
    "vnpt or esms (exit 3 if the text as written is over it).",
)


def _limits(name: str) -> Any:
    """The `TextLimits` of SMS provider `name` (its wire profile's); usage error naming
    the known providers for another name."""
    from connectors.providers import by_domain

    known = {p.name: p for p in by_domain("sms")}
    if name not in known:
        fail(
            f"unknown SMS provider {name[:40]!r}; known: {', '.join(sorted(known))}",
            ExitCode.USAGE,
        )
    package = known[name].client_class().__module__.rpartition(".")[0]  # ...sms.<name>
    return importlib.import_module(f"{package}.wire").WireProfile().limits


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
    provider: str | None = PROVIDER,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an SMS text's encoding, length and segments, accented and unaccented, which
    registered template it matches (exit 3 if templates are given and none matches), and,
    with --provider, whether it fits that provider's limit (exit 3 if it does not)."""
    limits = None if provider is None else _limits(provider.strip().lower())
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
        if limits is not None:
            forms[label]["limit"] = limits.limit(seg.encoding)
            forms[label]["over_limit"] = seg.units > limits.limit(seg.encoding)
    with reporting_errors():  # a malformed template ("{a}{a}") is invalid input
        matched = _template_match(text, templates) if templates else None
    if as_json:
        emit_json({**forms, "template_match": matched} if templates else forms)
    else:
        _print_forms(forms, provider)
        if matched is not None:
            console.print(f"matches template: {matched['template']} values={matched['values']}")
    if templates and matched is None:
        fail("the text matches none of the given templates", ExitCode.INVALID_INPUT)
    written, plain_form = forms["as written"], forms["unaccented"]
    if written.get("over_limit"):
        fits = "" if plain_form["over_limit"] else " (unaccented it fits)"
        fail(
            f"the text is over {provider}'s limit: {written['units']} {written['encoding']} "
            f"units, at most {written['limit']}{fits}",
            ExitCode.INVALID_INPUT,
        )


def _print_forms(forms: dict[str, dict[str, object]], provider: str | None) -> None:
    columns = ["form", "encoding", "units", "segments"]
    if provider is not None:
        columns.append(f"{provider} limit")
    table = Table(*columns, "text")
    for label, row in forms.items():
        cells = [label, str(row["encoding"]), str(row["units"]), str(row["segments"])]
        if provider is not None:
            over = "OVER " if row["over_limit"] else ""
            cells.append(f"{over}{row['limit']}")
        table.add_row(*cells, str(row["text"]))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(phone)
    app.command(cls=_AmountCommand)(words)
    sms = typer.Typer(help="SMS text tools.", no_args_is_help=True)
    sms.command()(inspect)
    app.add_typer(sms, name="sms")
