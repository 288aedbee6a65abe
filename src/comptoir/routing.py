from django.urls import path

from comptoir.core.consumers import NotificationsConsumer
from comptoir.tickets.consumers import TicketConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/tickets/<str:public_id>/", TicketConsumer.as_asgi()),
]
