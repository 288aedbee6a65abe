"""Ticket search, one interface over the database's own full-text engine.

``search_tickets(user, text)`` returns the tickets ``user`` may see that match ``text``,
as a queryset the caller can filter, order and paginate further. ``best_matches`` orders
them by relevance. The index (``search_backends``) is kept fresh by the subscriber
``index_ticket_search`` and rebuilt by ``manage reindex_tickets``; see
docs/development/search.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Case, IntegerField, Max, Min, QuerySet, Value, When

from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket, TicketSearchPending
from comptoir.tickets.queries import tickets_visible_to
from comptoir.tickets.search_backends import backend_for, parse_query


def search_tickets(user: User | AnonymousUser, text: str) -> QuerySet[Ticket]:
    """The tickets ``user`` may see matching ``text``. Blank text filters nothing; text
    with no word in it (only punctuation) matches nothing.

    The index answers with a subquery of ticket ids and the visibility rule applies on
    top. Customers match only the public side of a ticket: a word that appears only in
    an internal note never finds it for them."""
    tickets = tickets_visible_to(user)
    if not text.strip():
        return tickets
    query = parse_query(text)
    if query is None or not user.is_authenticated:
        return tickets.none()
    return tickets.filter(pk__in=backend_for().matching_ids(query, internal=user.is_agent))


def best_matches(
    user: User | AnonymousUser,
    text: str,
    *,
    limit: int = 50,
    within: QuerySet[Ticket] | None = None,
) -> QuerySet[Ticket]:
    """The ``limit`` most relevant tickets for ``text``, best first (``search_rank`` 0, 1,
    ...), among ``within`` if given (say, the open tickets). Relevance is no keyset:
    show these as one page. Subject words count more than reply words."""
    results = search_tickets(user, text)
    if within is not None:
        results &= within
    query = parse_query(text)
    if query is None or not user.is_authenticated:
        newest = results.order_by("-updated_at", "-id")
        return newest.filter(pk__in=newest.values("pk")[: max(1, limit)])
    ids = backend_for().ranked_ids(
        query, internal=user.is_agent, candidates=results, limit=max(1, limit)
    )
    position = Case(
        *(When(pk=pk, then=Value(rank)) for rank, pk in enumerate(ids)),
        default=Value(len(ids)),
        output_field=IntegerField(),
    )
    return (
        tickets_visible_to(user)
        .filter(pk__in=ids)
        .annotate(search_rank=position)
        .order_by("search_rank")
    )


def index_tickets(ids: Iterable[int]) -> int:
    """(Re)build the search documents of these tickets. Idempotent."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    placeholders = ", ".join(["%s"] * len(ids))
    with transaction.atomic():
        return backend_for().index_where(f"t.id IN ({placeholders})", ids)


# Tickets indexed per transaction when flushing the waiting ones.
FLUSH_BATCH = 500
# Set while a flush task is queued, so that a burst of changes queues one, not hundreds.
FLUSH_QUEUED_KEY = "tickets:search-flush-queued"
FLUSH_QUEUED_FOR = 300  # seconds: a flush lost with its task is queued again after this


def queue_for_index(ids: Iterable[int]) -> None:
    """Have these tickets' documents rebuilt soon, together with every other waiting one.

    Each write to SQLite's FTS5 index is a commit holding the database's only write lock,
    and each adds a segment to merge later (``SqliteBackend.maintain``). So changed tickets
    wait in ``TicketSearchPending`` and one task indexes all that are waiting: a burst of a
    hundred new tickets costs a few index commits instead of a hundred
    (``benchmarks/README.md``). When the desk is quiet the task runs at once and a change
    is searchable as before."""
    rows = [TicketSearchPending(ticket_id=pk) for pk in sorted(set(ids))]
    if not rows:
        return
    TicketSearchPending.objects.bulk_create(rows, ignore_conflicts=True)
    _queue_flush()


def resume_pending() -> bool:
    """Queue a flush if tickets still wait for the index (a server or worker stopped with
    some): called when `comptoir serve` and `comptoir worker` start."""
    if not TicketSearchPending.objects.exists():
        return False
    cache.delete(FLUSH_QUEUED_KEY)  # the process that queued the last flush is gone
    _queue_flush()
    return True


def _queue_flush() -> None:
    """Queue a flush unless one is already queued."""
    if cache.add(FLUSH_QUEUED_KEY, True, timeout=FLUSH_QUEUED_FOR):
        enqueue_flush()


def enqueue_flush() -> None:
    from comptoir.tickets.tasks import flush_search_index

    flush_search_index.enqueue()


def flush_pending(batch: int = FLUSH_BATCH) -> int:
    """Index the waiting tickets, ``batch`` per transaction; return how many."""
    # Cleared first: a ticket queued from now on is either read below or queues a flush.
    cache.delete(FLUSH_QUEUED_KEY)
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                TicketSearchPending.objects.order_by("ticket_id").values_list(
                    "ticket_id", flat=True
                )[:batch]
            )
            if not ids:
                return done
            index_tickets(ids)
            TicketSearchPending.objects.filter(ticket_id__in=ids).delete()
        done += len(ids)
        backend_for().maintain()  # merges in short transactions of their own


def ticket_ids(public_ids: Iterable[str]) -> list[int]:
    return list(Ticket.objects.filter(public_id__in=list(public_ids)).values_list("pk", flat=True))


def index_tickets_of_requester(user_public_id: str) -> int:
    """Rebuild the documents of every ticket this user requested (their name changed)."""
    user_ids = list(User.objects.filter(public_id=user_public_id).values_list("pk", flat=True))
    if not user_ids:
        return 0
    with transaction.atomic():
        return backend_for().index_where("t.requester_id = %s", user_ids)


def reindex_all(
    *,
    batch_size: int = 5000,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild every ticket's documents in id ranges of ``batch_size``, each one statement
    in its own transaction, then drop documents of deleted tickets. Safe to rerun or
    interrupt. ``jobs`` > 1 indexes ranges in parallel where the database allows
    concurrent writers (PostgreSQL; SQLite has one writer and stays sequential)."""
    backend = backend_for()
    backend.prepare()
    bounds = Ticket.objects.aggregate(low=Min("id"), high=Max("id"))
    total = Ticket.objects.count()
    done = 0
    if bounds["low"] is not None:
        starts = range(bounds["low"], bounds["high"] + 1, max(1, batch_size))

        def index_range(start: int) -> int:
            with transaction.atomic():
                return backend_for().index_where(
                    "t.id >= %s AND t.id < %s", [start, start + batch_size]
                )

        def report(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(min(done, total), total)

        if jobs > 1 and backend.concurrent_writes:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for count in pool.map(_in_own_connection(index_range), starts):
                    report(count)
        else:
            for start in starts:
                report(index_range(start))
    with transaction.atomic():
        backend.prune()
        backend.optimize()
    return done


def _in_own_connection(func: Callable[[int], int]) -> Callable[[int], int]:
    """Run ``func`` in a worker thread's own database connection, closed afterwards."""

    def run(arg: int) -> int:
        try:
            return func(arg)
        finally:
            connections.close_all()

    return run
