from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "comptoir.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from comptoir.catalog.models import Product
        from comptoir.core import reference

        reference.watch(Product)
