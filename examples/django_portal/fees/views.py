"""The portal's views: create a dossier's VNPay payment; receive VNPay's IPN."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.banks import PaymentRequest
from connectors.core.inbound import InboundRequest
from fees import portal
from fees.models import Dossier


@csrf_exempt
@require_POST
def pay(request: HttpRequest, code: str) -> JsonResponse:
    """Create the VNPay payment of dossier `code`; its pay URL for the citizen."""
    dossier = Dossier.objects.get(code=code)
    intent = (
        portal.adapters()
        .payments["vnpay"]
        .create_payment(
            PaymentRequest(
                dossier_code=code,
                amount=dossier.fee,
                description=f"Le phi ho so {code}",
                return_url=request.build_absolute_uri("/paid"),
                order_ref=code,
            )
        )
    )
    return JsonResponse({"order_ref": intent.order_ref, "pay_url": intent.redirect_url})


@csrf_exempt
def vnpay_ipn(request: HttpRequest) -> HttpResponse:
    """VNPay's IPN: verify, de-duplicate, `on_payment`, the answer VNPay expects.

    A sync view: under ASGI, Django itself runs it in a thread, with the ORM connection
    handling Django gives sync views (see docs/frameworks.md for async views)."""
    inbound = InboundRequest(
        method=request.method or "GET",
        query=dict(request.GET.items()),
        headers=dict(request.headers.items()),
        body=request.body,
        path=request.path,
    )
    answer = portal.vnpay_ipn().receive(inbound)
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response
