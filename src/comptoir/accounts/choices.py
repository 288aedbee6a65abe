from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    ADMIN = "admin", _("Administrator")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class TokenScope(models.TextChoices):
    """What a personal API token may do: read only (GET), or everything its owner can."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
