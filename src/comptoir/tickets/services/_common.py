"""Pieces shared by the ticket services: numbering, history, events."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.events import emit
from comptoir.tickets.choices import Channel
from comptoir.tickets.models import HistoryEntry, Ticket, TicketCounter

SOURCE_CHANNEL = {
    Source.WEB: Channel.WEB,
    Source.EMAIL: Channel.EMAIL,
    Source.CHAT: Channel.CHAT,
    Source.API: Channel.API,
    Source.FORUM: Channel.FORUM,
    Source.PHONE: Channel.PHONE,
    Source.SYSTEM: Channel.WEB,
}


def next_ticket_number() -> int:
    """Hand out the next number; the UPDATE takes a row lock, so two openings never clash.
    Must run inside the caller's transaction."""
    updated = TicketCounter.objects.filter(pk=1).update(last_number=F("last_number") + 1)
    if not updated:
        TicketCounter.objects.create(pk=1, last_number=1001)
        return 1001
    return TicketCounter.objects.values_list("last_number", flat=True).get(pk=1)


def display(value: Any) -> str:
    """How a value is written in the history: codes for choices, names for rows."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(item) for item in value))
    if isinstance(value, dict):
        return ", ".join(f"{key}={value[key]}" for key in sorted(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def record(
    ticket: Ticket, field: str, old: Any, new: Any, *, actor: User | None, source: Source
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        ticket=ticket,
        actor=actor,
        source=Source(source).value,
        field=field,
        old=display(old),
        new=display(new),
    )


def ticket_payload(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {"ticket": ticket.public_id, "number": ticket.number, **extra}


def emit_ticket_event(
    event_type: str, ticket: Ticket, *, actor: User | None, source: Source, **extra: Any
) -> None:
    emit(
        event_type,
        ticket_payload(ticket, **extra),
        actor_id=actor.pk if actor is not None else None,
        source=source,
    )
