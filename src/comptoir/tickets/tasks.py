"""Background tasks of tickets: search documents of changed tickets, agents' view counts."""

from __future__ import annotations

from django_tasks import task

from comptoir.tickets import search


@task()
def flush_search_index() -> int:
    """Index every ticket waiting in ``TicketSearchPending``, in batches."""
    return search.flush_pending()


@task()
def recount_tickets(user_id: int) -> None:
    """Count an agent's views again (``listing.sidebar_counts`` showed older counts)."""
    from comptoir.accounts.models import User
    from comptoir.tickets import listing

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None and user.is_agent:
        listing.count_now(user)
