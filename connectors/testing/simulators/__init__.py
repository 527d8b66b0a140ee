"""The bundled vendor simulators, one package per domain (`einvoice`, ...).

A simulator is the vendor simulated: a `connectors.testing.Simulator` speaking its
provider's wire format through the provider's `wire.py` (never its client). The catalogue
by name is `connectors.simulators`.
"""
