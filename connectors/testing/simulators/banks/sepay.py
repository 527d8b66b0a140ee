"""SePay simulated: the bank side of bank-transfer notifications.

    sim = SepayTransactionsSimulator(hmac_secret="fake-webhook-secret")
    sim.transfer(account="0123456789", amount=50_000, content="HS2025000123 LE PHI")
    deliveries = sim.deliver(webhook_url)     # POSTs, retrying non-2xx like SePay

`transfer` books a transaction in the ledger (kind "transfer", key = transfer id) and
returns the signed webhook request; `deliver` POSTs pending webhooks to a URL, re-signing
each attempt with a fresh timestamp and retrying on non-2xx or no answer after the
profile's delays (Fibonacci minutes; pass `sleep` to skip the waiting in tests). Each
attempt is recorded (kind "delivery"). The simulator also serves SePay's transaction list
(`GET /v2/transactions`, Bearer token) for reconciliation pulls; its filters are modelled.
It speaks `connectors.banks.sepay.wire` (never the clients). Route names: "transactions",
"transaction".
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import requests
from pydantic import SecretStr

from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay import wire
from connectors.banks.sepay.wire import (
    NAME,
    WireProfile,
    encode_json,
    hmac_signature,
    list_item,
    payload_for,
)
from connectors.core.errors import ConfigError, ValidationError
from connectors.core.signing import HmacSigner
from connectors.testing.simulator import SimRequest, SimResponse, Simulator
from connectors.vn.time import now_vn

__all__ = ["Delivery", "DeliveryAttempt", "SepayTransactionsSimulator", "WebhookRequest"]


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook as SePay sends it: JSON body and headers (signed when it was made)."""

    transfer_id: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST of a webhook: the HTTP status, or the error when no answer came."""

    number: int
    status: int | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether SePay would consider this attempt delivered (HTTP 2xx)."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """Every attempt made to deliver one transfer's webhook to `url`."""

    transfer_id: str
    url: str
    attempts: tuple[DeliveryAttempt, ...]

    @property
    def delivered(self) -> bool:
        """True when the last attempt succeeded."""
        return bool(self.attempts) and self.attempts[-1].succeeded


