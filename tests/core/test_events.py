from __future__ import annotations

import pytest
from django.db import transaction

from comptoir.core.events import Event, emit, subscriber, subscriber_function, subscribers_for
from comptoir.core.models import AuditEntry
from comptoir.core.tasks import run_subscriber

pytestmark = pytest.mark.django_db

received: list[Event] = []


@subscriber("test.thing_happened")
def remember(event: Event) -> None:
    received.append(event)


@subscriber("test.thing_happened")
def explode(event: Event) -> None:
    raise RuntimeError("subscriber failure")


@pytest.fixture(autouse=True)
def _clear() -> None:
    received.clear()


def test_nothing_is_dispatched_before_commit(committed):
    with committed() as events:
        emit("test.thing_happened", {"n": 1})
        assert events == []  # still inside the transaction

    assert [e.payload for e in events] == [{"n": 1}]


def test_a_rolled_back_transaction_dispatches_nothing(committed):
    with committed() as events, pytest.raises(ValueError), transaction.atomic():
        emit("test.thing_happened", {"n": 1})
        raise ValueError("the write failed")

    assert events == []
    assert received == []


def test_every_subscriber_runs_and_one_failure_does_not_stop_the_others(committed):
    with committed():
        event = emit("test.thing_happened", {"n": 2}, actor_id=None, source="api")

    assert received == [event]
    # The "*" subscriber also ran: the audit trail has the event despite `explode`.
    assert AuditEntry.objects.filter(event_id=event.id, source="api").exists()


def test_subscribers_are_listed_by_type_and_wildcard():
    paths = subscribers_for("test.thing_happened")

    assert paths[:2] == [f"{__name__}.remember", f"{__name__}.explode"]
    assert "comptoir.core.subscribers.record_audit_entry" in paths


def test_only_registered_subscribers_can_be_run():
    # A task payload names a subscriber by path: an arbitrary path must never be imported.
    with pytest.raises(LookupError):
        subscriber_function("os.system")
    result = run_subscriber.enqueue("os.system", Event("x", {}).as_dict())
    assert result.status == "FAILED"


def test_events_round_trip_through_task_payloads():
    event = Event("user.created", {"user": "abc"}, actor_id=3, source="web")

    assert Event.from_dict(event.as_dict()) == event


def test_audit_entries_are_recorded_once_per_event(committed):
    with committed():
        event = emit("test.other", {})
    run_subscriber.enqueue("comptoir.core.subscribers.record_audit_entry", event.as_dict())

    assert AuditEntry.objects.filter(event_id=event.id).count() == 1
