"""Deprecated: simulator support, now `connectors.testing.simulators.banks.delivery` (and
`.base` for the pay page)."""

from connectors.core.deprecation import moved

_DELIVERY = "connectors.testing.simulators.banks.delivery:"
_BASE = "connectors.testing.simulators.banks.base:"
__getattr__ = moved(
    __name__,
    {
        "OUTCOMES": _BASE + "OUTCOMES",
        "checkout_page": _BASE + "checkout_page",
        "DeliveryAttempt": _DELIVERY + "DeliveryAttempt",
        "WSGIApp": _DELIVERY + "WSGIApp",
        "deliver": _DELIVERY + "deliver",
        "in_background": _DELIVERY + "in_background",
        "send_callback": _DELIVERY + "send_callback",
    },
)
