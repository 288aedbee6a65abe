"""Planner statistics kept whole when a migration adds an index.

SQLite plans from ``sqlite_stat1`` when the table holds one: a desk analysed once (the
benchmark seeding does, an administrator may) and then given a new index has statistics
for every index but the new one, and SQLite takes the index it knows nothing about for the
most selective. At a million tickets that turned a 1 ms list read into a 90 ms sort
(``benchmarks/README.md``). A migration that adds an index on a large table ends with
``refresh_statistics("<table>")``. Without any statistics, or on PostgreSQL (whose
autovacuum analyses tables itself), it does nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def refresh_statistics(*tables: str) -> migrations.RunPython:
    def refresh(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')

    return migrations.RunPython(refresh, migrations.RunPython.noop, elidable=True)
