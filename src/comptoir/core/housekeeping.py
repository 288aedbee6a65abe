"""Housekeeping of the database task queue: prune finished results, run again the tasks a
dead worker left running.

On the embedded default (and ``DATABASE_URL`` without Redis) every event enqueues rows in
django-tasks-db's table, which keeps them for ever: a benchmarked desk held 5,282 finished
rows, a real one grows without end. And a process killed mid-task leaves its row RUNNING,
which no worker ever claims again. The workers of ``comptoir serve`` and ``comptoir
worker`` (``HousekeepingWorker``) recover such tasks when they start, then run the whole
housekeeping once an hour; ``comptoir manage housekeeping`` runs it on demand (cron).
With ``REDIS_URL`` the queue is RQ, which expires its own results: nothing here applies.

Logs give counts only: a task's arguments may hold personal data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comptoir.core import conf

logger = logging.getLogger(__name__)

# Rows deleted per statement. Each batch is its own short transaction, so a worker's next
# claim never waits long behind the prune for SQLite's single write lock.
PRUNE_BATCH = 500
# Failed results are kept this many times longer than succeeded ones: someone may still
# be investigating them, and they are few.
FAILED_KEPT_FACTOR = 4
# A task whose worker died is run once more; if the next worker dies too, the task itself
# is the likely cause (it exhausts memory, it hangs), so it is marked failed instead of
# taking every later worker down with it.
MAX_ATTEMPTS = 2
HOUSEKEEPING_EVERY = timedelta(hours=1)
# How often the housekeeping thread asks whether a run is due; asking costs no query.
CHECK_EVERY = 60.0  # seconds
STOP_WAIT = 30.0  # seconds a stopping worker waits for the housekeeping thread

Clock = Callable[[], datetime]


class TaskAbandoned(Exception):
    """The error recorded on a task whose workers stopped while running it, twice."""


@dataclass(frozen=True)
class Policy:
    """How long finished results are kept, and when a running task counts as abandoned."""

    succeeded_kept: timedelta
    failed_kept: timedelta
    stale_after: timedelta

    @classmethod
    def from_settings(cls) -> Policy:
        options = conf.get()
        kept = timedelta(days=options.task_results_days)
        return cls(
            succeeded_kept=kept,
            failed_kept=kept * FAILED_KEPT_FACTOR,
            stale_after=timedelta(minutes=options.task_stale_minutes),
        )


@dataclass(frozen=True)
class Recovery:
    requeued: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class Report:
    pruned: int = 0
    requeued: int = 0
    abandoned: int = 0


def database_backend(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> DatabaseBackend | None:
    """The task backend ``alias`` when it is the database queue, else ``None`` (RQ)."""
    backend = task_backends[alias]
    return backend if isinstance(backend, DatabaseBackend) else None


def prune_finished(
    *,
    now: datetime,
    policy: Policy,
    backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
    batch_size: int = PRUNE_BATCH,
    stop: threading.Event | None = None,
) -> int:
    """Delete finished results older than ``policy`` keeps them, ``batch_size`` rows per
    transaction, until none is left or ``stop`` is set; return how many went.

    The same selection as django-tasks-db's ``prune_db_task_results`` (finished rows of
    this backend, failed ones with their own age), which deletes everything in a single
    statement: on a desk that never pruned, that held the write lock for the whole table.
    """
    expired = (
        DBTaskResult.objects.filter(backend_name=backend_name)
        .filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=now - policy.succeeded_kept)
            | Q(status=TaskResultStatus.FAILED, finished_at__lte=now - policy.failed_kept)
        )
        # The model's ordering would sort every matching row for each batch.
        .order_by()
    )
    pruned = 0
    while stop is None or not stop.is_set():
        ids = list(expired.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        deleted, _ = expired.filter(pk__in=ids).delete()
        pruned += deleted
        if len(ids) < batch_size:
            break
    return pruned


def recover_stale(
    *, now: datetime, policy: Policy, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS
) -> Recovery:
    """Put back in the queue (READY) the tasks still running ``policy.stale_after`` after
    they started: their worker died, since django-tasks-db's worker records no heartbeat
    and age is the only sign. A task already run by ``MAX_ATTEMPTS`` workers is marked
    failed instead.

    Each row changes only if it is still as it was read, so a worker that finished it (or
    claimed it again) in between keeps its result. Tasks must be idempotent: one that
    really runs longer than ``stale_after`` may run twice.
    """
    stale = (
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name, started_at__lte=now - policy.stale_after)
        .order_by()
    )
    requeued = abandoned = 0
    for pk, started_at, worker_ids in stale.values_list("pk", "started_at", "worker_ids"):
        unchanged = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) < MAX_ATTEMPTS:
            # READY is "ready to be executed again" in django-tasks; claiming sets a new
            # start and appends the next worker's id, which counts the attempts.
            requeued += unchanged.update(status=TaskResultStatus.READY, started_at=None)
        else:
            abandoned += unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.{TaskAbandoned.__qualname__}",
                traceback=_abandoned_reason(len(worker_ids), policy.stale_after),
            )
    return Recovery(requeued=requeued, abandoned=abandoned)


def _abandoned_reason(attempts: int, stale_after: timedelta) -> str:
    minutes = int(stale_after.total_seconds() // 60)
    return (
        f"{__name__}.{TaskAbandoned.__qualname__}: the task was still marked running "
        f"{minutes} minutes after it started, on each of its {attempts} attempts: its "
        "workers stopped while running it (a crash, a kill, a lost machine). Comptoir's "
        "housekeeping does not run it again.\n"
    )


def recover_stale_now(
    *, now: datetime | None = None, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS
) -> Recovery:
    """``recover_stale`` with the configured policy, logged: what a worker does at start."""
    recovery = recover_stale(
        now=now or timezone.now(), policy=Policy.from_settings(), backend_name=backend_name
    )
    _log_recovery(recovery)
    return recovery


def run_housekeeping(
    *,
    now: datetime | None = None,
    backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
    stop: threading.Event | None = None,
) -> Report:
    """Recover stale tasks, then prune finished results, with the configured policy."""
    now = now or timezone.now()
    recovery = recover_stale_now(now=now, backend_name=backend_name)
    pruned = prune_finished(
        now=now, policy=Policy.from_settings(), backend_name=backend_name, stop=stop
    )
    if pruned:
        logger.info("Pruned %d finished task result(s).", pruned)
    return Report(pruned=pruned, requeued=recovery.requeued, abandoned=recovery.abandoned)


def _log_recovery(recovery: Recovery) -> None:
    if recovery.requeued:
        logger.info(
            "Queued again %d task(s) that a stopped worker left running.", recovery.requeued
        )
    if recovery.abandoned:
        logger.warning(
            "Marked failed %d task(s) whose workers stopped while running them, twice.",
            recovery.abandoned,
        )


class HousekeepingJob(Protocol):
    def __call__(
        self, *, now: datetime, backend_name: str, stop: threading.Event | None
    ) -> Report: ...


class Housekeeper:
    """Runs the housekeeping at most once per ``every``, however often it is asked: the
    worker asks every minute, and a run reads the whole running and finished set."""

    def __init__(
        self,
        *,
        backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
        every: timedelta = HOUSEKEEPING_EVERY,
        clock: Clock = timezone.now,
        job: HousekeepingJob = run_housekeeping,
    ) -> None:
        self.backend_name = backend_name
        self.every = every
        self.clock = clock
        self.job = job
        self.last_run: datetime | None = None

    def due(self) -> bool:
        if self.last_run is None:
            return True
        elapsed = self.clock() - self.last_run
        # A clock set back must not put housekeeping off until it catches up again.
        return elapsed >= self.every or elapsed < timedelta(0)

    def run_if_due(self, stop: threading.Event | None = None) -> Report | None:
        if not self.due():
            return None
        now = self.clock()
        # Recorded first: a run that fails waits for the next hour too, not the next minute.
        self.last_run = now
        return self.job(now=now, backend_name=self.backend_name, stop=stop)


class HousekeepingWorker(Worker):
    """django-tasks-db's worker, keeping its queue's table tidy. Before its first poll it
    queues again what a dead worker left running; while it polls, a thread of its own
    runs the hourly housekeeping, since the library's loop offers no hook between polls
    (subclassing it would mean copying it)."""

    def __init__(self, *, clock: Clock = timezone.now, **options: Any) -> None:
        super().__init__(**options)
        self.clock = clock
        # Kept by the worker, not by a run: `_run_embedded_worker` calls run() again after
        # a locked database, and that must not prune again within the hour.
        self.housekeeper = Housekeeper(backend_name=self.backend_name, clock=clock)

    def run(self) -> None:
        try:
            recover_stale_now(now=self.clock(), backend_name=self.backend_name)
        except DatabaseError:
            logger.warning(
                "Could not look for tasks a stopped worker left running; the hourly "
                "housekeeping will.",
                exc_info=True,
            )
        stop = threading.Event()
        thread = threading.Thread(
            target=self._keep_house, args=(stop,), name="comptoir-housekeeping", daemon=True
        )
        thread.start()
        try:
            super().run()
        finally:
            stop.set()
            thread.join(timeout=STOP_WAIT)

    def _keep_house(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    self.housekeeper.run_if_due(stop)
                except Exception:
                    # The worker goes on without it; the next hour tries again.
                    logger.exception("Task housekeeping failed.")
                stop.wait(CHECK_EVERY)
        finally:
            # This thread's own connections, which nothing else would ever close.
            connections.close_all()
