"""Abstract base models shared by every app."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

# Crockford's base32 alphabet: no I, L, O or U, so ids read aloud without confusion.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    """An opaque, unguessable identifier (80 random bits) for URLs and the API."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class TimeStampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at``, both stored in UTC."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(TimeStampedModel):
    """Adds ``public_id``: what URLs and the API expose instead of the row's sequence."""

    public_id = models.CharField(
        _("public id"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
    )

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One committed domain event, kept for administrators: who did what, when, and how."""

    event_id = models.CharField(_("event id"), max_length=32, unique=True)
    type = models.CharField(_("event"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16)
    payload = models.JSONField(_("details"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d %H:%M:%S}"
