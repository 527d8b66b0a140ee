"""The payment gateways simulated: VNPay, MoMo, payOS, and SePay's bank side.

Each gateway simulator (`FeeGatewaySimulator`) keeps a ledger of the orders its vendor
accepted, plays the citizen who pays (`pay` returns the signed callback), delivers that
callback on the vendor's retry schedule (`deliver_ipn`) and serves a pay page with one
button per outcome. `SepayTransactionsSimulator` books bank transfers, sends SePay's signed
webhooks and serves the transaction list. Every one speaks its provider's `wire.py`.
"""

from connectors.testing.simulators.banks.base import FeeGatewaySimulator
from connectors.testing.simulators.banks.delivery import send_callback
from connectors.testing.simulators.banks.momo import MomoGatewaySimulator
from connectors.testing.simulators.banks.payos import PayosGatewaySimulator
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator

__all__ = [
    "FeeGatewaySimulator",
    "MomoGatewaySimulator",
    "PayosGatewaySimulator",
    "SepayTransactionsSimulator",
    "VnpayGatewaySimulator",
    "send_callback",
]
