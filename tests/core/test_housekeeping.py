"""Housekeeping of the database task queue: pruning finished results, recovering tasks a
dead worker left running, the hourly throttle, and the settings behind them.

Rows are queued through the database backend and moved through their states with the
library's own claim/finish methods; only their timestamps are set back, against a fixed
``NOW`` handed to the functions, so no test depends on the wall clock.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from comptoir.core import housekeeping
from comptoir.core.env import ConfigError
from comptoir.core.housekeeping import (
    Housekeeper,
    Policy,
    Report,
    TaskAbandoned,
    prune_finished,
    recover_stale,
    run_housekeeping,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)
POLICY = Policy(
    succeeded_kept=timedelta(days=7),
    failed_kept=timedelta(days=28),
    stale_after=timedelta(minutes=30),
)
PERSONAL = "dave@acme.example"


@task()
def greet(address: str) -> None:
    """A task whose argument is personal data, as a subscriber's event payload may be."""


class BoomError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def queued() -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.get(pk=greet.enqueue(PERSONAL).id)


def running(*, started: datetime, workers: tuple[str, ...] = ("dead-worker",)) -> DBTaskResult:
    """A task claimed by each of ``workers`` in turn, the last claim at ``started``."""
    row = queued()
    for worker_id in workers:
        row.status = TaskResultStatus.READY
        row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    row.refresh_from_db()
    return row


def succeeded(*, finished: datetime) -> DBTaskResult:
    row = running(started=finished - timedelta(seconds=1))
    row.set_successful(None)
    DBTaskResult.objects.filter(pk=row.pk).update(finished_at=finished)
    return row


def failed(*, finished: datetime) -> DBTaskResult:
    row = running(started=finished - timedelta(seconds=1))
    row.set_failed(BoomError("the subscriber failed"))
    DBTaskResult.objects.filter(pk=row.pk).update(finished_at=finished)
    return row


def remaining() -> set[Any]:
    return set(DBTaskResult.objects.values_list("pk", flat=True))


# --- Pruning --------------------------------------------------------------------------


def test_pruning_deletes_succeeded_results_older_than_their_retention_only():
    old = succeeded(finished=NOW - timedelta(days=8))
    recent = succeeded(finished=NOW - timedelta(days=6))

    pruned = prune_finished(now=NOW, policy=POLICY)

    assert pruned == 1
    assert remaining() == {recent.pk}
    assert old.pk not in remaining()


def test_failed_results_are_kept_longer_than_succeeded_ones():
    # Someone may still be finding out why they failed.
    under_investigation = failed(finished=NOW - timedelta(days=8))
    forgotten = failed(finished=NOW - timedelta(days=29))

    pruned = prune_finished(now=NOW, policy=POLICY)

    assert pruned == 1
    assert remaining() == {under_investigation.pk}
    assert forgotten.pk not in remaining()


def test_pruning_never_touches_unfinished_tasks_however_old():
    waiting = queued()
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=NOW - timedelta(days=90))
    still_running = running(started=NOW - timedelta(days=90))

    assert prune_finished(now=NOW, policy=POLICY) == 0
    assert remaining() == {waiting.pk, still_running.pk}


def test_pruning_leaves_other_backends_results_alone():
    other = succeeded(finished=NOW - timedelta(days=90))
    DBTaskResult.objects.filter(pk=other.pk).update(backend_name="archive")

    assert prune_finished(now=NOW, policy=POLICY) == 0
    assert remaining() == {other.pk}


def test_pruning_deletes_in_batches_of_the_given_size():
    # One short statement per batch, so SQLite's write lock is never held for long.
    for _ in range(5):
        succeeded(finished=NOW - timedelta(days=30))
    kept = succeeded(finished=NOW)

    with CaptureQueriesContext(connection) as queries:
        pruned = prune_finished(now=NOW, policy=POLICY, batch_size=2)

    deletes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert pruned == 5
    assert len(deletes) == 3
    assert remaining() == {kept.pk}


