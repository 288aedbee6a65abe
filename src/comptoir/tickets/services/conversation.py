"""Replies, internal notes and their attachments."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.text import render_markdown
from comptoir.tickets import queries
from comptoir.tickets.attachments import check_uploads
from comptoir.tickets.choices import Channel, MessageKind, Status
from comptoir.tickets.exceptions import InvalidInput, NotAllowed, TicketClosed
from comptoir.tickets.models import Attachment, Message, Ticket
from comptoir.tickets.services._common import SOURCE_CHANNEL, emit_ticket_event, record
from comptoir.tickets.services.lifecycle import _apply_status, clean_body

# A customer writing again brings these back to the agents' attention.
REOPENED_BY_CUSTOMER = frozenset({Status.SOLVED, Status.PENDING})


def store_message(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    kind: MessageKind,
    channel: Channel | str,
    uploads: list[UploadedFile],
) -> Message:
    """Write a message and its attachments. Callers hold the transaction and emit events."""
    checked = check_uploads(uploads)
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        kind=kind,
        channel=channel,
        body=body,
        body_html=render_markdown(body),
    )
    for item in checked:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploaded_by=author,
            name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        attachment.file.save(attachment.public_id, item.upload, save=False)
        attachment.save()
    return message


def check_add_message(
    actor: User,
    ticket: Ticket,
    *,
    body: str,
    kind: MessageKind = MessageKind.REPLY,
    source: Source,
    uploads: list[UploadedFile] | None = None,
    status: Status | None = None,
) -> Message:
    """Reply (or, for agents, add a note) as ``actor``."""
    if not queries.can_see_ticket(actor, ticket):
        raise NotAllowed(_("You cannot write on this ticket."))
    if not actor.is_agent:
        if kind == MessageKind.NOTE:
            raise NotAllowed(_("Only agents can add internal notes."))
        if status is not None:
            raise NotAllowed(_("Only agents can set the status while replying."))
    return do_add_message(
        ticket, author=actor, body=body, kind=kind, source=source, uploads=uploads, status=status
    )


def do_add_message(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    kind: MessageKind,
    source: Source,
    uploads: list[UploadedFile] | None = None,
    status: Status | None = None,
) -> Message:
    """Add a reply or a note. A customer's reply reopens a solved or pending ticket; an
    agent's first public reply opens a new one; ``status`` sets another status at once."""
    if ticket.is_closed:
        raise TicketClosed(
            _("Ticket #%(number)d is closed. Please open a new request.")
            % {"number": ticket.number},
            errors={"body": [_("This ticket is closed.")]},
        )
    merged_into = ticket.merged_into
    if merged_into is not None:
        raise InvalidInput(
            _("This ticket was merged into #%(number)d; please write there.")
            % {"number": merged_into.number}
        )
    body = clean_body(body)
    new_status = status if status is not None else _automatic_status(ticket, author, kind)
    with transaction.atomic():
        message = store_message(
            ticket,
            author=author,
            body=body,
            kind=kind,
            channel=SOURCE_CHANNEL[Source(source)],
            uploads=uploads or [],
        )
        old_status = ticket.status
        if new_status is not None and new_status != old_status:
            _apply_status(ticket, new_status, timezone.now())
            record(ticket, "status", old_status, ticket.status, actor=author, source=source)
        ticket.save(update_fields=["status", "solved_at", "closed_at", "updated_at"])
        emit_ticket_event(
            "ticket.message_added",
            ticket,
            actor=author,
            source=source,
            message=message.pk,
            kind=str(kind),
            by_agent=author.is_agent,
        )
        if old_status != ticket.status:
            emit_ticket_event(
                "ticket.updated",
                ticket,
                actor=author,
                source=source,
                changes={"status": [str(old_status), str(ticket.status)]},
            )
    return message


def _automatic_status(ticket: Ticket, author: User, kind: MessageKind) -> Status | None:
    if kind != MessageKind.REPLY:
        return None
    if not author.is_agent and ticket.status in REOPENED_BY_CUSTOMER:
        return Status.OPEN
    if author.is_agent and ticket.status == Status.NEW:
        return Status.OPEN
    return None
