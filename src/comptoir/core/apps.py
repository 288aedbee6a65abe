from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Subscribers register themselves with the event bus on import.
        from comptoir.core import subscribers  # noqa: F401
