"""Background tasks of tickets: rebuilding the search documents of changed tickets."""

from __future__ import annotations

from django_tasks import task

from comptoir.tickets import search


@task()
def flush_search_index() -> int:
    """Index every ticket waiting in ``TicketSearchPending``, in batches."""
    return search.flush_pending()
