from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "comptoir.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from comptoir.accounts import receivers, subscribers  # noqa: F401
        from comptoir.accounts.models import Team, User
        from comptoir.core import reference

        reference.watch(User, Team)
