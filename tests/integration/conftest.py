"""Fixtures for tests against real servers: the ASGI app under uvicorn, a throwaway
PostgreSQL database, a Redis database of our own, and a guard for the signal handlers
that workers install."""

from __future__ import annotations

import secrets
import signal
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.helpers import (
    POSTGRES_ADMIN_URL,
    REDIS_TEST_URL,
    SHUTDOWN_TIMEOUT,
    STARTUP_TIMEOUT,
    unavailable,
    wait_until,
)


def _postgres_admin() -> Any:
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    from psycopg import sql

    name = f"comptoir_int_{secrets.token_hex(6)}"
    with _postgres_admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlsplit(POSTGRES_ADMIN_URL)._replace(path=f"/{name}").geturl()
    finally:
        with _postgres_admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database for this test alone, emptied before and after."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    client.flushdb()
    try:
        yield REDIS_TEST_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    """Workers run in the test process install their own SIGINT/SIGTERM handlers; put
    pytest's back afterwards."""
    names = ("SIGINT", "SIGTERM", "SIGQUIT")
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    try:
        yield
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)


@pytest.fixture
def server_port(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The port of ``comptoir.asgi:application`` served by uvicorn in a thread of this
    process, sharing the test database, settings and channel layer."""
    import uvicorn
    from django.db import connection

    from comptoir.asgi import application

    # The server's worker threads open their own connections, which no one closes once
    # the server stops; with persistent connections one would outlive the test and keep
    # PostgreSQL from dropping the test database. Every thread shares this dict.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        ws="websockets-sansio",
        log_config=None,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    wait_until(
        lambda: server.started or not thread.is_alive(),
        timeout=STARTUP_TIMEOUT,
        what="uvicorn to start",
    )
    assert server.started, "uvicorn stopped during start-up"
    try:
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=SHUTDOWN_TIMEOUT)
        assert not thread.is_alive(), "uvicorn did not stop"
