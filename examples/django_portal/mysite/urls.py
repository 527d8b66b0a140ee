"""The portal's URLs: paying a dossier and VNPay's IPN."""

from django.urls import path
from fees import views

urlpatterns = [
    path("dossiers/<str:code>/payment", views.pay),
    path("ipn/vnpay", views.vnpay_ipn),
]
