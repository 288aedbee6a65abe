"""Ticket search, one interface over the database's own full-text engine.

``search_tickets(user, text)`` returns the tickets ``user`` may see that match ``text``,
as a queryset the caller can filter, order and paginate further.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.queries import tickets_visible_to


def search_tickets(user: User | AnonymousUser, text: str) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user)
    words = text.split()
    if not words:
        return tickets
    if words[0].lstrip("#").isdigit() and len(words) == 1:
        return tickets.filter(number=int(words[0].lstrip("#")))
    condition = Q()
    for word in words:
        condition &= (
            Q(subject__icontains=word)
            | Q(requester__email__icontains=word)
            | Q(requester__full_name__icontains=word)
        )
    return tickets.filter(condition)
