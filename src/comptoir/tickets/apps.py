from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "comptoir.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from comptoir.core import reference
        from comptoir.tickets import subscribers  # noqa: F401
        from comptoir.tickets.models import Category, SavedView

        reference.watch(Category, SavedView)
