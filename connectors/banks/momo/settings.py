"""MoMo's settings (pydantic-settings, loaded with the first client)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.banks.momo import wire
from connectors.core.config import ProviderSettings

__all__ = ["MomoGatewaySettings"]


class MomoGatewaySettings(ProviderSettings):
    """MoMo settings; environment `CONNECTORS_MOMO_PARTNER_CODE`, `..._SECRET_KEY`...

    `partner_code`, `access_key`, `secret_key` come from the MoMo business portal;
    `ipn_url` is the default IPN URL when a `PaymentRequest` has no `notify_url`.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_MOMO_")

    base_url: str = wire.SANDBOX_BASE_URL
    partner_code: str = Field(min_length=1)
    access_key: SecretStr = Field(min_length=1)
    secret_key: SecretStr = Field(min_length=1)
    ipn_url: str | None = None
