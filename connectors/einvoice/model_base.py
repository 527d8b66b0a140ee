"""The base of the e-invoice models: frozen pydantic models whose errors are ours.

Any problem found while building a model raises `connectors.core.errors.ValidationError`
(also a `ValueError`) whose `field` is the path of the offending input, e.g.
``"seller.tax_code"`` or ``"lines[0].quantity"``, before anything is sent anywhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.config import ExtraValues

from connectors.core.errors import ValidationError

__all__ = ["ModelBase", "Money", "Quantity", "field_path", "translate_error"]


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("lines", 0, "quantity")`` -> ``"lines[0].quantity"``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def translate_error(exc: pydantic.ValidationError, *, skip: int = 0) -> ValidationError:
    """Our `ValidationError` for pydantic's, naming the first bad field.

    `skip` drops leading location parts (a tagged union puts its tag first).
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    original = (first.get("ctx") or {}).get("error")
    path = field_path(tuple(first["loc"])[skip:])
    if isinstance(original, ValidationError):
        message = original.message
        if original.field:
            # A nested model already translated its error: keep the bare message.
            message = message.removeprefix(f"{original.field}: ")
        if original.field and not path.endswith(original.field):
            # A model validator named the field itself (relative to where it ran).
            path = f"{path}.{original.field}" if path else original.field
            path = path.replace(".[", "[")
    else:
        message = str(first["msg"]).removeprefix("Value error, ")
    where = f"{path}: " if path else ""
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return ValidationError(f"{where}{message}{more}", field=path or None)


class ModelBase(BaseModel):
    """Frozen, no extra fields; construction errors become our `ValidationError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise translate_error(exc) from None

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: ExtraValues | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """As pydantic's, raising our `ValidationError`."""
        try:
            return super().model_validate(
                obj,
                strict=strict,
                extra=extra,
                from_attributes=from_attributes,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except pydantic.ValidationError as exc:
            raise translate_error(exc) from None

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: ExtraValues | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """As pydantic's, raising our `ValidationError`."""
        try:
            return super().model_validate_json(
                json_data,
                strict=strict,
                extra=extra,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except pydantic.ValidationError as exc:
            raise translate_error(exc) from None


def _decimal_input(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError(f"{type(value).__name__} is not accepted; use int, Decimal or str")
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    # Tax-authority XML: at most 21 digits, at most 6 after the point (QD1271).
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError("at most 6 digits after the decimal point")
    if abs(value) >= Decimal(10) ** 15:
        raise ValueError("too large (at most 15 digits before the decimal point)")
    return value


Quantity = Annotated[Decimal, BeforeValidator(_decimal_input), pydantic.AfterValidator(_finite)]
"""A quantity or unit price: Decimal (int and str accepted, float refused), <= 6 decimals."""

Money = Quantity
"""An amount of money before rounding to whole đồng: same rules as `Quantity`."""
