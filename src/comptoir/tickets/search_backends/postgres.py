"""PostgreSQL: ``tickets_ticketsearchdocument``, one tsvector per ticket, GIN-indexed.

The document is indexed with both the ``english`` and the ``french`` configuration
(concatenated), after ``comptoir_unaccent`` (the ``unaccent`` extension when it could be
installed, the identity otherwise). Its parts carry weights: number and subject A,
requester and public replies B, internal notes D. A customer's query asks for weights A
and B only (``'word':AB``), so a word found only in notes never matches for them; one
document and one GIN index serve both kinds of users (two indexes made writes 3x slower).

A query is parsed once (``base.parse_query``) and built with ``to_tsquery`` under both
configurations, ORed, so "imprimantes" stems to "imprim" in French and "printers" to
"printer" in English; stemming stands in for SQLite's prefix match of the last word.
Why ``to_tsquery`` and not ``websearch_to_tsquery``: the latter cannot restrict words to
weights A and B, which is how customers are kept out of notes. The user's text only
reaches it as words of letters and digits that we quote, so it cannot hold a syntax
error.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from comptoir.tickets.models import Ticket
from comptoir.tickets.search_backends.base import (
    Query,
    SearchBackend,
    Term,
)

logger = logging.getLogger(__name__)

# Up to this many matches, a search joins from the matching ids (see matching_ids).
FEW_MATCHES = 5000

# A query is read both as English and as French, ORed: both %s get the same text.
_MATCH = (
    "SELECT ticket_id FROM tickets_ticketsearchdocument WHERE document @@ "
    "(to_tsquery('english'::regconfig, comptoir_unaccent(%s)) "
    "|| to_tsquery('french'::regconfig, comptoir_unaccent(%s)))"
)
# ts_rank's weights are {D, C, B, A}: notes, (unused), public replies, subject. For
# customers notes weigh nothing, so the order cannot hint at their content either.
_RANKED = (
    "SELECT d.ticket_id FROM tickets_ticketsearchdocument d WHERE d.ticket_id IN ({}) "
    "ORDER BY ts_rank(%s::float4[], d.document, "
    "(to_tsquery('english'::regconfig, comptoir_unaccent(%s)) "
    "|| to_tsquery('french'::regconfig, comptoir_unaccent(%s)))) DESC, "
    "d.ticket_id DESC LIMIT %s"
)
_WEIGHTS = {True: [0.1, 0.0, 0.4, 1.0], False: [0.0, 0.0, 0.4, 1.0]}
# The e-mail is indexed whole and split: PostgreSQL keeps "dave@acme.example" as one
# token, while queries (parsed as FTS5 does) see the words "dave", "acme", "example".
_INDEX = """
INSERT INTO tickets_ticketsearchdocument (ticket_id, document)
SELECT d.id,
       setweight(to_tsvector('english', d.title) || to_tsvector('french', d.title), 'A')
       || setweight(to_tsvector('english', d.body) || to_tsvector('french', d.body), 'B')
       || setweight(to_tsvector('english', d.notes) || to_tsvector('french', d.notes), 'D')
