from django.urls import path

from comptoir.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal_home, name="portal_home"),
    path("agent/", views.agent_home, name="agent_home"),
    path("accounts/profile/", views.profile, name="profile"),
    path("i18n/language/", views.switch_language, name="switch_language"),
]
