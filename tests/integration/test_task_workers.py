"""Event subscribers through the real task queues: the database worker and RQ.

Events leave only after commit; each subscriber is its own task, so nothing runs until
a worker picks it up, and one failing subscriber never stops the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from threading import Thread
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from comptoir.accounts.services import do_create_organisation, do_create_team
from comptoir.cli import start_embedded_worker
from comptoir.core.choices import Source
from comptoir.core.events import Event, capture_events, emit, subscriber, subscribers_for
from comptoir.core.models import AuditEntry
from tests.integration.helpers import (
    POLL_TIMEOUT,
    SHUTDOWN_TIMEOUT,
    comptoir_env,
    run_comptoir,
    wait_until,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("restore_signal_handlers"),
]

FAILING_EVENT = "integration.subscriber_fails"
AUDIT_SUBSCRIBER = "comptoir.core.subscribers.record_audit_entry"


class SubscriberFailed(RuntimeError):
    pass


@subscriber(FAILING_EVENT)
def failing_subscriber(event: Event) -> None:
    # Registered for a test-only event type, so no other test ever enqueues it.
    raise SubscriberFailed(event.id)


FAILING_SUBSCRIBER = f"{__name__}.failing_subscriber"


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def rq_queue(settings: Any, redis_url: str) -> None:
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@contextmanager
def embedded_worker_until(queued: int, what: str) -> Iterator[tuple[Thread, Worker]]:
    """Start the embedded worker and wait until it finished ``queued`` tasks (or its thread
    died); the block runs then, and the worker is stopped after it."""
    finished: list[object] = []

    def record(sender: object, task_result: object, **kwargs: object) -> None:
        finished.append(task_result)

    task_finished.connect(record)
    thread, worker = start_embedded_worker()
    try:
        wait_until(
            lambda: len(finished) >= queued or not thread.is_alive(),
            timeout=POLL_TIMEOUT,
            what=what,
        )
        yield thread, worker
    finally:
        worker.running = False
        thread.join(timeout=SHUTDOWN_TIMEOUT)
        task_finished.disconnect(record)


def run_database_worker() -> None:
    call_command(
        "db_worker",
        batch=True,
        queue_name="*",
        interval=0,
        startup_delay=False,
        reload=False,
        verbosity=0,
    )


def tasks_for(events: list[Event]) -> int:
    """One task per subscriber of each event."""
    return sum(len(subscribers_for(event.type)) for event in events)


def subscriber_of(result: DBTaskResult[Any, Any]) -> str:
    return str(result.args_kwargs["args"][0])


def test_committed_events_wait_in_the_database_queue_until_a_worker_runs_them(
    database_queue: None,
) -> None:
    with capture_events() as events, transaction.atomic():
        do_create_organisation("Initech", actor=None, source=Source.WEB)
        do_create_team("Night shift", actor=None, source=Source.WEB)
    assert [event.type for event in events] == ["organisation.created", "team.created"]

    queued = DBTaskResult.objects.all()
    assert len(queued) == tasks_for(events)
    assert {result.status for result in queued} == {TaskResultStatus.READY}
    assert {result.args_kwargs["args"][1]["id"] for result in queued} == {e.id for e in events}
    assert not AuditEntry.objects.exists()

    run_database_worker()

    assert {result.status for result in DBTaskResult.objects.all()} == {TaskResultStatus.SUCCESSFUL}
    assert sorted(AuditEntry.objects.values_list("event_id", flat=True)) == sorted(
        event.id for event in events
    )


def test_rolled_back_transaction_queues_nothing(database_queue: None) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        do_create_team("Never", actor=None, source=Source.WEB)
        raise RuntimeError("the request failed after the write")
    assert not DBTaskResult.objects.exists()


def test_a_failing_subscriber_does_not_stop_the_others(database_queue: None) -> None:
    with transaction.atomic():
        event = emit(FAILING_EVENT, {"reason": "test"}, source=Source.SYSTEM)
    queued = [subscriber_of(result) for result in DBTaskResult.objects.order_by("enqueued_at")]
    # Specific subscribers are queued before catch-all ones: the failure comes first.
    assert queued[0] == FAILING_SUBSCRIBER
    assert AUDIT_SUBSCRIBER in queued[1:]

    run_database_worker()

    results = {subscriber_of(result): result for result in DBTaskResult.objects.all()}
    failed = results[FAILING_SUBSCRIBER]
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == f"{__name__}.SubscriberFailed"
    assert results[AUDIT_SUBSCRIBER].status == TaskResultStatus.SUCCESSFUL
    assert results[AUDIT_SUBSCRIBER].started_at >= failed.finished_at
    assert AuditEntry.objects.filter(event_id=event.id, type=FAILING_EVENT).exists()


def test_embedded_worker_keeps_running_when_the_database_stays_locked(
    database_queue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process holding SQLite's write lock past the busy timeout (a long
    # `comptoir demo`, a migration) makes the worker's next claim raise "database is
    # locked". The thread inside `comptoir serve` must outlive that, or every later task
    # waits in the queue until someone restarts the server.
    claims = 0

    @contextmanager
    def locked_on_first_claim(using: str | None = None) -> Iterator[None]:
        nonlocal claims
        claims += 1
        if claims == 1:
            raise OperationalError("database is locked")
        with exclusive_transaction(using):
            yield

    monkeypatch.setattr(db_worker, "exclusive_transaction", locked_on_first_claim)
    with capture_events() as events, transaction.atomic():
        do_create_team("Lock check", actor=None, source=Source.SYSTEM)
    queued = DBTaskResult.objects.count()
    with embedded_worker_until(queued, "the embedded worker to run the queued tasks") as running:
        thread, _ = running
        assert thread.is_alive(), "the worker thread died on a locked database"
    assert not thread.is_alive()
    assert claims > 1
    assert list(AuditEntry.objects.values_list("event_id", flat=True)) == [events[0].id]


def test_a_task_left_running_by_a_dead_worker_is_run_when_a_worker_starts(
    database_queue: None,
) -> None:
    # The server was killed while it ran the audit trail's task: the row says RUNNING,
    # and no worker claims a running task. The next worker to start queues it again.
    with capture_events() as events, transaction.atomic():
        do_create_team("Power cut", actor=None, source=Source.SYSTEM)
    interrupted = next(
        result for result in DBTaskResult.objects.all() if subscriber_of(result) == AUDIT_SUBSCRIBER
    )
    interrupted.claim("killed-server")
    DBTaskResult.objects.filter(pk=interrupted.pk).update(
        started_at=timezone.now() - timedelta(hours=2)
    )
    queued = DBTaskResult.objects.count()
    with embedded_worker_until(queued, "the new worker to run the interrupted task") as running:
        thread, worker = running  # stopped when the block ends
    assert not thread.is_alive()
    interrupted.refresh_from_db()
    assert interrupted.status == TaskResultStatus.SUCCESSFUL
    assert interrupted.worker_ids == ["killed-server", worker.worker_id]
    assert list(AuditEntry.objects.values_list("event_id", flat=True)) == [events[0].id]


def test_committed_events_wait_in_redis_until_an_rq_worker_runs_them(rq_queue: None) -> None:
    import django_rq

    with capture_events() as events, transaction.atomic():
        do_create_team("Weekend", actor=None, source=Source.WEB)
        do_create_organisation("Umbrella", actor=None, source=Source.WEB)
    queue = django_rq.get_queue("default")
    assert len(events) == 2
    assert queue.count == tasks_for(events)
    assert not AuditEntry.objects.exists()

    # The same command `comptoir worker` runs, in this process (SimpleWorker: no fork)
    # so it shares the test database; burst mode returns once the queue is empty.
    call_command("rqworker", "default", burst=True, worker_class="rq.SimpleWorker", verbosity=0)

    assert queue.count == 0
    assert queue.failed_job_registry.count == 0
    assert sorted(AuditEntry.objects.values_list("event_id", flat=True)) == sorted(
        event.id for event in events
    )


ENQUEUE = """
from comptoir.accounts.services import do_create_organisation
from comptoir.core.choices import Source
for number in range(3):
    do_create_organisation(f"Burst {number}", actor=None, source=Source.WEB)
