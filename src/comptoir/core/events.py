"""Domain events: what services announce after their transaction commits.

A service calls :func:`emit` inside its transaction. Nothing leaves the process
until the transaction commits; then every subscriber of the event type is
enqueued as its own task, so a slow or failing subscriber (a webhook, an email)
never slows the reply and never undoes the write.

Subscribers are plain functions taking an :class:`Event`, registered with
:func:`subscriber`. Tests use :func:`capture_events` to assert exactly which
events an action emitted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.core.choices import Source

Subscriber = Callable[["Event"], None]

_subscribers: dict[str, list[str]] = {}
_functions: dict[str, Subscriber] = {}
_captures: list[list[Event]] = []


@dataclass(frozen=True)
class Event:
    """One thing that happened. ``payload`` holds JSON-safe values only (ids, not rows)."""

    type: str
    payload: dict[str, Any]
    actor_id: int | None = None
    source: str = Source.SYSTEM.value
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=lambda: timezone.now().isoformat())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(**data)


def subscriber(*event_types: str) -> Callable[[Subscriber], Subscriber]:
    """Register the decorated function to run, as a task, after each event of these types."""

    def register(func: Subscriber) -> Subscriber:
        path = f"{func.__module__}.{func.__qualname__}"
        _functions[path] = func
        for event_type in event_types:
            paths = _subscribers.setdefault(event_type, [])
            if path not in paths:
                paths.append(path)
        return func

    return register


def subscribers_for(event_type: str) -> list[str]:
    return [*_subscribers.get(event_type, []), *_subscribers.get("*", [])]


def subscriber_function(path: str) -> Subscriber:
    """The registered function behind ``path``; only registered paths can ever run."""
    try:
        return _functions[path]
    except KeyError:
        raise LookupError(f"no event subscriber is registered as {path!r}") from None


def emit(
    event_type: str,
    payload: dict[str, Any],
    *,
    actor_id: int | None = None,
    source: Source | str = Source.SYSTEM,
) -> Event:
    """Announce ``event_type``; subscribers are enqueued once the current transaction commits."""
    event = Event(
        type=event_type,
        payload=payload,
        actor_id=actor_id,
        source=Source(source).value,
    )
    transaction.on_commit(lambda: _dispatch(event), robust=True)
    return event


def _dispatch(event: Event) -> None:
    from comptoir.core.tasks import run_subscriber

    for capture in _captures:
        capture.append(event)
    data = event.as_dict()
    for path in subscribers_for(event.type):
        run_subscriber.enqueue(path, data)


@contextmanager
def capture_events() -> Iterator[list[Event]]:
    """Collect the events dispatched (that is, committed) while the block runs."""
    captured: list[Event] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
