"""SQLite: an FTS5 table, ``tickets_search_fts``, one row per ticket (rowid = ticket id).

Columns: ``title`` (number and subject), ``body`` (requester and public replies) and
``notes`` (internal notes). The ``unicode61 remove_diacritics 2`` tokenizer folds case
and accents, so "reseau" finds "réseau". Customers' queries carry a column filter
(``{title body} : ...``): the notes column cannot match for them.

FTS5 keeps the index as b-trees ("segments") on levels: each commit adds one, and merging
them is configured (in the index itself) to happen in :meth:`SqliteBackend.maintain`, in
short transactions of their own after each flush, rather than inside the commits that write
documents. See docs/development/search.md, "Freshness".
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from comptoir.tickets.models import Ticket
from comptoir.tickets.search_backends.base import (
    Query,
    SearchBackend,
    Term,
)

PUBLIC_COLUMNS = "{title body}"
# A query matching more tickets than this searches only the newest (highest id) of them.
# Such a query (a word in one ticket out of fifty at a million tickets) is too vague to
# browse anyway, and the cap bounds its cost; every more precise query is exact.
MATCH_LIMIT = 20_000
# bm25 weights of title, body, notes: a word in the subject says more than one in a reply.
WEIGHTS = (10.0, 1.0, 1.0)


def _phrase(term: Term) -> str:
    # Words are letters and digits only (see base.parse_query): nothing to escape, but
    # quoting makes FTS5 read AND, OR, NOT and NEAR as plain words.
    return f'"{" ".join(term.words)}"' + ("*" if term.prefix else "")


def match_expression(query: Query, *, internal: bool) -> str:
    """The FTS5 MATCH string for ``query``."""
    groups = []
    for group in query.groups:
        positive = " AND ".join(_phrase(term) for term in group if not term.negated)
        expression = f"({positive})"
        for term in group:
            if term.negated:
                expression = f"({expression} NOT {_phrase(term)})"
        groups.append(expression)
    expression = " OR ".join(groups)
    return expression if internal else f"{PUBLIC_COLUMNS} : ({expression})"


# One ticket's documents: number and subject; requester and public replies; notes.
# Tables are named literally: these statements belong to migration 0002's schema.
# CROSS JOIN fixes the join order (SQLite's rule): left to itself, the planner walked every
# user for each batch of tickets, and a million tickets took hours to index instead of
# minutes.
_INDEX = """
INSERT OR REPLACE INTO tickets_search_fts (rowid, title, body, notes)
SELECT t.id,
       '#' || t.number || ' ' || t.subject,
       substr(u.full_name || ' ' || u.email || ' ' || coalesce(
           (SELECT group_concat(m.body, ' ') FROM tickets_message m
            WHERE m.ticket_id = t.id AND m.kind = %s), ''), 1, %s),
       substr(coalesce(
           (SELECT group_concat(m.body, ' ') FROM tickets_message m
            WHERE m.ticket_id = t.id AND m.kind = %s), ''), 1, %s)
