"""iHanoi through the *modelled* contract: the client and its wire format.

Fidelity: modelled contract (iHanoi publishes no API; the contract is modelled on Open311
GeoReport v2 + JSON + signed webhooks, spec section 7), every guessed detail in one
`WireProfile`. The simulator is
`connectors.testing.simulators.ihanoi.IhanoiFeedbackSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.ihanoi.contract.client import IhanoiFeedback, IhanoiFeedbackSettings
from connectors.ihanoi.contract.wire import DEFAULT_PROFILE, WireProfile

__all__ = ["DEFAULT_PROFILE", "IhanoiFeedback", "IhanoiFeedbackSettings", "WireProfile"]

__getattr__ = moved(
    __name__,
    {
        "Contract": "connectors.ihanoi.contract.wire:WireProfile",
        "DEFAULT_CONTRACT": "connectors.ihanoi.contract.wire:DEFAULT_PROFILE",
        "IHanoiClient": "connectors.ihanoi.contract:IhanoiFeedback",
        "IHanoiSettings": "connectors.ihanoi.contract:IhanoiFeedbackSettings",
    },
)
