"""REST API for tickets, their conversation and attachments (mounted at ``/api/v1/``).

Handlers parse input, call one ticket service or query as the caller, and map the result
to a schema. Reads start from ``tickets.queries``; writes go through ``check_*`` services
with ``source=Source.API``, so the API follows exactly the UI's rules.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.responses import Status as WithStatus

from comptoir.accounts.models import Team, User, normalize_email
from comptoir.accounts.queries import teams_visible_to, users_visible_to
from comptoir.api.auth import current_user
from comptoir.api.errors import not_found, too_large
from comptoir.api.pagination import PageParams, paginate
from comptoir.api.schemas import READ_ERRORS, UPLOAD_ERRORS, WRITE_ERRORS
from comptoir.catalog.models import Product
from comptoir.catalog.queries import products_visible_to
from comptoir.core import conf
from comptoir.core.choices import Source
from comptoir.tickets import queries, services
from comptoir.tickets.api_schemas import (
    MAX_NUMBER,
    MergeIn,
    MessageIn,
    MessageOut,
    MessagePage,
    TicketFilters,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    message_out,
    ticket_out,
)
from comptoir.tickets.choices import MessageKind, Status
from comptoir.tickets.downloads import FileMissing, attachment_response
from comptoir.tickets.exceptions import AttachmentRejected, DomainError, InvalidInput, NotAllowed
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.search import search_tickets
from comptoir.tickets.services.lifecycle import EDITABLE

router = Router()

TICKET_ORDER = ("-updated_at", "-id")
MESSAGE_ORDER = ("created_at", "id")


# --- Resolving references given by the caller -----------------------------------------


def _unknown(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some fields need attention."), errors={field: [message]})


def _visible_ticket(user: User, number: int) -> Ticket:
    ticket = queries.ticket_for(user, number) if 0 < number <= MAX_NUMBER else None
    if ticket is None:
        raise not_found()
    return ticket


def _user(viewer: User, reference: str | None, field: str) -> User | None:
    """A user the caller may see, by public id or email address."""
    if reference is None:
        return None
    users = users_visible_to(viewer)
    if "@" in reference:
        found = users.filter(email=normalize_email(reference)).first()
    else:
        found = users.filter(public_id=reference).first()
    if found is None:
        raise _unknown(field, _("Unknown user."))
    return found


def _team(viewer: User, reference: str | None) -> Team | None:
    if reference is None:
        return None
    team = teams_visible_to(viewer).filter(public_id=reference).first()
    if team is None:
        raise _unknown("team", _("Unknown team."))
    return team


def _category(reference: int | None) -> Category | None:
    if reference is None:
        return None
    # Categories are the desk's public list of request kinds; the service refuses
    # inactive ones with its own message.
    category = Category.objects.filter(pk=reference).first()
    if category is None:
        raise _unknown("category", _("Unknown category."))
    return category


def _product(viewer: User, reference: str | None) -> Product | None:
    if reference is None:
        return None
    product = products_visible_to(viewer).filter(public_id=reference).first()
    if product is None:
        raise _unknown("product", _("Unknown product."))
    return product


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """Datetimes without a zone are taken as UTC, as the API documents."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value


# --- Tickets ----------------------------------------------------------------------------


