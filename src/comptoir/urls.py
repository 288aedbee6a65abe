from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from comptoir.core import views as core_views

admin.site.site_header = _("Comptoir administration")
admin.site.site_title = _("Comptoir")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("", include("comptoir.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", core_views.health, name="health"),
]
