"""Full-text search engines behind ``comptoir.tickets.search``, one per database vendor.

``backend_for(connection)`` picks the engine of the database in use: SQLite's FTS5 or
PostgreSQL's full-text search. Nothing outside this package knows which one runs.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from comptoir.tickets.search_backends.base import Query, SearchBackend, Term, parse_query

__all__ = ["Query", "SearchBackend", "Term", "backend_for", "parse_query"]


def backend_for(connection: BaseDatabaseWrapper | None = None) -> SearchBackend:
    connection = connection if connection is not None else connections["default"]
    if connection.vendor == "sqlite":
        from comptoir.tickets.search_backends.sqlite import SqliteBackend

        return SqliteBackend(connection)
    if connection.vendor == "postgresql":
        from comptoir.tickets.search_backends.postgres import PostgresBackend

        return PostgresBackend(connection)
    raise ImproperlyConfigured(f"ticket search does not support {connection.vendor!r}")
