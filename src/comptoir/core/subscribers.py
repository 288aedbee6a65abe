"""Core subscribers: the audit trail of every committed event."""

from __future__ import annotations

from datetime import datetime

from comptoir.core.events import Event, subscriber
from comptoir.core.models import AuditEntry


@subscriber("*")
def record_audit_entry(event: Event) -> None:
    # get_or_create keyed on the event id: a retried task never records twice.
    AuditEntry.objects.get_or_create(
        event_id=event.id,
        defaults={
            "type": event.type,
            "actor_id": event.actor_id,
            "source": event.source,
            "payload": event.payload,
            "occurred_at": datetime.fromisoformat(event.occurred_at),
        },
    )
