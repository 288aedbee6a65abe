"""Merging tickets, linking incidents to their problem, followers (CCs)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.text import render_markdown
from comptoir.tickets import queries
from comptoir.tickets.choices import MessageKind, Status, TicketType
from comptoir.tickets.exceptions import InvalidInput, NotAllowed, TicketClosed
from comptoir.tickets.models import Attachment, Message, Ticket
from comptoir.tickets.services._common import emit_ticket_event, record


def check_merge_tickets(
    actor: User, source_ticket: Ticket, target: Ticket, *, source: Source
) -> Ticket:
    if not actor.is_agent:
        raise NotAllowed(_("Only agents can merge tickets."))
    if not (queries.can_see_ticket(actor, source_ticket) and queries.can_see_ticket(actor, target)):
        raise NotAllowed(_("You cannot merge these tickets."))
    return do_merge_tickets(source_ticket, target, actor=actor, source=source)


def do_merge_tickets(
    source_ticket: Ticket, target: Ticket, *, actor: User | None, source: Source
) -> Ticket:
    """Move the conversation and followers of ``source_ticket`` into ``target``, then close
    ``source_ticket`` pointing at ``target``."""
    if source_ticket.pk == target.pk:
        raise InvalidInput(
            _("A ticket cannot be merged into itself."),
            errors={"target": [_("Choose another ticket.")]},
        )
    if source_ticket.is_closed or target.is_closed:
        raise TicketClosed(
            _("Closed tickets cannot be merged."), errors={"target": [_("Choose an open ticket.")]}
        )
    if target.merged_into_id is not None:
        raise InvalidInput(_("That ticket was itself merged; choose the one it was merged into."))
    with transaction.atomic():
        Message.objects.filter(ticket=source_ticket).update(ticket=target)
        Attachment.objects.filter(ticket=source_ticket).update(ticket=target)
        followers = set(source_ticket.followers.values_list("pk", flat=True))
        if source_ticket.requester_id != target.requester_id:
            followers.add(source_ticket.requester_id)
        followers.discard(target.requester_id)
        target.followers.add(*followers)
        note = _("Ticket #%(old)d (“%(subject)s”) was merged into this ticket.") % {
            "old": source_ticket.number,
            "subject": source_ticket.subject,
        }
        Message.objects.create(
            ticket=target,
            author=actor,
            kind=MessageKind.NOTE,
            body=note,
            body_html=render_markdown(note),
        )
        target.save(update_fields=["updated_at"])
        old_status = source_ticket.status
        source_ticket.merged_into = target
        source_ticket.status = Status.CLOSED
        source_ticket.closed_at = timezone.now()
        source_ticket.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
        record(source_ticket, "merged_into", None, f"#{target.number}", actor=actor, source=source)
        record(source_ticket, "status", old_status, Status.CLOSED, actor=actor, source=source)
        record(target, "merged_from", None, f"#{source_ticket.number}", actor=actor, source=source)
        emit_ticket_event(
            "ticket.merged",
            source_ticket,
            actor=actor,
            source=source,
            into=target.public_id,
            into_number=target.number,
        )
    return target


def do_link_problem(
    incident: Ticket, problem: Ticket | None, *, actor: User | None, source: Source
) -> Ticket:
    """Attach an incident to the problem behind it (``None`` detaches it)."""
    if problem is not None:
        if problem.type != TicketType.PROBLEM:
            raise InvalidInput(
                _("Incidents can only be linked to a ticket of type problem."),
                errors={"problem": [_("Choose a problem ticket.")]},
            )
        if problem.pk == incident.pk:
            raise InvalidInput(
                _("A ticket cannot be its own problem."),
                errors={"problem": [_("Choose another ticket.")]},
            )
    old = incident.problem
    if old == problem:
        return incident
    with transaction.atomic():
        incident.problem = problem
        if problem is not None and incident.type != TicketType.INCIDENT:
            record(incident, "type", incident.type, TicketType.INCIDENT, actor=actor, source=source)
            incident.type = TicketType.INCIDENT
        incident.save(update_fields=["problem", "type", "updated_at"])
        record(
            incident,
            "problem",
            f"#{old.number}" if old else None,
            f"#{problem.number}" if problem else None,
            actor=actor,
            source=source,
        )
        emit_ticket_event(
            "ticket.updated", incident, actor=actor, source=source,
            changes={"problem": [old.number if old else None, problem.number if problem else None]},
        )  # fmt: skip
    return incident


def do_add_follower(ticket: Ticket, user: User, *, actor: User | None, source: Source) -> Ticket:
    """Copy ``user`` on the ticket: they see it and hear of its public replies."""
    if user.pk == ticket.requester_id:
        return ticket
    if not user.is_active:
        raise InvalidInput(_("Inactive users cannot follow tickets."))
    with transaction.atomic():
        if ticket.followers.filter(pk=user.pk).exists():
            return ticket
        ticket.followers.add(user)
        record(ticket, "followers", None, str(user), actor=actor, source=source)
        emit_ticket_event(
            "ticket.follower_added", ticket, actor=actor, source=source, user=user.public_id
        )
    return ticket


def do_remove_follower(ticket: Ticket, user: User, *, actor: User | None, source: Source) -> Ticket:
    with transaction.atomic():
        if not ticket.followers.filter(pk=user.pk).exists():
            return ticket
        ticket.followers.remove(user)
        record(ticket, "followers", str(user), None, actor=actor, source=source)
        emit_ticket_event(
            "ticket.follower_removed", ticket, actor=actor, source=source, user=user.public_id
        )
    return ticket
