"""Signals from the libraries that change accounts on the desk's behalf (allauth), turned
into the desk's own events through the services."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from django.dispatch import receiver

from comptoir.accounts import services
from comptoir.accounts.models import User


@receiver(email_changed, dispatch_uid="comptoir.accounts.email_changed")
def record_email_change(
    *, user: User, from_email_address: EmailAddress | None, **kwargs: Any
) -> None:
    old = from_email_address.email if from_email_address is not None else None
    services.record_email_change(user, old)
