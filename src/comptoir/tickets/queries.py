"""Reads of tickets, always scoped: ``tickets_visible_to`` is the one place that decides
who sees which ticket. Everything user-facing starts from these querysets."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from comptoir.accounts.models import User
from comptoir.tickets.models import Attachment, HistoryEntry, Message, Ticket


def _visibility(user: User) -> Q:
    if user.is_admin:
        return Q()
    if user.is_agent:
        # An agent works the queues of their teams, the unrouted queue, and what is theirs.
        return Q(team__isnull=True) | Q(team__in=user.teams.values("pk")) | Q(assignee=user)
    followed = Ticket.followers.through.objects.filter(ticket_id=OuterRef("pk"), user_id=user.pk)
    visible = Q(requester=user) | Q(Exists(followed))
    organisation = user.organisation
    if organisation is not None and organisation.shared_tickets:
        visible |= Q(organisation_id=organisation.pk)
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
