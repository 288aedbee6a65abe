"""A migration adding an index refreshes SQLite's statistics only where some exist."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from comptoir.core.statistics import refresh_statistics

pytestmark = [pytest.mark.django_db]


def _stat_rows(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        return list(cursor.fetchall())


def _run(operation: object) -> None:
    # What the migration executor hands the operation: a schema editor on the connection.
    operation.code(None, SimpleNamespace(connection=connection))  # type: ignore[attr-defined]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
def test_statistics_are_refreshed_for_every_index_once_the_table_was_analysed(dave) -> None:
    from tests.factories import open_ticket

    open_ticket(dave)
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "tickets_ticket"')
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = 'ticket_status_due'")
    assert "ticket_status_due" not in dict(_stat_rows("tickets_ticket"))

    _run(refresh_statistics("tickets_ticket"))

    assert "ticket_status_due" in dict(_stat_rows("tickets_ticket"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
def test_a_desk_never_analysed_stays_without_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")

    _run(refresh_statistics("tickets_ticket"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None


def test_postgresql_is_left_to_its_autovacuum() -> None:
    # Runs on either database: on PostgreSQL it must do nothing, on SQLite without
    # statistics likewise.
    _run(refresh_statistics("tickets_ticket"))
