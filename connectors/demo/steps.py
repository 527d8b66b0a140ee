"""The fee flow, bound to the demo's adapters: the library's `fee_steps`, nothing else.

Receipt (Viettel S-Invoice, looked up by its key before any resend), SMS (MobiFone: smsg
has no request id and no lookup, so an SMS whose answer was lost waits for staff), and
status (the citizen's iHanoi feedback answered with its key, which iHanoi de-duplicates).
The citizen's name and phone are looked up in the portal's table when a step runs.
"""

from __future__ import annotations

from connectors.delivery import FeeFlow, fee_steps
from connectors.demo.world import World

__all__ = ["build_fee_flow"]


def build_fee_flow(world: World) -> FeeFlow:
    """payment confirmed -> receipt -> SMS -> status, over the commune's adapters."""
    return fee_steps(
        invoices=world.invoices,
        sms=world.sms,
        seller=world.config.seller,
        citizen_lookup=world.dossiers.citizen,
        feedback=world.ihanoi,
        feedback_for=world.dossiers.feedback_of,
        agency_code=world.config.commune.agency_code or "",
    )