@router.get("/tickets", response={200: TicketPage, **READ_ERRORS}, tags=["tickets"])
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> TicketPage:
    """The tickets you may see, most recently updated first, with optional filters."""
    user = current_user(request)
    if not user.is_agent and (filters.team or filters.tag):
        # Teams and tags are internal; filtering on them would reveal them.
        raise NotAllowed(_("Only agents can filter by team or tag."))
    tickets = search_tickets(user, filters.q) if filters.q else queries.tickets_visible_to(user)
    if filters.status:
        tickets = tickets.filter(status__in=filters.status)
    if filters.priority:
        tickets = tickets.filter(priority__in=filters.priority)
    if filters.type:
        tickets = tickets.filter(type=filters.type)
    if filters.assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee:
        tickets = tickets.filter(assignee__public_id=filters.assignee)
    if filters.team == "none":
        tickets = tickets.filter(team__isnull=True)
    elif filters.team:
        tickets = tickets.filter(team__public_id=filters.team)
    if filters.requester and "@" in filters.requester:
        tickets = tickets.filter(requester__email=normalize_email(filters.requester))
    elif filters.requester:
        tickets = tickets.filter(requester__public_id=filters.requester)
    if filters.organisation:
        tickets = tickets.filter(organisation__public_id=filters.organisation)
    if filters.tag:
        tickets = tickets.filter(tags__name=filters.tag.strip().lower())
    if filters.category is not None:
        tickets = tickets.filter(category_id=filters.category)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.updated_after:
        tickets = tickets.filter(updated_at__gt=_aware(filters.updated_after))
    if filters.created_after:
        tickets = tickets.filter(created_at__gt=_aware(filters.created_after))
    tickets = tickets.select_related(
        "requester", "organisation", "assignee", "team", "category", "product", "merged_into"
    ).prefetch_related("tags")
    page = paginate(tickets, order=TICKET_ORDER, cursor=filters.cursor, limit=filters.limit)
    return TicketPage(
        items=[ticket_out(ticket, user, request) for ticket in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/tickets", response={201: TicketOut, **WRITE_ERRORS}, tags=["tickets"])
def create_ticket(request: HttpRequest, payload: TicketIn) -> WithStatus[TicketOut]:
    """Open a ticket. Customers open for themselves; agents name the requester and may
    set priority, type, team, assignee, tags and due date."""
    user = current_user(request)
    ticket = services.check_open_ticket(
        user,
        subject=payload.subject,
        body=payload.body,
        source=Source.API,
        requester=_user(user, payload.requester, "requester"),
        priority=payload.priority,
        type=payload.type,
        team=_team(user, payload.team),
        assignee=_user(user, payload.assignee, "assignee"),
        tags=payload.tags,
        custom_fields=payload.custom_fields,
        category=_category(payload.category),
        product=_product(user, payload.product),
        due_at=_aware(payload.due_at),
    )
    return WithStatus(201, ticket_out(ticket, user, request))


@router.get("/tickets/{int:number}", response={200: TicketOut, **READ_ERRORS}, tags=["tickets"])
def get_ticket(request: HttpRequest, number: int) -> TicketOut:
    user = current_user(request)
    return ticket_out(_visible_ticket(user, number), user, request)


# Fields that may be given but never as null.
_NOT_NULL = frozenset({"subject", "status", "priority", "type", "tags"})


@router.patch("/tickets/{int:number}", response={200: TicketOut, **WRITE_ERRORS}, tags=["tickets"])
def update_ticket(request: HttpRequest, number: int, payload: TicketPatch) -> TicketOut:
    """Change the fields given, and only those. Customers may only set ``status`` to
    ``solved``, or back to ``open`` once solved."""
    user = current_user(request)
    ticket = _visible_ticket(user, number)
    given = payload.model_fields_set
    nulls = sorted(name for name in given & _NOT_NULL if getattr(payload, name) is None)
    if nulls:
        raise InvalidInput(
            _("Some fields need attention."),
            errors={name: [_("This field cannot be null.")] for name in nulls},
        )
    changes: dict[str, Any] = dict.fromkeys(EDITABLE, services.UNSET)
    for name in given:
        changes[name] = getattr(payload, name)
    if "assignee" in given:
        changes["assignee"] = _user(user, payload.assignee, "assignee")
    if "team" in given:
        changes["team"] = _team(user, payload.team)
    if "category" in given:
        changes["category"] = _category(payload.category)
    if "product" in given:
        changes["product"] = _product(user, payload.product)
    if "due_at" in given:
        changes["due_at"] = _aware(payload.due_at)
    ticket = services.check_update_ticket(user, ticket, source=Source.API, **changes)
    return ticket_out(ticket, user, request)


@router.post(
    "/tickets/{int:number}/merge", response={200: TicketOut, **WRITE_ERRORS}, tags=["tickets"]
)
def merge_ticket(request: HttpRequest, number: int, payload: MergeIn) -> TicketOut:
    """Merge this ticket into another (agents): its conversation and followers move to
    ``into``, and it closes. Answers with the ticket merged into."""
    user = current_user(request)
    source_ticket = _visible_ticket(user, number)
    target = queries.ticket_for(user, payload.into)
    if target is None:
        raise _unknown("into", _("Unknown ticket."))
    try:
        merged = services.check_merge_tickets(user, source_ticket, target, source=Source.API)
    except DomainError as exc:
        # The service names the field "target"; the API calls it "into".
        exc.errors = {("into" if key == "target" else key): v for key, v in exc.errors.items()}
        raise
    return ticket_out(merged, user, request)


# --- Messages and attachments -------------------------------------------------------------


@router.get(
    "/tickets/{int:number}/messages", response={200: MessagePage, **READ_ERRORS}, tags=["messages"]
)
def list_messages(request: HttpRequest, number: int, page: Query[PageParams]) -> MessagePage:
    """The conversation, oldest first. Customers never see internal notes."""
    user = current_user(request)
    ticket = _visible_ticket(user, number)
    result = paginate(
        queries.messages_visible_to(user, ticket),
        order=MESSAGE_ORDER,
        cursor=page.cursor,
        limit=page.limit,
    )
    return MessagePage(
        items=[message_out(message, user, request) for message in result.items],
        next_cursor=result.next_cursor,
    )


def _add_message(
    request: HttpRequest,
    number: int,
    *,
    body: str,
    kind: MessageKind,
    status: Status | None,
    uploads: list[UploadedFile],
) -> WithStatus[MessageOut]:
    user = current_user(request)
    ticket = _visible_ticket(user, number)
    try:
        message = services.check_add_message(
            user,
            ticket,
            body=body,
            kind=kind,
            status=status,
            source=Source.API,
            uploads=list(uploads),
        )
    except AttachmentRejected as exc:
        limit = conf.get().max_upload_bytes
        if any((upload.size or 0) > limit for upload in uploads):
            raise too_large(str(exc.message), exc.errors) from exc
        raise
    return WithStatus(201, message_out(message, user, request))


@router.post(
    "/tickets/{int:number}/messages", response={201: MessageOut, **WRITE_ERRORS}, tags=["messages"]
)
def add_message(request: HttpRequest, number: int, payload: MessageIn) -> WithStatus[MessageOut]:
    """Reply (or, for agents, add an internal note). To attach files, use the
    ``multipart`` variant."""
    return _add_message(
        request, number, body=payload.body, kind=payload.kind, status=payload.status, uploads=[]
    )


@router.post(
    "/tickets/{int:number}/messages/multipart",
    response={201: MessageOut, **UPLOAD_ERRORS},
    tags=["messages"],
)
def add_message_with_files(
    request: HttpRequest,
    number: int,
    body: Form[str],
    kind: Form[MessageKind] = MessageKind.REPLY,
    status: Form[Status | None] = None,
    files: File[list[UploadedFile] | None] = None,
) -> WithStatus[MessageOut]:
    """The same as posting a message, as ``multipart/form-data`` with ``files``
    (repeat the part for several files)."""
    return _add_message(request, number, body=body, kind=kind, status=status, uploads=files or [])


@router.get(
    "/attachments/{public_id}",
    response={200: None, **READ_ERRORS},
    tags=["messages"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, always as a download.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request: HttpRequest, public_id: str) -> FileResponse:
    """Download a file from a message you may read, with the web download's headers."""
    attachment = queries.attachment_for(current_user(request), public_id)
    if attachment is None:
        raise not_found()
    try:
        return attachment_response(attachment)
    except FileMissing:
        raise not_found() from None