class SepayTransactionsSimulator(Simulator):
    """The bank and SePay in one: books transfers, sends webhooks, lists transactions.

    Authentication of the webhooks it sends: `hmac_secret` (signature + timestamp
    headers), `api_key` (`Authorization: Apikey ...`), or neither. `api_token` guards the
    transaction list. `retry_delays` overrides the profile's wait before each retry.
    """

    provider = NAME

    def __init__(
        self,
        *,
        hmac_secret: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        api_token: str = "sim-api-token",  # noqa: S107 - a fake token for the simulator
        bank: str = "VPBank",
        profile: WireProfile = wire.DEFAULT_PROFILE,
        retry_delays: tuple[float, ...] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        first_id: int = 92704,
    ) -> None:
        super().__init__(sleep=sleep)
        if hmac_secret is not None and api_key is not None:
            raise ConfigError("choose hmac_secret or api_key, not both", field="api_key")
        self._signer = None if hmac_secret is None else HmacSigner(hmac_secret, "sha256")
        self._api_key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.api_token = api_token
        self.bank = bank
        self.profile = profile
        self.retry_delays = profile.retry_delays if retry_delays is None else retry_delays
        self.clock = clock
        self._ids = itertools.count(first_id)
        self._lock = threading.Lock()
        self._transfers: dict[str, BankTransfer] = {}
        self._balances: dict[str, int] = {}
        self._accumulated: dict[str, int] = {}
        self._pending: list[str] = []
        self._delivered: set[str] = set()
        self.add_route("GET", profile.transactions_path, self._list, name="transactions")
        self.add_route(
            "GET", profile.transactions_path + "/{transfer_id}", self._detail, name="transaction"
        )

    # -- the bank side -----------------------------------------------------------------------

    def transfer(
        self,
        *,
        account: str,
        amount: int,
        content: str,
        direction: TransferDirection | str = TransferDirection.IN,
        reference_code: str | None = None,
        code: str | None = None,
        at: datetime | None = None,
    ) -> WebhookRequest:
        """Book a transfer on `account` and queue its webhook; returns the signed request.

        `amount` is whole VND (int > 0); `at` defaults to now (GMT+7, whole seconds).
        Raises `ValidationError` naming the field for bad input; nothing is booked then.
        """
        moment = at if at is not None else now_vn(self.clock).replace(microsecond=0)
        with self._lock:
            transfer_id = str(next(self._ids))
            transfer = BankTransfer(
                transfer_id=transfer_id,
                account=account,
                amount=amount,
                content=content,
                transferred_at=moment,
                direction=TransferDirection(direction),
                reference_code=reference_code or f"SIM.{transfer_id}",
                bank=self.bank,
                code=code,
                source=NAME,
            )
            sign = 1 if transfer.direction is TransferDirection.IN else -1
            balance = self._balances.get(account, 0) + sign * transfer.amount
            self._balances[account] = balance
            self._accumulated[transfer_id] = balance
            self._transfers[transfer_id] = transfer
            self._pending.append(transfer_id)
            self.ledger.record("transfer", transfer_id, transfer=transfer, accumulated=balance)
        return self.request_for(transfer_id)

    def request_for(self, transfer_id: str) -> WebhookRequest:
        """The webhook for a booked transfer, signed now (a fresh timestamp every call)."""
        with self._lock:
            transfer = self._transfers.get(transfer_id)
            if transfer is None:
                raise ValidationError(f"no transfer {transfer_id!r}", field="transfer_id")
            accumulated = self._accumulated[transfer_id]
        body = encode_json(payload_for(transfer, accumulated=accumulated, profile=self.profile))
        headers = {"Content-Type": "application/json"}
        if self._signer is not None:
            stamp = str(int(self.clock()))
            headers[self.profile.timestamp_header] = stamp
            headers[self.profile.signature_header] = hmac_signature(
                self._signer, body, stamp, self.profile
            )
        elif self._api_key is not None:
            headers[self.profile.api_key_header] = f"{self.profile.api_key_scheme} {self._api_key}"
        return WebhookRequest(transfer_id, body, headers)

    @property
    def pending(self) -> tuple[str, ...]:
        """Transfer ids whose webhook has not been delivered or given up yet."""
        with self._lock:
            return tuple(self._pending)

    def transfers(self) -> tuple[BankTransfer, ...]:
        """Every booked transfer, in booking order."""
        with self._lock:
            return tuple(self._transfers.values())

    def deliver(
        self,
        url: str,
        *,
        transfer_id: str | None = None,
        session: requests.Session | None = None,
    ) -> list[Delivery]:
        """POST the pending webhooks (or only `transfer_id`, pending or not: a replay) to `url`.

        Each webhook is tried once and then once after each of `retry_delays` until an
        answer is 2xx; a webhook that is never accepted is dropped from the queue (it
        stays in the transaction list with `webhook_success` 0, as at SePay).
        """
        with self._lock:
            ids = [transfer_id] if transfer_id is not None else list(self._pending)
        http = session or requests.Session()
        try:
            return [self._deliver_one(http, url, one) for one in ids]
        finally:
            if session is None:
                http.close()

    def _deliver_one(self, http: requests.Session, url: str, transfer_id: str) -> Delivery:
        attempts: list[DeliveryAttempt] = []
        for number in range(1, len(self.retry_delays) + 2):
            request = self.request_for(transfer_id)
            try:
                response = http.post(
                    url,
                    data=request.body,
                    headers=request.headers,
                    timeout=self.profile.delivery_timeout,
                )
                attempt = DeliveryAttempt(number, response.status_code)
            except requests.RequestException as exc:
                attempt = DeliveryAttempt(number, None, type(exc).__name__)
            attempts.append(attempt)
            self.ledger.record(
                "delivery", transfer_id, url=url, attempt=number, status=attempt.status
            )
            if attempt.succeeded:
                break
            if number <= len(self.retry_delays):
                self.sleep(self.retry_delays[number - 1])
        delivery = Delivery(transfer_id, url, tuple(attempts))
        with self._lock:
            if transfer_id in self._pending:
                self._pending.remove(transfer_id)
            if delivery.delivered:
                self._delivered.add(transfer_id)
        return delivery

    # -- the transaction list ----------------------------------------------------------------

    def _authorized(self, request: SimRequest) -> bool:
        return wire.bearer_token(request.header("authorization")) == self.api_token

    def _item(self, transfer: BankTransfer) -> dict[str, object]:
        return list_item(
            transfer,
            accumulated=self._accumulated[transfer.transfer_id],
            webhook_success=transfer.transfer_id in self._delivered,
            profile=self.profile,
        )

    def _list(self, request: SimRequest) -> SimResponse:
        if not self._authorized(request):
            return SimResponse.json(wire.list_refused(401), 401)
        query = wire.read_list_query(request.args(), self.profile)
        if query is None:
            return SimResponse.json(wire.list_refused(422), 422)
        with self._lock:
            chosen = [t for t in self._transfers.values() if query.takes(t)]
            chosen.sort(
                key=lambda t: (t.transferred_at, int(t.transfer_id)), reverse=not query.ascending
            )
            window = chosen[(query.page - 1) * query.per_page : query.page * query.per_page]
            data = [self._item(t) for t in window]
        return SimResponse.json(wire.page_answer(data, total=len(chosen), query=query))

    def _detail(self, request: SimRequest) -> SimResponse:
        if not self._authorized(request):
            return SimResponse.json(wire.list_refused(401), 401)
        with self._lock:
            transfer = self._transfers.get(request.path_params["transfer_id"])
            if transfer is None:
                return SimResponse.json(wire.list_refused(404), 404)
            item = self._item(transfer)
        return SimResponse.json(wire.detail_answer(item))
