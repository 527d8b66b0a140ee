"""VNPay's settings (pydantic-settings, loaded with the first client)."""

from __future__ import annotations

import pydantic
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.banks.gateway import check_ip
from connectors.banks.vnpay import wire
from connectors.core.config import ProviderSettings

__all__ = ["VnpayGatewaySettings"]


class VnpayGatewaySettings(ProviderSettings):
    """VNPay settings; environment `CONNECTORS_VNPAY_TMN_CODE`, `..._HASH_SECRET`...

    - `tmn_code`: the terminal code (alphanumeric, up to 20); `hash_secret`: the HMAC key.
    - `base_url`: host of `merchant_webapi` (querydr/refund); `pay_url`: the full pay page
      URL (default `base_url` + the profile's `pay_path`; production uses another host).
    - `server_ip`: the portal's address, sent with querydr and refund.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPAY_")

    base_url: str = wire.SANDBOX_BASE_URL
    tmn_code: str = Field(pattern=r"^[A-Za-z0-9]{1,20}$")
    hash_secret: SecretStr = Field(min_length=1)
    pay_url: str | None = None
    server_ip: str = "127.0.0.1"

    @pydantic.field_validator("server_ip")
    @classmethod
    def _an_ip(cls, value: str) -> str:
        return check_ip(value, "server_ip")
