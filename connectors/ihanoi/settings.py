"""Deprecated: each client's settings live beside it (`connectors.ihanoi.contract`,
`connectors.ihanoi.open311`)."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__,
    {
        "IHanoiSettings": "connectors.ihanoi.contract:IhanoiFeedbackSettings",
        "Open311Settings": "connectors.ihanoi.open311:Open311FeedbackSettings",
    },
)
