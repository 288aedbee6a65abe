"""Opening tickets and changing their fields, status, assignment and tags."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.accounts.models import Team, User
from comptoir.catalog.models import Product
from comptoir.core.choices import Source
from comptoir.tickets import queries
from comptoir.tickets.choices import TRANSITIONS, Channel, MessageKind, Priority, Status, TicketType
from comptoir.tickets.exceptions import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    TicketClosed,
)
from comptoir.tickets.fields import clean_custom_fields
from comptoir.tickets.models import Category, Tag, Ticket
from comptoir.tickets.services._common import (
    SOURCE_CHANNEL,
    emit_ticket_event,
    next_ticket_number,
    record,
)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final[Any] = _Unset()
MAX_SUBJECT = 200
MAX_BODY = 65_536
EDITABLE = frozenset(
    {"subject", "status", "priority", "type", "category", "product", "custom_fields",
     "assignee", "team", "due_at", "tags", "add_tags"}
)  # fmt: skip
# What a customer may change on their own ticket.
CUSTOMER_EDITABLE = frozenset({"status"})
CUSTOMER_STATUSES = frozenset({Status.SOLVED, Status.OPEN})


def clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput(
            _("Please give a subject."), errors={"subject": [_("This field is required.")]}
        )
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(
            _("The subject is too long."),
            errors={"subject": [_("At most %(max)d characters.") % {"max": MAX_SUBJECT}]},
        )
    return subject


def clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(
            _("Please write a message."), errors={"body": [_("This field is required.")]}
        )
    if len(body) > MAX_BODY:
        raise InvalidInput(
            _("The message is too long."),
            errors={"body": [_("At most %(max)d characters.") % {"max": MAX_BODY}]},
        )
    return body


def clean_tags(names: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    cleaned = sorted({slugify(name, allow_unicode=True)[:50] for name in names} - {""})
    if len(cleaned) > 30:
        raise InvalidInput(_("Too many tags."), errors={"tags": [_("At most 30 tags.")]})
    return cleaned


def _may_work_for(assignee: User | None, team: Team | None) -> bool:
    if assignee is None or team is None or assignee.is_admin:
        return True
    return team.members.filter(pk=assignee.pk).exists()


def _check_assignee(assignee: User | None, team: Team | None) -> None:
    if assignee is None:
        return
    if not assignee.is_agent or not assignee.is_active:
        raise InvalidInput(
            _("Tickets can only be assigned to active agents."),
            errors={"assignee": [_("Choose an active agent.")]},
        )
    if (
        team is not None
        and not assignee.is_admin
        and not team.members.filter(pk=assignee.pk).exists()
    ):
        raise InvalidInput(
            _("%(agent)s is not a member of %(team)s.") % {"agent": assignee, "team": team},
            errors={"assignee": [_("Choose a member of the ticket's team.")]},
        )


def check_open_ticket(
    actor: User,
    *,
    subject: str,
    body: str,
    source: Source,
    requester: User | None = None,
    **options: Any,
) -> Ticket:
    """Open a ticket as ``actor``: a customer for themselves, an agent for anyone."""
    if not actor.is_active:
        raise NotAllowed(_("Your account is disabled."))
    if not actor.is_agent:
        if requester is not None and requester.pk != actor.pk:
            raise NotAllowed(_("You can only open requests for yourself."))
        agent_only = {
            "priority",
            "type",
            "assignee",
            "team",
            "tags",
            "due_at",
            "followers",
            "public",
        }
        if agent_only & {key for key, value in options.items() if value is not None}:
            raise NotAllowed(_("Only agents can set these fields."))
        requester = actor
    elif requester is None:
        raise InvalidInput(
            _("Choose the requester."), errors={"requester": [_("This field is required.")]}
        )
    return do_open_ticket(
        requester=requester, subject=subject, body=body, actor=actor, source=source, **options
    )


def do_open_ticket(
    *,
    requester: User,
    subject: str,
    body: str,
    actor: User | None,
    source: Source,
    channel: Channel | str | None = None,
    category: Category | None = None,
    custom_fields: dict[str, Any] | None = None,
    priority: Priority | str | None = None,
    type: TicketType | str | None = None,
    product: Product | None = None,
    assignee: User | None = None,
    team: Team | None = None,
    tags: list[str] | None = None,
    due_at: datetime.datetime | None = None,
    followers: list[User] | None = None,
    uploads: list[UploadedFile] | None = None,
    public: bool | None = None,
) -> Ticket:
    """Create the ticket and its first message (the description) in one transaction."""
    from comptoir.tickets.services.conversation import store_message

    subject = clean_subject(subject)
    body = clean_body(body)
    if not requester.is_active:
        raise InvalidInput(
            _("The requester's account is disabled."),
            errors={"requester": [_("Choose an active user.")]},
        )
    if category is not None and not category.is_active:
        raise InvalidInput(
            _("This category is no longer offered."),
            errors={"category": [_("Choose another category.")]},
        )
    cleaned_fields = clean_custom_fields(category, custom_fields or {})
    _check_assignee(assignee, team)
    tag_names = clean_tags(tags or [])
    ticket = Ticket(
        subject=subject,
        requester=requester,
        organisation=requester.organisation,
        channel=Channel(channel) if channel else SOURCE_CHANNEL[Source(source)],
        status=Status.OPEN if assignee is not None else Status.NEW,
        priority=priority or Priority.NORMAL,
        type=type or TicketType.QUESTION,
        category=category,
        product=product,
        custom_fields=cleaned_fields,
        assignee=assignee,
        team=team,
        due_at=due_at,
    )
    try:
        ticket.full_clean(
            exclude=[
                "number",
                "requester",
                "organisation",
                "category",
                "product",
                "assignee",
                "team",
            ]
        )
    except Exception as exc:
        errors = getattr(exc, "message_dict", {})
        raise InvalidInput(
            _("Some fields need attention."),
            errors={k: [str(m) for m in v] for k, v in errors.items()},
        ) from exc
    with transaction.atomic():
        ticket.number = next_ticket_number()
        ticket.save()
        if tag_names:
            ticket.tags.set(_tags_named(tag_names))
        if followers:
            ticket.followers.set([f for f in followers if f.pk != requester.pk])
        record(ticket, "created", None, ticket.number, actor=actor, source=source)
        author = requester if actor is None or not actor.is_agent or public is None else actor
        message = store_message(
            ticket,
            author=author,
            body=body,
            kind=MessageKind.REPLY if public is not False else MessageKind.NOTE,
            channel=ticket.channel,
            uploads=uploads or [],
        )
        emit_ticket_event(
            "ticket.created",
            ticket,
            actor=actor,
            source=source,
            requester=requester.public_id,
            message=message.pk,
        )
    return ticket


def _tags_named(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return list(existing.values())


def check_update_ticket(actor: User, ticket: Ticket, *, source: Source, **changes: Any) -> Ticket:
    """Change fields as ``actor``. Customers may only mark their ticket solved or reopen it."""
    if not queries.can_see_ticket(actor, ticket):
        raise NotAllowed(_("You cannot change this ticket."))
    given = {key for key, value in changes.items() if value is not UNSET}
    if not actor.is_agent:
        if given - CUSTOMER_EDITABLE:
            raise NotAllowed(_("Only agents can change these fields."))
        if changes.get("status", UNSET) not in (UNSET, *CUSTOMER_STATUSES):
            raise NotAllowed(_("You can mark your request solved or reopen it."))
        if changes.get("status") == Status.OPEN and ticket.status != Status.SOLVED:
            raise InvalidTransition(_("Only a solved request can be reopened."))
    return do_update_ticket(ticket, actor=actor, source=source, **changes)


def do_update_ticket(
    ticket: Ticket, *, actor: User | None, source: Source, **changes: Any
) -> Ticket:
    """Apply the given changes (``UNSET`` or absent means leave alone), record one history
    entry per changed field and emit ``ticket.updated`` with them.

    ``tags`` replaces the ticket's tags; ``add_tags`` adds to them (to ``tags`` when both
    are given), reading the current ones inside the transaction, so that a tag someone
    else added in the meantime is kept."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    changes = {key: value for key, value in changes.items() if value is not UNSET}
    if ticket.is_closed:
        raise TicketClosed(
            _("Ticket #%(number)d is closed and can no longer change.") % {"number": ticket.number}
        )
    before = _snapshot(ticket)
    now = timezone.now()
    if "subject" in changes:
        ticket.subject = clean_subject(changes["subject"])
    if "priority" in changes:
        ticket.priority = Priority(changes["priority"])
    if "type" in changes:
        ticket.type = TicketType(changes["type"])
    if "product" in changes:
        ticket.product = changes["product"]
    if "due_at" in changes:
        ticket.due_at = changes["due_at"]
    if "category" in changes and changes["category"] != ticket.category:
        ticket.category = changes["category"]
        if ticket.category is not None and not ticket.category.is_active:
            raise InvalidInput(
                _("This category is no longer offered."),
                errors={"category": [_("Choose another category.")]},
            )
        if "custom_fields" not in changes:
            # Keep the values the new category also asks for; drop the others.
            keys = (
                set(ticket.category.fields.values_list("key", flat=True))
                if ticket.category
                else set()
            )
            ticket.custom_fields = {k: v for k, v in ticket.custom_fields.items() if k in keys}
    if "custom_fields" in changes:
        ticket.custom_fields = clean_custom_fields(ticket.category, changes["custom_fields"] or {})
    if "team" in changes:
        ticket.team = changes["team"]
        if "assignee" not in changes and not _may_work_for(ticket.assignee, ticket.team):
            ticket.assignee = None  # the new team picks its own assignee
    if "assignee" in changes:
        ticket.assignee = changes["assignee"]
    if "assignee" in changes or "team" in changes:
        _check_assignee(ticket.assignee, ticket.team)
    if "status" in changes:
        _apply_status(ticket, Status(changes["status"]), now)
    elif "assignee" in changes and ticket.assignee is not None and ticket.status == Status.NEW:
        ticket.status = Status.OPEN  # someone now owns it
    tag_names = clean_tags(changes["tags"]) if "tags" in changes else None
    added = clean_tags(changes.get("add_tags") or [])

    with transaction.atomic():
        # Saving updates the row, which locks it until commit on PostgreSQL (SQLite has
        # one writer): another change to this ticket waits, and the tags read below are
        # the committed ones.
        ticket.save()
        after = _snapshot(ticket)
        if tag_names is not None or added:
            before["tags"] = sorted(ticket.tags.values_list("name", flat=True))
            wanted = before["tags"] if tag_names is None else tag_names
            tag_names = clean_tags([*wanted, *added])
            ticket.tags.set(_tags_named(tag_names))
            after["tags"] = tag_names
        changed = {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}
        for key, (old, new) in changed.items():
            record(ticket, key, old, new, actor=actor, source=source)
        if changed:
            emit_ticket_event(
                "ticket.updated", ticket, actor=actor, source=source, changes=_json(changed)
            )
    return ticket


