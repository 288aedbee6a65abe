"""Schemas of the tickets API and the mapping of rows to them.

What a viewer may not see is left out here: customers get no team, tags or due date,
and no email address but their own.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from comptoir.accounts.models import User
from comptoir.api.pagination import PageParams
from comptoir.api.schemas import (
    OrganisationRef,
    TeamRef,
    UserRef,
    organisation_ref,
    team_ref,
    user_ref,
    utc,
)
from comptoir.tickets.choices import Channel, MessageKind, Priority, Status, TicketType
from comptoir.tickets.models import Attachment, Message, Ticket

# Beyond the columns' ranges nothing can match, and the database would refuse the value.
MAX_NUMBER = 2**31 - 1  # ticket numbers
MAX_ID = 2**63 - 1  # category ids


# --- Schemas --------------------------------------------------------------------------


class CategoryRef(Schema):
    id: int
    name: str


class ProductRef(Schema):
    id: str
    name: str


class TicketOut(Schema):
    id: str = Field(..., description="The ticket's public id, as in events and webhooks.")
    number: int
    subject: str
    status: Status
    priority: Priority
    type: TicketType
    channel: Channel
    requester: UserRef
    organisation: OrganisationRef | None
    assignee: UserRef | None
    team: TeamRef | None = Field(None, description="Agents only; teams are internal.")
    category: CategoryRef | None
    product: ProductRef | None
    tags: list[str] = Field(default_factory=list, description="Agents only.")
    custom_fields: dict[str, Any]
    due_at: datetime.datetime | None = Field(None, description="Agents only.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    merged_into: int | None = Field(None, description="Number of the ticket it was merged into.")
    url: str


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketFilters(PageParams):
    status: list[Status] = Field(default_factory=list, description="Repeat for several.")
    priority: list[Priority] = Field(default_factory=list, description="Repeat for several.")
    type: TicketType | None = None
    assignee: str | None = Field(None, description="A user's public id, `me` or `none`.")
    team: str | None = Field(None, description="A team's public id, or `none`.")
    requester: str | None = Field(None, description="A user's public id or email address.")
    organisation: str | None = Field(None, description="An organisation's public id.")
    tag: str | None = None
    category: int | None = Field(None, ge=1, le=MAX_ID)
    channel: Channel | None = None
    updated_after: datetime.datetime | None = None
    created_after: datetime.datetime | None = None
    q: str | None = Field(None, description="Text search, as in the ticket search box.")


class TicketIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: str
    body: str = Field(..., description="The first message, in Markdown.")
    requester: str | None = Field(
        None, description="Agents: a user's public id or email. Customers open for themselves."
    )
    priority: Priority | None = None
    type: TicketType | None = None
    team: str | None = Field(None, description="A team's public id.")
    assignee: str | None = Field(None, description="An agent's public id.")
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    category: int | None = Field(None, ge=1, le=MAX_ID, description="A category's id.")
    product: str | None = Field(None, description="A product's public id.")
    due_at: datetime.datetime | None = None


class TicketPatch(Schema):
    """Only the fields given change; ``null`` clears a reference (assignee, team...)."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = None
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    assignee: str | None = None
    team: str | None = None
    category: int | None = Field(None, ge=1, le=MAX_ID)
    product: str | None = None
    custom_fields: dict[str, Any] | None = None
    tags: list[str] | None = None
    due_at: datetime.datetime | None = None


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(
        ...,
        ge=1,
        le=MAX_NUMBER,
        description="Number of the ticket that receives the conversation.",
    )


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., description="Markdown.")
    kind: MessageKind = Field(MessageKind.REPLY, description="`note` is for agents only.")
    status: Status | None = Field(None, description="Agents: set the status at the same time.")


class AttachmentOut(Schema):
    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    url: str = Field(..., description="Download address (needs the same authentication).")


class MessageOut(Schema):
    kind: MessageKind
    author: UserRef | None
    body: str
    body_html: str
    channel: Channel
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


# --- Mapping rows to schemas ----------------------------------------------------------


def _url(request: HttpRequest, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(f"api-1:{name}", args=args))


def ticket_out(ticket: Ticket, viewer: User, request: HttpRequest) -> TicketOut:
    agent = viewer.is_agent
    category, product = ticket.category, ticket.product
    merged_into = ticket.merged_into
    return TicketOut(
        id=ticket.public_id,
        number=ticket.number,
        subject=ticket.subject,
        status=Status(ticket.status),
        priority=Priority(ticket.priority),
        type=TicketType(ticket.type),
        channel=Channel(ticket.channel),
        requester=user_ref(ticket.requester, viewer),
        organisation=organisation_ref(ticket.organisation),
        assignee=user_ref(ticket.assignee, viewer),
        team=team_ref(ticket.team) if agent else None,
        category=CategoryRef(id=category.pk, name=category.display_name) if category else None,
        product=ProductRef(id=product.public_id, name=product.display_name) if product else None,
        tags=sorted(tag.name for tag in ticket.tags.all()) if agent else [],
        custom_fields=dict(ticket.custom_fields),
        due_at=utc(ticket.due_at) if agent else None,
        created_at=utc(ticket.created_at),
        updated_at=utc(ticket.updated_at),
        solved_at=utc(ticket.solved_at),
        closed_at=utc(ticket.closed_at),
        merged_into=merged_into.number if merged_into is not None else None,
        url=_url(request, "get_ticket", ticket.number),
    )


def attachment_out(attachment: Attachment, request: HttpRequest) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.public_id,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        url=_url(request, "download_attachment", attachment.public_id),
    )


def message_out(message: Message, viewer: User, request: HttpRequest) -> MessageOut:
    return MessageOut(
        kind=MessageKind(message.kind),
        author=user_ref(message.author, viewer),
        body=message.body,
        body_html=message.body_html,
        channel=Channel(message.channel),
        created_at=utc(message.created_at),
        attachments=[attachment_out(a, request) for a in message.attachments.all()],
    )