FROM tickets_ticket t CROSS JOIN accounts_user u ON u.id = t.requester_id
WHERE """
_MATCH = (
    "SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH %s "
    "ORDER BY rowid DESC LIMIT %s"
)
_RANKED = (
    "SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH %s AND +rowid IN ({}) "
    "ORDER BY bm25(tickets_search_fts, %s, %s, %s), rowid DESC LIMIT %s"
)
_PRUNE = "DELETE FROM tickets_search_fts WHERE rowid NOT IN (SELECT id FROM tickets_ticket)"
_CONFIGURE = "INSERT INTO tickets_search_fts (tickets_search_fts, rank) VALUES (%s, %s)"
_OPTIMIZE = "INSERT INTO tickets_search_fts (tickets_search_fts) VALUES ('optimize')"
_SETTINGS = "SELECT k, v FROM tickets_search_fts_config WHERE k IN ('automerge', 'usermerge')"
# How FTS5 merges its segments (b-trees; each commit adds one) is stored in the index
# (tickets_search_fts_config). Its own merging runs inside the commit that writes documents
# ('automerge' work every 64 pages written; 'crisismerge': a whole level at once when it holds
# 16 segments), holding the only write lock. Ours is off, and maintain() merges instead, in
# transactions of their own, any level holding 'usermerge' segments. 8 rather than FTS5's 4:
# the largest segment (the whole index after a reindex) is rewritten less often (first after
# ~3,600 commits instead of ~960, then ~8 times as many each time), for at most 7 segments a
# level (11-17 in all at a million tickets) and searches measured as fast (search.md).
# Crisis merges stay as FTS5's backstop: a level of 16 small segments, left by writes no
# flush followed.
MERGE_SETTINGS = {"automerge": 0, "usermerge": 8}
_DEFAULT_HASHSIZE = 1024 * 1024
# A bulk load is faster with a larger in-memory buffer and one 'optimize' at the end.
_BULK_HASHSIZE = 64 * 1024 * 1024
# About this many pages (4 KB) are written per merge transaction. FTS5 stops only between
# terms, so a slice writes at least one term's whole list of documents: a word found in half
# of a million tickets is ~800 pages, 110-260 ms, when the largest segment is rewritten.
MERGE_PAGES = 64
_MERGE = "INSERT INTO tickets_search_fts (tickets_search_fts, rank) VALUES ('merge', %s)"
# maintain() starts no slice after this long (seconds); the next flush goes on. Only the
# rewrite of the largest segment takes longer (~20 s of slices at a million tickets).
MAINTAIN_BUDGET = 1.0
# FTS5 drops merged pages with "DELETE FROM tickets_search_fts_data WHERE id>=? AND id<=?".
# When sqlite_stat1 says that table holds a few rows (analysed while the index was empty: a
# whole-database ANALYZE on a new desk, as benchmarks/seed.py runs before indexing), SQLite
# plans it as a scan of the whole table, run once per merged segment: every merge read the
# full index, 1-9 s at a million tickets. This asks the plan this connection would use.
_DATA_RANGE_PLAN = "EXPLAIN QUERY PLAN DELETE FROM tickets_search_fts_data WHERE id>=%s AND id<=%s"
_RANGE_SEARCH = "rowid>? AND rowid<?"
# Below this many rows a scan costs nothing worth an ANALYZE.
_SCAN_HARMLESS_ROWS = 100
_ANALYZE_DATA = "ANALYZE tickets_search_fts_data"


class SqliteBackend(SearchBackend):
    def matching_ids(self, query: Query, *, internal: bool) -> RawSQL:
        # FTS5 returns rowids in descending order natively, so the cap costs nothing and
        # bounds the join: a query matching more tickets searches the newest of them.
        params = [match_expression(query, internal=internal), MATCH_LIMIT]
        return RawSQL(_MATCH, params)  # noqa: S611 - constant SQL, user text as a parameter

    def ranked_ids(
        self, query: Query, *, internal: bool, candidates: QuerySet[Ticket], limit: int
    ) -> list[int]:
        title, body, notes = WEIGHTS
        # For customers notes weigh nothing: the order must not hint at their content.
        weights = [title, body, notes if internal else 0.0]
        scoped, params = candidates.order_by().values("pk").query.sql_with_params()
        with self.connection.cursor() as cursor:
            cursor.execute(
                _RANKED.format(scoped),
                [match_expression(query, internal=internal), *params, *weights, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    prune_statement = _PRUNE

    def index_statement(self, condition: str) -> str:
        return _INDEX + condition

    def prepare(self) -> None:
        with self.connection.cursor() as cursor:
            _configure(cursor, MERGE_SETTINGS)
            cursor.execute(_CONFIGURE, ["hashsize", _BULK_HASHSIZE])

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            _configure(cursor, MERGE_SETTINGS)
            cursor.execute(_CONFIGURE, ["hashsize", _DEFAULT_HASHSIZE])
            cursor.execute(_OPTIMIZE)
            # The index just reached its size: statistics taken earlier would plan FTS5's own
            # statements for an empty table (see _DATA_RANGE_PLAN).
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute(_ANALYZE_DATA)

    def maintain(self, *, budget: float = MAINTAIN_BUDGET) -> int:
        """Merge the index's segments, each slice in its own short transaction, until none
        is left to merge or ``budget`` seconds have passed (the next call goes on).
        Returns how many slices merged something."""
        self._configure_merging()
        self._repair_statistics()
        deadline = time.monotonic() + budget
        slices = 0
        while self.merge_slice():
            slices += 1
            if time.monotonic() >= deadline:
                break
        return slices

    def merge_slice(self) -> bool:
        """Merge about MERGE_PAGES pages in one transaction; False when nothing was left to
        merge. FTS5 counts one change for the command itself and more for the pages it
        writes: a difference under two means it did nothing (the test FTS5 documents)."""
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SELECT total_changes()")
            before = _first(cursor)
            cursor.execute(_MERGE, [MERGE_PAGES])
            cursor.execute("SELECT total_changes()")
            return _first(cursor) - before >= 2

    def _configure_merging(self) -> None:
        """Store MERGE_SETTINGS in the index unless it has them: an index built before them,
        or restored from a backup, still merges inside writes (automerge 4)."""
        with self.connection.cursor() as cursor:
            cursor.execute(_SETTINGS)
            stored = {key: int(value) for key, value in cursor.fetchall()}
        if stored != MERGE_SETTINGS:
            with (
                transaction.atomic(using=self.connection.alias),
                self.connection.cursor() as cursor,
            ):
                _configure(cursor, MERGE_SETTINGS)

    def _repair_statistics(self) -> None:
        """ANALYZE the index's page table when this connection would scan all of it to drop
        a range of pages (statistics from when it was empty) and it is no longer tiny."""
        with self.connection.cursor() as cursor:
            cursor.execute(_DATA_RANGE_PLAN, [1, 2])
            if any(_RANGE_SEARCH in str(row[-1]) for row in cursor.fetchall()):
                return
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM tickets_search_fts_data LIMIT %s)",
                [_SCAN_HARMLESS_ROWS],
            )
            if _first(cursor) < _SCAN_HARMLESS_ROWS:
                return
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(_ANALYZE_DATA)


def _configure(cursor: Any, settings: dict[str, int]) -> None:
    for key, value in settings.items():
        cursor.execute(_CONFIGURE, [key, value])


def _first(cursor: Any) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row is not None else 0
