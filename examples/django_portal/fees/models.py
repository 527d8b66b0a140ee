"""The portal's dossiers (its own table, in the outbox's database)."""

from django.db import models


class Dossier(models.Model):
    """A dossier (hồ sơ) and its fee; `paid` once VNPay's verified IPN says so."""

    code = models.CharField(max_length=50, unique=True)
    citizen = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True)
    fee_name = models.CharField(max_length=200)
    fee = models.PositiveIntegerField()  # whole VND
    paid = models.BooleanField(default=False)

    class Meta:
        db_table = "example_portal_dossier"
