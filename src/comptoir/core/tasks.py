"""Background tasks of the core: running event subscribers."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from comptoir.core.events import Event, subscriber_function

logger = logging.getLogger(__name__)


@task()
def run_subscriber(path: str, event: dict[str, Any]) -> None:
    """Run one subscriber for one event. Each subscriber is its own task, so one failure
    is retried or reported on its own and never blocks the others."""
    func = subscriber_function(path)
    logger.debug("event %s (%s) -> %s", event["type"], event["id"], path)
    func(Event.from_dict(event))
