from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """The channel through which a change entered Comptoir; recorded with every change."""

    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    FORUM = "forum", _("Forum")
    PHONE = "phone", _("Phone")
    SYSTEM = "system", _("System")
