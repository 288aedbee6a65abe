from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from comptoir.core import views as core_views

admin.site.site_header = _("Comptoir administration")
admin.site.site_title = _("Comptoir")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("", include("comptoir.accounts.urls")),
    path("portal/tickets/", include("comptoir.tickets.urls_portal")),
    path("agent/tickets/", include("comptoir.tickets.urls_agent")),
    path("api/v1/", include("comptoir.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", core_views.health, name="health"),
]
