"""Settings models: secrets as SecretStr, values from arguments or the environment.

Each provider subclasses `ProviderSettings` with its own prefix, e.g.::

    class VNPaySettings(ProviderSettings):
        model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPAY_")
        tmn_code: str
        hash_secret: SecretStr

so `CONNECTORS_VNPAY_HASH_SECRET` fills `hash_secret`. `load_settings` turns pydantic's
errors into one `ConfigError` naming every bad field and its environment variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, TypeVar, get_args

import pydantic
from pydantic import BaseModel, Field, PositiveFloat, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connectors.core.errors import ConfigError
from connectors.core.redaction import Redactor
from connectors.core.retry import RetryBudget, RetryPolicy
from connectors.core.transport import Timeouts, Transport

__all__ = ["HttpSettings", "ProviderSettings", "load_settings", "settings_from"]

S = TypeVar("S", bound="ProviderSettings")

_read_environment: ContextVar[bool] = ContextVar("connectors_read_environment", default=True)


class HttpSettings(BaseModel):
    """Timeouts and retries for one provider (seconds)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    connect_timeout: PositiveFloat = 5.0
    read_timeout: PositiveFloat = 30.0
    deadline: PositiveFloat = 60.0
    max_attempts: int = Field(default=4, ge=1, le=10)
    retry_budget: PositiveFloat = 10.0

    def timeouts(self) -> Timeouts:
        return Timeouts(connect=self.connect_timeout, read=self.read_timeout, total=self.deadline)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts, budget=RetryBudget(capacity=self.retry_budget)
        )


class ProviderSettings(BaseSettings):
    """Base of every provider's settings: a base URL plus HTTP tuning."""

    model_config = SettingsConfigDict(
        env_prefix="CONNECTORS_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    base_url: str
    http: HttpSettings = HttpSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword values first, then the environment; only the keywords in `settings_from`."""
        if not _read_environment.get():
            return (init_settings,)
        return (init_settings, env_settings, dotenv_settings, file_secret_settings)

    @pydantic.field_validator("base_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def secret_field_names(cls) -> list[str]:
        """Names of the fields typed SecretStr (optional ones too): the redactor masks them."""
        return [
            name
            for name, info in cls.model_fields.items()
            if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
        ]

    def secret_values(self) -> list[str]:
        """The secret values themselves, so the redactor also masks them anywhere in text."""
        values = []
        for name in self.secret_field_names():
            secret = getattr(self, name)
            if isinstance(secret, SecretStr):
                values.append(secret.get_secret_value())
        return values

    def redactor(self, *extra_fields: str) -> Redactor:
        """A redactor masking this provider's secret fields and values."""
        return Redactor(
            secret_fields=[*self.secret_field_names(), *extra_fields],
            secret_values=self.secret_values(),
        )

    def transport(
        self, provider: str, *extra_fields: str, given: Transport | None = None
    ) -> Transport:
        """The client's transport: a new one from these settings (timeouts, retries, a
        redactor for these secrets and `extra_fields`), or the caller's `given` transport,
        made to mask the same secrets too (it keeps its own timeouts and retries)."""
        if given is None:
            return Transport(
                provider,
                timeouts=self.http.timeouts(),
                retry=self.http.retry_policy(),
                redactor=self.redactor(*extra_fields),
            )
        given.protect(
            fields=[*self.secret_field_names(), *extra_fields], values=self.secret_values()
        )
        return given


def load_settings(cls: type[S], /, **values: Any) -> S:
    """Build `cls` from keyword values and the environment; raise ConfigError on any problem.

    The error names each bad field, its environment variable and what is wrong, never the
    value given (it may be a secret).
    """
    try:
        return cls(**values)
    except pydantic.ValidationError as exc:
        raise _config_error(cls, exc) from None


def settings_from(cls: type[S], values: Mapping[str, Any], /) -> S:
    """Build `cls` from `values` alone (the environment is not read); ConfigError as
    `load_settings` raises it."""
    token = _read_environment.set(False)
    try:
        return cls(**values)
    except pydantic.ValidationError as exc:
        raise _config_error(cls, exc) from None
    finally:
        _read_environment.reset(token)


def _config_error(cls: type[ProviderSettings], exc: pydantic.ValidationError) -> ConfigError:
    prefix = str(cls.model_config.get("env_prefix", ""))
    problems = []
    fields = []
    for err in exc.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in err["loc"])
        fields.append(path)
        env = prefix + path.replace(".", "__").upper()
        problems.append(f"{path} ({env}): {err['msg']}")
    return ConfigError(
        f"invalid {cls.__name__}: " + "; ".join(problems),
        field=fields[0] if fields else None,
    )