def _apply_status(ticket: Ticket, status: Status, now: datetime.datetime) -> None:
    if status == ticket.status:
        return
    if status not in TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            _("A ticket cannot go from “%(old)s” to “%(new)s”.")
            % {"old": Status(ticket.status).label, "new": status.label},
            errors={"status": [_("This status change is not allowed.")]},
        )
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
    else:
        ticket.solved_at = None


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    return {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "category": str(ticket.category) if ticket.category_id else None,
        "product": str(ticket.product) if ticket.product_id else None,
        "custom_fields": dict(ticket.custom_fields),
        "assignee": str(ticket.assignee) if ticket.assignee_id else None,
        "team": str(ticket.team) if ticket.team_id else None,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
    }


def _json(changed: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {key: [_plain(old), _plain(new)] for key, (old, new) in changed.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def do_bulk_update(
    tickets: list[Ticket], *, actor: User, source: Source, **changes: Any
) -> BulkResult:
    """Apply the same changes to each ticket; one ticket's refusal does not stop the others.

    The tickets were read before, maybe long before the last of them comes: each is read
    again, locked, in its own transaction, so that saving it does not undo what someone
    changed since. ``add_tags`` adds to each ticket's own tags."""
    result = BulkResult()
    for ticket in tickets:
        try:
            with transaction.atomic():
                ticket.refresh_from_db(from_queryset=Ticket.objects.select_for_update())
                check_update_ticket(actor, ticket, source=source, **changes)
        except Ticket.DoesNotExist:
            result.failed[ticket.number] = _("Not found.")
        except DomainError as exc:
            ticket.refresh_from_db()
            result.failed[ticket.number] = str(exc.message)
        else:
            result.updated.append(ticket.number)
    return result
