"""People and the groups they belong to: users, organisations, agent teams."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.choices import Language, Role, TokenScope
from comptoir.core.models import PublicIdModel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    """Manager used by Django's own tools (``createsuperuser``). Application code creates
    users through :mod:`comptoir.accounts.services`."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from comptoir.accounts import services

        return services.do_create_user(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        from comptoir.accounts import services

        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_superuser", True)
        return services.do_create_user(email=email, password=password, **extra)


class Organisation(PublicIdModel):
    """A customer company. Its members may share their tickets with each other."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    shared_tickets = models.BooleanField(
        _("members see each other's tickets"),
        default=False,
        help_text=_("When on, every member of the organisation sees all its tickets."),
    )
    notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, PermissionsMixin, PublicIdModel):
    """Anyone who signs in: a customer, an agent or an administrator. Email is the login."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="members",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["role", "email"], name="accounts_user_role_email")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def is_agent(self) -> bool:
        """Agents and administrators work in the agent workspace."""
        return self.role in (Role.AGENT, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_staff(self) -> bool:
        """Django's admin site is the administrators' configuration area."""
        return self.is_admin

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        # Administrators configure everything; Django's per-model permissions are for
        # finer roles added later.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.display_name


class Team(PublicIdModel):
    """A group of agents who share a queue of work (billing, hardware, level 2...)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        User, verbose_name=_("members"), related_name="teams", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class ApiToken(PublicIdModel):
    """A personal key for the REST API. It acts as its owner, within its scope.

    The key reads ``cpt_<prefix>_<secret>``. Only ``prefix`` (shown so the owner can tell
    keys apart) and the SHA-256 of the secret are stored; the secret is shown once.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="api_tokens", on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.shown_key})"

    @property
    def shown_key(self) -> str:
        """What the owner sees of the key: enough to recognise it, useless to anyone."""
        return f"cpt_{self.prefix}_…"

    @property
    def is_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def status(self, now: datetime.datetime) -> str:
        """``revoked``, ``expired`` or ``active`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    @staticmethod
    def status_condition(status: str, now: datetime.datetime) -> models.Q:
        """``status`` as a query condition: the rule of ``status()``, kept beside it."""
        if status == "revoked":
            return models.Q(revoked_at__isnull=False)
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        if status == "expired":
            return models.Q(revoked_at__isnull=True) & ~unexpired
        return models.Q(revoked_at__isnull=True) & unexpired

    def is_usable(self, now: datetime.datetime) -> bool:
        return self.status(now) == "active"
