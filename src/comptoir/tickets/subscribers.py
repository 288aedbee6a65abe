"""Ticket subscribers: live refresh of open ticket pages, search index freshness."""

from __future__ import annotations

from comptoir.core.events import Event, subscriber
from comptoir.core.realtime import push
from comptoir.tickets import search


def ticket_group(public_id: str) -> str:
    return f"ticket.{public_id}"


@subscriber(
    "ticket.updated",
    "ticket.message_added",
    "ticket.merged",
    "ticket.follower_added",
    "ticket.follower_removed",
)
def refresh_ticket_pages(event: Event) -> None:
    # Only "something changed" travels: each browser re-reads the ticket through its own
    # scoped view, so a customer's page never receives an internal note's content.
    push(
        ticket_group(event.payload["ticket"]),
        "ticket_changed",
        {"ticket": event.payload["ticket"], "event": event.type, "actor_id": event.actor_id},
    )


@subscriber("ticket.created", "ticket.updated", "ticket.message_added", "ticket.merged")
def index_ticket_search(event: Event) -> None:
    # Documents are rebuilt whole from the database, so a replayed or late task is harmless.
    if event.type == "ticket.updated" and "subject" not in event.payload.get("changes", {}):
        return  # status, assignee...: nothing searchable changed
    public_ids = [event.payload["ticket"]]
    if event.type == "ticket.merged":
        public_ids.append(event.payload["into"])  # the conversation moved there
    search.queue_for_index(search.ticket_ids(public_ids))


@subscriber("user.profile_updated")
def index_requester_name(event: Event) -> None:
    # The requester's name and address are part of each of their tickets' documents.
    if {"full_name", "email"} & set(event.payload.get("changes", {})):
        search.index_tickets_of_requester(event.payload["user"])