class StopsAfter(threading.Event):
    """An event that reads as set after ``checks`` reads: a worker stopping mid-prune."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.checks = checks

    def is_set(self) -> bool:
        self.checks -= 1
        return self.checks < 0


def test_pruning_stops_between_batches_when_the_worker_stops():
    for _ in range(5):
        succeeded(finished=NOW - timedelta(days=30))

    pruned = prune_finished(now=NOW, policy=POLICY, batch_size=2, stop=StopsAfter(1))

    assert pruned == 2
    assert len(remaining()) == 3


# --- Tasks left running ---------------------------------------------------------------


def test_a_task_left_running_past_the_threshold_is_queued_again():
    abandoned = running(started=NOW - timedelta(minutes=31))

    recovery = recover_stale(now=NOW, policy=POLICY)

    abandoned.refresh_from_db()
    assert (recovery.requeued, recovery.abandoned) == (1, 0)
    assert abandoned.status == TaskResultStatus.READY
    assert abandoned.started_at is None
    # The dead worker stays on record; the next claim appends the next one.
    assert abandoned.worker_ids == ["dead-worker"]
    assert list(DBTaskResult.objects.ready()) == [abandoned]


def test_a_task_running_for_less_than_the_threshold_is_left_alone():
    busy = running(started=NOW - timedelta(minutes=29))

    recovery = recover_stale(now=NOW, policy=POLICY)

    busy.refresh_from_db()
    assert (recovery.requeued, recovery.abandoned) == (0, 0)
    assert busy.status == TaskResultStatus.RUNNING
    assert busy.started_at == NOW - timedelta(minutes=29)


def test_a_task_whose_second_worker_died_too_is_marked_failed_not_run_a_third_time():
    # The task itself probably kills its worker (memory, a hang): retrying for ever would
    # take every restart down with it.
    doomed = running(started=NOW - timedelta(hours=2), workers=("first", "second"))

    recovery = recover_stale(now=NOW, policy=POLICY)

    doomed.refresh_from_db()
    assert (recovery.requeued, recovery.abandoned) == (0, 1)
    assert doomed.status == TaskResultStatus.FAILED
    assert doomed.finished_at == NOW
    [error] = doomed.task_result.errors
    assert error.exception_class is TaskAbandoned
    assert "stopped while running it" in error.traceback


def test_finished_and_waiting_tasks_are_not_recovered():
    done = succeeded(finished=NOW - timedelta(hours=2))
    waiting = queued()

    recovery = recover_stale(now=NOW, policy=POLICY)

    assert (recovery.requeued, recovery.abandoned) == (0, 0)
    assert DBTaskResult.objects.get(pk=done.pk).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY


# --- One run, with the configured policy ----------------------------------------------


def test_housekeeping_follows_the_configured_retention(settings):
    settings.COMPTOIR_TASK_RESULTS_DAYS = 2
    settings.COMPTOIR_TASK_STALE_MINUTES = 10
    succeeded(finished=NOW - timedelta(days=3))
    kept_failure = failed(finished=NOW - timedelta(days=3))  # failures: 4 x 2 days
    failed(finished=NOW - timedelta(days=9))
    running(started=NOW - timedelta(minutes=11))

    report = run_housekeeping(now=NOW)

    assert report == Report(pruned=2, requeued=1, abandoned=0)
    assert kept_failure.pk in remaining()


@pytest.fixture
def housekeeping_log() -> Iterator[StringIO]:
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger(housekeeping.__name__)
    log.addHandler(handler)
    level, log.level = log.level, logging.INFO
    try:
        yield stream
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def test_housekeeping_logs_counts_never_task_arguments(housekeeping_log):
    succeeded(finished=NOW - timedelta(days=30))
    running(started=NOW - timedelta(hours=1))
    running(started=NOW - timedelta(hours=1), workers=("first", "second"))

    run_housekeeping(now=NOW)

    logged = housekeeping_log.getvalue()
    assert "Pruned 1 finished" in logged
    assert "Queued again 1 task" in logged
    assert "Marked failed 1 task" in logged
    assert PERSONAL not in logged


def test_the_management_command_runs_housekeeping_at_once():
    succeeded(finished=timezone.now() - timedelta(days=30))
    out = StringIO()

    call_command("housekeeping", stdout=out)

    assert "Pruned 1 finished task results" in out.getvalue()
    assert not remaining()


def test_the_management_command_does_nothing_without_the_database_queue(settings):
    succeeded(finished=NOW - timedelta(days=30))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()

    call_command("housekeeping", stdout=out)

    assert "not the database queue" in out.getvalue()
    assert len(remaining()) == 1


# --- The hourly throttle --------------------------------------------------------------


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingJob:
    def __init__(self) -> None:
        self.runs: list[datetime] = []

    def __call__(self, *, now: datetime, backend_name: str, stop: threading.Event | None) -> Report:
        self.runs.append(now)
        return Report()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def job() -> RecordingJob:
    return RecordingJob()


def test_housekeeping_runs_at_the_first_ask_with_the_clocks_time(clock, job):
    housekeeper = Housekeeper(clock=clock, job=job)

    assert housekeeper.run_if_due() == Report()
    assert job.runs == [NOW]


def test_housekeeping_runs_at_most_once_an_hour_however_often_asked(clock, job):
    housekeeper = Housekeeper(clock=clock, job=job)
    housekeeper.run_if_due()

    for minutes in (1, 30, 59):
        clock.now = NOW + timedelta(minutes=minutes)
        assert housekeeper.run_if_due() is None
    clock.now = NOW + timedelta(hours=1)
    housekeeper.run_if_due()

    assert job.runs == [NOW, NOW + timedelta(hours=1)]


def test_a_failed_run_also_waits_for_the_next_hour(clock):
    # A locked or broken database must not be hammered at every poll.
    def broken(**kwargs: Any) -> Report:
        raise BoomError("database is locked")

    housekeeper = Housekeeper(clock=clock, job=broken)
    with pytest.raises(BoomError):
        housekeeper.run_if_due()
    clock.now = NOW + timedelta(minutes=5)

    assert not housekeeper.due()


def test_a_clock_set_back_does_not_postpone_housekeeping(clock, job):
    housekeeper = Housekeeper(clock=clock, job=job)
    housekeeper.run_if_due()
    clock.now = NOW - timedelta(days=1)

    housekeeper.run_if_due()

    assert len(job.runs) == 2


# --- Settings -------------------------------------------------------------------------


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> ModuleType:
    """A fresh copy of the settings module, read under ``env`` (settings import once)."""
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path))
    for name in ("COMPTOIR_TASK_RESULTS_DAYS", "COMPTOIR_TASK_STALE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("comptoir.settings")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_task_housekeeping_settings_default_to_a_week_and_half_an_hour(monkeypatch, tmp_path):
    loaded = load_settings(monkeypatch, tmp_path)

    assert loaded.COMPTOIR_TASK_RESULTS_DAYS == 7
    assert loaded.COMPTOIR_TASK_STALE_MINUTES == 30


def test_task_housekeeping_settings_read_the_environment(monkeypatch, tmp_path):
    loaded = load_settings(
        monkeypatch, tmp_path, COMPTOIR_TASK_RESULTS_DAYS="3", COMPTOIR_TASK_STALE_MINUTES="90"
    )

    assert loaded.COMPTOIR_TASK_RESULTS_DAYS == 3
    assert loaded.COMPTOIR_TASK_STALE_MINUTES == 90


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("COMPTOIR_TASK_RESULTS_DAYS", "0"),
        ("COMPTOIR_TASK_RESULTS_DAYS", "-1"),
        ("COMPTOIR_TASK_RESULTS_DAYS", "a week"),
        ("COMPTOIR_TASK_STALE_MINUTES", "0"),
        ("COMPTOIR_TASK_STALE_MINUTES", "1.5"),
    ],
)
def test_task_housekeeping_settings_refuse_values_they_cannot_use(monkeypatch, tmp_path, name, raw):
    with pytest.raises(ConfigError, match=name):
        load_settings(monkeypatch, tmp_path, **{name: raw})
