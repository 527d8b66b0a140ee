"""The base of every vendor client: settings declared once, a transport, a name.

A provider declares its settings once, as a `ProviderSettings` subclass, and its client
subclasses `ProviderClient`:

    class VnpayGateway(ProviderClient[VnpayGatewaySettings]):
        name = "vnpay"
        settings_class = VnpayGatewaySettings

    VnpayGateway(tmn_code="...", hash_secret="...", base_url="...")   # keywords: the fields
    VnpayGateway.from_settings(settings)                               # a settings object
    VnpayGateway.from_env()                                            # CONNECTORS_VNPAY_*

Keyword construction validates the fields exactly as the settings model does and never
reads the environment; `from_env` reads it. A bad or missing field is a `ConfigError` naming
it (never its value). The client reads `self.settings.<field>`; nothing is copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, cast

from connectors.core.closing import Closeable
from connectors.core.errors import ConfigError

if TYPE_CHECKING:  # settings (pydantic-settings) load when a client is first made
    from connectors.core.config import ProviderSettings
    from connectors.core.transport import Transport

__all__ = ["ProviderClient"]

S = TypeVar("S", bound="ProviderSettings")


class ProviderClient(Closeable, Generic[S]):
    """Holds `settings` and the `transport` built from them (or given, then made to mask
    the settings' secrets too). Subclasses set `name` and `settings_class`, and may list
    `secret_wire_fields`: names the vendor's messages use for secrets (masked in logs).
    Thread-safe as long as the subclass is. A context manager closing the transport."""

    name: ClassVar[str] = "provider"
    settings_class: ClassVar[type[ProviderSettings]]
    secret_wire_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass declaring its vendor's facts as `vendor` (an object with `name` and
        `secret_fields`, e.g. the provider's `wire.VENDOR`) takes its `name` and
        `secret_wire_fields` from it."""
        super().__init_subclass__(**kwargs)
        vendor = cls.__dict__.get("vendor")
        name = getattr(vendor, "name", None)
        if isinstance(name, str):
            cls.name = name
            cls.secret_wire_fields = tuple(getattr(vendor, "secret_fields", ()))

    def __init__(
        self,
        settings: S | None = None,
        /,
        *,
        transport: Transport | None = None,
        **fields: Any,
    ) -> None:
        from connectors.core.config import settings_from

        if settings is None:
            settings = cast(S, settings_from(self.settings_class, fields))
        elif fields:
            raise ConfigError(
                f"{type(self).__name__}: give a settings object or its fields, not both "
                f"(got {', '.join(sorted(fields))})",
                field=sorted(fields)[0],
            )
        elif not isinstance(settings, self.settings_class):
            raise ConfigError(
                f"{type(self).__name__} needs {self.settings_class.__name__}, "
                f"not {type(settings).__name__}",
                field="settings",
            )
        self.settings: S = settings
        self.transport = settings.transport(self.name, *self.secret_wire_fields, given=transport)

    @classmethod
    def from_settings(cls, settings: S, /, **options: Any) -> Self:
        """A client from a settings object (e.g. `load_settings(...)` or a config file)."""
        return cls(settings, **options)

    @classmethod
    def from_env(cls, /, **values: Any) -> Self:
        """A client from its `CONNECTORS_<PROVIDER>_*` environment variables.

        `values` that are settings fields override the environment (e.g. `base_url=` a
        simulator); the others are the client's options (`transport=`, `profile=`...).
        """
        from connectors.core.config import load_settings

        names = cls.settings_class.model_fields
        fields = {key: value for key, value in values.items() if key in names}
        options = {key: value for key, value in values.items() if key not in names}
        return cls(cast(S, load_settings(cls.settings_class, **fields)), **options)

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.settings.base_url!r})"
