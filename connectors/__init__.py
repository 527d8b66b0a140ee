"""Typed adapters connecting Vietnamese public-service portals to payment, e-invoice, SMS and
citizen-feedback providers, with simulators for contract tests.

The layers (imports only go downwards):

- `connectors.core`: transport, retries, errors, signing, redaction, config, SOAP, safe XML
- `connectors.vn`: Vietnamese rules (money, words, tax codes, phones, SMS text, time)
- `connectors.testing`: the simulator kit, fault injection and the pytest plugin
- `connectors.banks`, `connectors.einvoice`, `connectors.sms`, `connectors.ihanoi`: the domains
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
