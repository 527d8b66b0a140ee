"""payOS payment links (VietQR bank transfer with a webhook): create, status, cancel.

Fidelity: official spec for the webhook signature; derived from payOS's SDK readmes for
the rest; guessed details in `WireProfile`. No refund API.
"""

from connectors.banks.payos.client import PayOS, PayOSSettings
from connectors.banks.payos.simulator import PayOSSimulator
from connectors.banks.payos.wire import PRODUCTION_BASE_URL, WireProfile

__all__ = ["PRODUCTION_BASE_URL", "PayOS", "PayOSSettings", "PayOSSimulator", "WireProfile"]
