from django.urls import path  # noqa: F401

app_name = "agent_tickets"
urlpatterns: list = []  # type: ignore[type-arg]
