"""Deprecated: the settings are `connectors.banks.sepay.SepayTransactionsSettings`."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"SePaySettings": "connectors.banks.sepay.transactions:SepayTransactionsSettings"}
)
