"""Deprecated: simulator support, now `connectors.testing.simulators.banks.delivery` (and
`.base` for the pay page)."""

from connectors.core.deprecation import moved

_HOME = "connectors.testing.simulators.banks."
__getattr__ = moved(
    __name__,
    {
        **{name: f"{_HOME}base:{name}" for name in ("OUTCOMES", "checkout_page")},
        **{
            name: f"{_HOME}delivery:{name}"
            for name in ("DeliveryAttempt", "WSGIApp", "deliver", "in_background", "send_callback")
        },
    },
)