FROM (
    SELECT t.id,
           comptoir_unaccent('#' || t.number || ' ' || t.subject) AS title,
           comptoir_unaccent(left(concat_ws(' ', u.full_name, u.email,
               translate(u.email, '@.', '  '),
               (SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id)
                FROM tickets_message m WHERE m.ticket_id = t.id AND m.kind = %s)),
               %s)) AS body,
           comptoir_unaccent(left(coalesce(
               (SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id)
                FROM tickets_message m WHERE m.ticket_id = t.id AND m.kind = %s), ''),
               %s)) AS notes
    FROM tickets_ticket t JOIN accounts_user u ON u.id = t.requester_id
    WHERE {}
) d
ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
"""
# The foreign key cascades; this only catches rows deleted around the ORM.
_PRUNE = (
    "DELETE FROM tickets_ticketsearchdocument d "
    "WHERE NOT EXISTS (SELECT 1 FROM tickets_ticket t WHERE t.id = d.ticket_id)"
)


def _term(term: Term, *, internal: bool) -> str:
    # Words are letters and digits only (see base.parse_query): quoting them is enough
    # for to_tsquery never to meet an operator or a syntax error in user input. No prefix
    # (":*") here: stemming already maps "imprim" and "imprimantes" to "imprim", and a
    # prefix makes the planner guess that even a rare word matches 1% of tickets, so it
    # scans tickets newest first looking for matches that are not there.
    words = [f"'{word}'" + ("" if internal else ":AB") for word in term.words]
    text = " <-> ".join(words)
    if len(words) > 1:
        text = f"({text})"
    return f"!{text}" if term.negated else text


def tsquery_text(query: Query, *, internal: bool) -> str:
    """The ``to_tsquery`` input for ``query``; without ``internal``, every word must be
    found in the public parts of the document (weights A and B)."""
    return " | ".join(
        "(" + " & ".join(_term(term, internal=internal) for term in group) + ")"
        for group in query.groups
    )


def install_unaccent(connection: BaseDatabaseWrapper) -> bool:
    """Create ``unaccent`` if allowed, and ``comptoir_unaccent`` over it (or over nothing).
    Returns whether accents are folded. Migration 0002 does the same at install time."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DatabaseError as exc:
            logger.warning("unaccent unavailable, search will be accent-sensitive: %s", exc)
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        row = cursor.fetchone()
        if row is None:
            body = "SELECT $1"
        else:
            schema = connection.ops.quote_name(row[0])
            body = f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
        # IMMUTABLE: the dictionary is fixed, and it lets the planner fold the tsquery.
        cursor.execute(
            "CREATE OR REPLACE FUNCTION comptoir_unaccent(text) RETURNS text "
            f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$"
        )
        return row is not None


class PostgresBackend(SearchBackend):
    concurrent_writes = True

    def matching_ids(self, query: Query, *, internal: bool) -> RawSQL:
        # The planner picks "matches first" or "newest tickets first, checking each" from
        # its guess of how many tickets match, and it overestimates rare words: then it
        # walks through the whole table. So ask the GIN index first: a query matching
        # few tickets hands their ids over (the join can only start from them), and
        # only a common one is left to the planner, which knows common words well.
        text = tsquery_text(query, internal=internal)
        with self.connection.cursor() as cursor:
            cursor.execute(_MATCH + " LIMIT %s", [text, text, FEW_MATCHES + 1])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= FEW_MATCHES:
            return RawSQL("SELECT unnest(%s::bigint[])", [ids])
        return RawSQL(_MATCH, [text, text])  # noqa: S611 - constant SQL, text as parameters

    def ranked_ids(
        self, query: Query, *, internal: bool, candidates: QuerySet[Ticket], limit: int
    ) -> list[int]:
        scoped, params = candidates.order_by().values("pk").query.sql_with_params()
        text = tsquery_text(query, internal=internal)
        with self.connection.cursor() as cursor:
            cursor.execute(_RANKED.format(scoped), [*params, _WEIGHTS[internal], text, text, limit])
            return [row[0] for row in cursor.fetchall()]

    prune_statement = _PRUNE

    def index_statement(self, condition: str) -> str:
        return _INDEX.format(condition)

    def prepare(self) -> None:
        install_unaccent(self.connection)
        if self.connection.in_atomic_block:
            return  # one transaction (tests): PostgreSQL cannot rebuild the index within it
        with self.connection.cursor() as cursor:
            # A first load (after a bulk import) builds the GIN index once at the end:
            # twice as fast as updating it row by row. Nobody can search an empty index.
            cursor.execute("SELECT EXISTS (SELECT 1 FROM tickets_ticketsearchdocument)")
            row = cursor.fetchone()
            if row is not None and not row[0]:
                cursor.execute("DROP INDEX IF EXISTS tickets_search_document_gin")

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('tickets_search_document_gin') IS NULL")
            row = cursor.fetchone()
            if row is not None and row[0]:
                cursor.execute("SET LOCAL maintenance_work_mem = '128MB'")
                cursor.execute(
                    "CREATE INDEX tickets_search_document_gin "
                    "ON tickets_ticketsearchdocument USING gin (document)"
                )
            cursor.execute("ANALYZE tickets_ticketsearchdocument")
