"""What every search backend shares: the query language and the backend interface.

Users type what they type in any search box. :func:`parse_query` turns it into a small,
safe structure that both engines understand the same way, so SQLite and PostgreSQL
accept the same syntax and neither ever sees raw user input:

- words are ANDed: ``printer paper``;
- ``"quoted words"`` form a phrase;
- ``-word`` or ``-"a phrase"`` excludes;
- ``OR`` (upper case, as in web search engines) separates alternatives;
- the last plain word may match as a prefix (``imprim`` finds ``imprimante``): SQLite
  does so; PostgreSQL's stemming gets there instead.

Everything else (quotes left open, ``AND``, ``NEAR``, ``*``, ``(``, ``a:b``...) is read
as text: a word is a run of letters and digits, exactly what the index tokenisers keep.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from comptoir.tickets.choices import MessageKind

if TYPE_CHECKING:
    from comptoir.tickets.models import Ticket

# Longer input is cut: nobody types more, and every term costs an index lookup.
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
# Shorter prefixes match too many words to be useful and cost a scan of the term list.
MIN_PREFIX = 3
# Public replies and notes are each indexed up to this many characters; the rest of a
# very long ticket is not searchable. It keeps a PostgreSQL tsvector of both languages
# under its 1 MB limit, which would otherwise fail the whole batch.
MAX_DOCUMENT_CHARS = 100_000

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# A letter or digit run: what FTS5's unicode61 and PostgreSQL's parser call a word.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One or more consecutive words (a phrase when more than one)."""

    words: tuple[str, ...]
    negated: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """Alternatives (OR) of groups of terms (AND). Every group has a positive term."""

    groups: tuple[tuple[Term, ...], ...]


def parse_query(text: str) -> Query | None:
    """The query ``text`` asks for, or ``None`` when it holds nothing searchable."""
    text = unicodedata.normalize("NFC", text[:MAX_QUERY_CHARS])
    groups: list[list[Term]] = [[]]
    count = 0
    typed_last: Term | None = None  # the last term typed, if it may match as a prefix
    for match in _CHUNK.finditer(text):
        if count >= MAX_TERMS:
            break
        minus, quoted, bare = match.groups()
        if bare == "OR":
            groups.append([])
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(word.lower() for word in _WORD.findall(quoted if bare is None else bare))
        if not words:
            continue
        term = Term(words=words, negated=negated)
        groups[-1].append(term)
        count += 1
        typed_last = term if bare is not None else None
    kept = [tuple(group) for group in groups if any(not term.negated for term in group)]
    if not kept:
        return None
    last = kept[-1][-1]
    if (
        last is typed_last
        and len(last.words) == 1
        and not last.negated
        and len(last.words[0]) >= MIN_PREFIX
        and not last.words[0].isdigit()  # "#1234" means that ticket, not #12345
    ):
        kept[-1] = (*kept[-1][:-1], Term(words=last.words, prefix=True))
    return Query(groups=tuple(kept))


class SearchBackend(ABC):
    """One database's full-text engine: keeps the ticket documents and matches queries.

    Each ticket has a public document (number, subject, requester, public replies) and an
    internal one (notes). Customers match the public document only, so a search can never
    reveal what a note says; agents match both.
    """

    # Whether several connections may write documents at once (parallel reindex).
    concurrent_writes = False

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    @abstractmethod
    def matching_ids(self, query: Query, *, internal: bool) -> RawSQL:
        """A subquery of the ids of the tickets whose documents match ``query``."""

    @abstractmethod
    def ranked_ids(
        self, query: Query, *, internal: bool, candidates: QuerySet[Ticket], limit: int
    ) -> list[int]:
        """The ids of at most ``limit`` tickets among ``candidates`` (already matching and
        scoped), most relevant first."""

    # Drops the documents whose ticket is gone.
    prune_statement: str

    @abstractmethod
    def index_statement(self, condition: str) -> str:
        """The statement rebuilding the documents of the tickets ``t`` meeting ``condition``;
        its parameters are the reply kind, the document size limit, the note kind, the
        limit again, then those of ``condition``."""

    def index_where(self, condition: str, params: Sequence[Any]) -> int:
        """(Re)build the documents of the tickets ``t`` meeting ``condition`` in one
        statement; ``condition`` is SQL over ``t`` (tickets) with ``%s`` placeholders.
        Returns how many were written."""
        limit = MAX_DOCUMENT_CHARS
        leading: list[Any] = [MessageKind.REPLY.value, limit, MessageKind.NOTE.value, limit]
        with self.connection.cursor() as cursor:
            cursor.execute(self.index_statement(condition), [*leading, *params])
            return max(int(cursor.rowcount), 0)

    def prune(self) -> int:
        """Drop documents whose ticket is gone; returns how many."""
        with self.connection.cursor() as cursor:
            cursor.execute(self.prune_statement)
            return max(int(cursor.rowcount), 0)

    @abstractmethod
    def prepare(self) -> None:
        """Get ready for a full reindex (database helpers, bulk-load settings)."""

    @abstractmethod
    def optimize(self) -> None:
        """Compact the index after a full reindex (and undo bulk-load settings)."""

    def maintain(self) -> int:
        """Tidy the index after a flush wrote documents, in short transactions of its own
        (never one long enough to hold other writers up); returns how many it ran. Nothing
        to do by default (PostgreSQL)."""
        return 0
