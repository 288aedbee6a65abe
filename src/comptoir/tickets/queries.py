"""Reads of tickets, always scoped: ``tickets_visible_to`` is the one place that decides
who sees which ticket. Everything user-facing starts from these querysets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from comptoir.accounts.models import User
from comptoir.tickets.models import Attachment, HistoryEntry, Message, Ticket

# Up to this many followed tickets are written into the query as ids; beyond, they are
# read by a subquery (a query's parameters are limited, and so is what a list helps).
FOLLOWED_INLINE = 500


def _visibility(user: User) -> Q:
    if user.is_admin:
        return Q()
    if user.is_agent:
        # An agent works the queues of their teams, the unrouted queue, and what is theirs.
        return Q(team__isnull=True) | Q(team__in=user.teams.values("pk")) | Q(assignee=user)
    # A customer sees what they asked, what they follow, and what their organisation
    # shares: each an index lookup, then a sort of their few tickets. The followed ids are
    # read first (one small query): OR-ed with a subquery, the condition matches no index
    # on SQLite without statistics nor on PostgreSQL, and a page walks every ticket
    # (docs/development/tickets.md, "Who sees what").
    followers = Ticket.followers.through.objects.filter(user_id=user.pk)
    followed = list(followers.values_list("ticket_id", flat=True)[: FOLLOWED_INLINE + 1])
    organisation = user.organisation
    shared = organisation is not None and organisation.shared_tickets
    if len(followed) > FOLLOWED_INLINE:
        reasons: list[QuerySet[Any]] = [
            Ticket.objects.filter(requester_id=user.pk).order_by().values("pk"),
            followers.order_by().values("ticket_id"),
        ]
        if shared:
            reasons.append(Ticket.objects.filter(organisation=organisation).order_by().values("pk"))
        return Q(pk__in=reasons[0].union(*reasons[1:], all=True))
    visible = Q(requester_id=user.pk)
    if followed:
        visible |= Q(pk__in=followed)
    if shared:
        visible |= Q(organisation=organisation)
    return visible


def tickets_visible_to(user: User | AnonymousUser) -> QuerySet[Ticket]:
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    return Ticket.objects.filter(_visibility(user))


def ticket_for(user: User | AnonymousUser, number: int) -> Ticket | None:
    """The ticket with ``number`` if ``user`` may see it, with what its page shows."""
    return (
        tickets_visible_to(user)
        .select_related(
            "requester", "requester__organisation", "organisation", "assignee", "team",
            "category", "product", "merged_into", "problem",
        )
        .prefetch_related("tags", "followers")
        .filter(number=number)
        .first()
    )  # fmt: skip


def can_see_ticket(user: User | AnonymousUser, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def messages_visible_to(user: User | AnonymousUser, ticket: Ticket) -> QuerySet[Message]:
    """A ticket's conversation as ``user`` may read it: internal notes are for agents only."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    if not user.is_authenticated or not user.is_agent:
        messages = messages.filter(kind="reply")
    return messages


def attachment_for(user: User | AnonymousUser, public_id: str) -> Attachment | None:
    """An attachment the user may download: its ticket is visible, and it is not on a note
    (for customers)."""
    attachments = Attachment.objects.select_related("ticket", "message").filter(
        public_id=public_id, ticket__in=tickets_visible_to(user)
    )
    if not user.is_authenticated or not user.is_agent:
        attachments = attachments.exclude(message__kind="note")
    return attachments.first()


def history_of(ticket: Ticket) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(ticket=ticket).select_related("actor")


def requester_other_tickets(user: User, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    return list(
        tickets_visible_to(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .only("number", "subject", "status", "updated_at")
        .order_by("-updated_at", "-id")[:limit]
    )