"""
COUNT = """
from django_tasks_db.models import DBTaskResult
print("statuses", sorted(set(DBTaskResult.objects.values_list("status", flat=True))))
print("tasks", DBTaskResult.objects.count())
"""


def test_a_burst_worker_runs_what_is_waiting_then_exits(tmp_path: Any) -> None:
    # A real `comptoir worker --burst` process on a fresh embedded desk: it must drain
    # the database queue and stop by itself, not poll for ever.
    env = comptoir_env(tmp_path)
    assert run_comptoir("manage", "migrate", env=env).returncode == 0
    enqueued = run_comptoir("manage", "shell", "-c", ENQUEUE, env=env)
    assert enqueued.returncode == 0, enqueued.stderr
    waiting = run_comptoir("manage", "shell", "-c", COUNT, env=env)
    assert "statuses ['READY']" in waiting.stdout, waiting.stdout

    burst = run_comptoir("worker", "--burst", env=env)

    assert burst.returncode == 0, burst.stderr
    done = run_comptoir("manage", "shell", "-c", COUNT, env=env)
    assert "statuses ['SUCCESSFUL']" in done.stdout, done.stdout


RQ_COUNT = """
import django_rq
queue = django_rq.get_queue("default")
print("waiting", queue.count, "failed", queue.failed_job_registry.count)
"""


def test_a_burst_worker_drains_the_redis_queue_then_exits(tmp_path: Any, redis_url: str) -> None:
    env = comptoir_env(tmp_path, REDIS_URL=redis_url)
    assert run_comptoir("manage", "migrate", env=env).returncode == 0
    assert run_comptoir("manage", "shell", "-c", ENQUEUE, env=env).returncode == 0
    waiting = run_comptoir("manage", "shell", "-c", RQ_COUNT, env=env)
    assert "waiting 0 " not in waiting.stdout, waiting.stdout

    burst = run_comptoir("worker", "--burst", env=env)

    assert burst.returncode == 0, burst.stderr
    done = run_comptoir("manage", "shell", "-c", RQ_COUNT, env=env)
    assert "waiting 0 failed 0" in done.stdout, done.stdout
