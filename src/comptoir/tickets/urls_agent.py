"""The agent workspace's ticket pages, mounted at ``/agent/tickets/``."""

from django.urls import path

from comptoir.tickets.views import agent, agent_list, agent_ticket

app_name = "agent_tickets"
urlpatterns = [
    path("", agent_list.ticket_list, name="list"),
    path("bulk/", agent_list.bulk_update, name="bulk"),
    path("views/new/", agent.saved_view_new, name="view_new"),
    path("views/<int:pk>/edit/", agent.saved_view_edit, name="view_edit"),
    path("views/<int:pk>/delete/", agent.saved_view_delete, name="view_delete"),
    path("<int:number>/", agent_ticket.ticket_detail, name="detail"),
    path("<int:number>/fields/", agent_ticket.custom_fields, name="custom_fields"),
    path("<int:number>/messages/", agent_ticket.ticket_message, name="message"),
    path("<int:number>/subject/", agent_ticket.ticket_subject, name="subject"),
    path("<int:number>/properties/", agent_ticket.ticket_properties, name="properties"),
    path("<int:number>/assign/", agent_ticket.ticket_assign, name="assign"),
    path("<int:number>/tags/", agent_ticket.ticket_tags, name="tags"),
    path("<int:number>/followers/", agent_ticket.follower_add, name="follower_add"),
    path(
        "<int:number>/followers/<str:public_id>/remove/",
        agent_ticket.follower_remove,
        name="follower_remove",
    ),
    path("<int:number>/merge/", agent_ticket.ticket_merge, name="merge"),
    path("<int:number>/problem/", agent_ticket.ticket_problem, name="problem"),
]
