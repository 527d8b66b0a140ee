"""Settings for the feedback clients, from arguments or the environment.

`IHanoiSettings` reads `CONNECTORS_IHANOI_BASE_URL`, `CONNECTORS_IHANOI_TOKEN` and
`CONNECTORS_IHANOI_WEBHOOK_SECRET`; `Open311Settings` reads `CONNECTORS_OPEN311_BASE_URL`,
`CONNECTORS_OPEN311_API_KEY`, `CONNECTORS_OPEN311_JURISDICTION_ID` and
`CONNECTORS_OPEN311_FORMAT`. Load them with `connectors.core.load_settings`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings

__all__ = ["IHanoiSettings", "Open311Settings"]


class IHanoiSettings(ProviderSettings):
    """The iHanoi endpoint, its bearer token and the shared webhook secret."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_IHANOI_")

    token: SecretStr
    webhook_secret: SecretStr | None = None


class Open311Settings(ProviderSettings):
    """An Open311 GeoReport v2 endpoint (base URL up to, not including, `/services`)."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_OPEN311_")

    api_key: SecretStr | None = None
    jurisdiction_id: str | None = None
    format: Literal["json", "xml"] = "json"
