"""SQLite: an FTS5 table, ``tickets_search_fts``, one row per ticket (rowid = ticket id).

Columns: ``title`` (number and subject), ``body`` (requester and public replies) and
``notes`` (internal notes). The ``unicode61 remove_diacritics 2`` tokenizer folds case
and accents, so "reseau" finds "réseau". Customers' queries carry a column filter
(``{title body} : ...``): the notes column cannot match for them.
"""

from __future__ import annotations

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
# FTS5 merges its b-trees as it goes (automerge, default 4). A bulk load is faster with
# merging off, a larger in-memory buffer, and one 'optimize' at the end.
_DEFAULT_AUTOMERGE = 4
_DEFAULT_HASHSIZE = 1024 * 1024
_BULK_HASHSIZE = 64 * 1024 * 1024


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
            cursor.execute(_CONFIGURE, ["automerge", 0])
            cursor.execute(_CONFIGURE, ["hashsize", _BULK_HASHSIZE])

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(_CONFIGURE, ["automerge", _DEFAULT_AUTOMERGE])
            cursor.execute(_CONFIGURE, ["hashsize", _DEFAULT_HASHSIZE])
            cursor.execute(_OPTIMIZE)
