"""Ticket subscribers: live refresh of open ticket pages."""

from __future__ import annotations

from comptoir.core.events import Event, subscriber
from comptoir.core.realtime import push


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
