"""`comptoir serve` from an empty data folder: the embedded default, in a real process.

A first visitor runs one command with no variable set; it must create its folder, its
secret key and its SQLite database, serve pages with their CSS, and run background
tasks in the same process.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import (
    POLL_TIMEOUT,
    Browser,
    ServerProcess,
    comptoir_env,
    run_comptoir,
    wait_until,
)

pytestmark = pytest.mark.integration

AUDIT_SUBSCRIBER = "comptoir.core.subscribers.record_audit_entry"
NOTIFY_SUBSCRIBER = "comptoir.accounts.subscribers.notify_new_team_member"
AGENT_PASSWORD = "integration-agent-2026"
ADD_AGENT_TO_TEAM = """
from comptoir.accounts.services import do_add_team_member, do_create_team, do_create_user
from comptoir.core.choices import Source
agent = do_create_user("queued@example.com", role="agent", source=Source.SYSTEM)
team = do_create_team("Queue check", actor=None, source=Source.SYSTEM)
do_add_team_member(team, agent, actor=None, source=Source.SYSTEM)
"""
CREATE_AGENT = (
    "from comptoir.accounts.services import do_create_user; "
    f"do_create_user('agent@example.com', password='{AGENT_PASSWORD}', role='agent', "
    "email_verified=True)"
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerProcess]:
    # The folder is empty: no key, no database, no static files.
    assert not any(data_dir.iterdir())
    process = ServerProcess(data_dir, data_dir.parent / "embedded-serve.log").start()
    yield process
    process.stop()


def assert_stopped_cleanly(returncode: int, server: ServerProcess) -> None:
    # uvicorn finishes its graceful shutdown, then re-raises SIGTERM so a supervisor sees
    # the signal; a kill after the bound would show as -SIGKILL instead.
    assert returncode in {0, -signal.SIGTERM}, server.log()
    assert "Application shutdown complete" in server.log()


def _query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(data_dir / "comptoir.sqlite3", timeout=20)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_first_start_creates_an_owner_only_secret_key_and_the_sqlite_database(
    server: ServerProcess, data_dir: Path
) -> None:
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text(encoding="utf-8").strip()) >= 50
    assert (data_dir / "comptoir.sqlite3").is_file()


def test_embedded_database_is_in_wal_mode(server: ServerProcess, data_dir: Path) -> None:
    # WAL is a property of the file: a fresh connection that sets nothing still reports it.
    assert _query(data_dir, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize("path", ["/portal/", "/accounts/login/"])
def test_page_renders_with_its_stylesheet_served_by_whitenoise(
    server: ServerProcess, path: str
) -> None:
    browser = Browser(server.base_url)
    page = browser.get(path)
    assert page.status == 200
    match = re.search(r'href="(/static/[^"]+\.css)"', page.text)
    assert match, f"no stylesheet linked from {path}"
    # collectstatic ran at start-up: the file name carries its content hash.
    assert re.search(r"\.[0-9a-f]{12}\.css$", match.group(1))

    css = browser.get(match.group(1))
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    # With DEBUG off Django serves no static file; whitenoise does, hashed files as immutable.
    assert "immutable" in css.headers["cache-control"]
    assert b"{" in css.body


def test_embedded_worker_runs_tasks_queued_by_another_process(
    server: ServerProcess, data_dir: Path
) -> None:
    # Another process (an admin's shell, a cron job) calls services: their events'
    # subscribers go to the database queue, and only the worker thread inside
    # `comptoir serve` can run them.
    queued = run_comptoir("manage", "shell", "-c", ADD_AGENT_TO_TEAM, env=comptoir_env(data_dir))
    assert queued.returncode == 0, queued.stderr

    def all_tasks_done() -> list[tuple[Any, ...]] | None:
        rows = _query(
            data_dir,
            "SELECT status, worker_ids, args_kwargs FROM django_tasks_database_dbtaskresult",
        )
        if rows and all(status not in {"READY", "RUNNING"} for status, _, _ in rows):
            return rows
        return None

    rows = wait_until(all_tasks_done, timeout=POLL_TIMEOUT, what="the queued tasks to run")
    assert {status for status, _, _ in rows} == {"SUCCESSFUL"}, server.log()
    workers = {worker for _, ids, _ in rows for worker in json.loads(ids)}
    assert workers, "no worker claimed the tasks"
    assert all(worker.startswith("embedded-") for worker in workers)

    audited = {
        json.loads(args)["args"][1]["id"]
        for _, _, args in rows
        if json.loads(args)["args"][0] == AUDIT_SUBSCRIBER
    }
    entries = {event_id for (event_id,) in _query(data_dir, "SELECT event_id FROM core_auditentry")}
    assert audited
    assert entries == audited
    # The live notice was pushed from the worker thread through the server's event loop.
    assert NOTIFY_SUBSCRIBER in {json.loads(args)["args"][0] for _, _, args in rows}


def test_restart_reuses_the_secret_key_so_sessions_survive(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "serve.log"
    first = ServerProcess(data_dir, log).start()
    try:
        created = run_comptoir("manage", "shell", "-c", CREATE_AGENT, env=first.env)
        assert created.returncode == 0, created.stderr
        browser = Browser(first.base_url)
        browser.log_in("agent@example.com", AGENT_PASSWORD)
        assert browser.get("/agent/", follow=False).status == 200
        key = (data_dir / "secret_key").read_text(encoding="utf-8")
    finally:
        returncode = first.stop()
    assert_stopped_cleanly(returncode, first)

    second = ServerProcess(data_dir, log).start()
    try:
        assert (data_dir / "secret_key").read_text(encoding="utf-8") == key
        # The session's auth hash is signed with the key: a new key would sign the user out.
        browser.base_url = second.base_url
        assert browser.get("/agent/", follow=False).status == 200
    finally:
        assert_stopped_cleanly(second.stop(), second)
