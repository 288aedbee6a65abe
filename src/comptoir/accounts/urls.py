from django.urls import path

from comptoir.accounts import views, views_tokens

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal_home, name="portal_home"),
    path("agent/", views.agent_home, name="agent_home"),
    path("accounts/profile/", views.profile, name="profile"),
    path("i18n/language/", views.switch_language, name="switch_language"),
    path("accounts/api-tokens/", views_tokens.api_tokens, name="api_tokens"),
    path(
        "accounts/api-tokens/<str:public_id>/revoke/",
        views_tokens.revoke_api_token,
        name="revoke_api_token",
    ),
]
