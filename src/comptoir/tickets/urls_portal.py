"""The customer portal's ticket pages, mounted at ``/portal/tickets/``."""

from django.urls import path

from comptoir.tickets.views import attachments, portal

app_name = "portal_tickets"
urlpatterns = [
    path("", portal.ticket_list, name="list"),
    path("new/", portal.ticket_new, name="new"),
    path("new/fields/", portal.custom_fields, name="custom_fields"),
    path("files/<str:public_id>/", attachments.download, name="attachment"),
    path("<int:number>/", portal.ticket_detail, name="detail"),
    path("<int:number>/conversation/", portal.ticket_conversation, name="conversation"),
    path("<int:number>/reply/", portal.ticket_reply, name="reply"),
    path("<int:number>/status/", portal.ticket_status, name="status"),
]
