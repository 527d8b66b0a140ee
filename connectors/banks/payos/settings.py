"""payOS's settings (pydantic-settings, loaded with the first client)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.banks.payos import wire
from connectors.core.config import ProviderSettings

__all__ = ["PayosGatewaySettings"]


class PayosGatewaySettings(ProviderSettings):
    """payOS settings; environment `CONNECTORS_PAYOS_CLIENT_ID`, `..._CHECKSUM_KEY`...

    `client_id`, `api_key`, `checksum_key` come from the payOS payment channel (kênh thanh
    toán).
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_PAYOS_")

    base_url: str = wire.PRODUCTION_BASE_URL
    client_id: str = Field(min_length=1)
    api_key: SecretStr = Field(min_length=1)
    checksum_key: SecretStr = Field(min_length=1)
