"""Tickets, their conversation, attachments, history, and what classifies them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.i18n import pick
from comptoir.core.models import PublicIdModel, TimeStampedModel
from comptoir.tickets.choices import (
    UNSOLVED,
    Channel,
    FieldKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)


class Category(TimeStampedModel):
    """An admin-defined kind of request (billing, installation...) with its own fields."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_fr = models.CharField(_("description in French"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_fr)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_fr)


class CustomField(models.Model):
    """A field a category asks for. Values live in ``Ticket.custom_fields`` under ``key``."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), related_name="fields", on_delete=models.CASCADE
    )
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=120)
    label_fr = models.CharField(_("label in French"), max_length=120, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    help_text_fr = models.CharField(_("help text in French"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    # For choice fields: [{"value": "eu", "label": "Europe", "label_fr": "Europe"}, ...]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["category", "position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "key"], name="tickets_customfield_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.display_label}"

    @property
    def display_label(self) -> str:
        return pick(self.label, self.label_fr)

    @property
    def display_help_text(self) -> str:
        return pick(self.help_text, self.help_text_fr)

    def clean(self) -> None:
        """A choice field needs a list of options, each with a value; other kinds none."""
        if self.kind == FieldKind.CHOICE:
            if not isinstance(self.choices, list) or not self.choices:
                raise ValidationError({"choices": _("A choice field needs at least one option.")})
            for option in self.choices:
                if not isinstance(option, dict) or not str(option.get("value", "")).strip():
                    raise ValidationError(
                        {
                            "choices": _(
                                "Each option needs a “value” (and may have “label” and “label_fr”)."
                            )
                        }
                    )
        elif self.choices:
            raise ValidationError({"choices": _("Only choice fields have options.")})

    def choice_options(self) -> list[tuple[str, str]]:
        return [
            (str(c["value"]), pick(c.get("label", ""), c.get("label_fr", "")) or str(c["value"]))
            for c in self.choices
        ]


class Tag(models.Model):
    """A free label agents put on tickets, lower-case, no spaces."""

    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """One row holding the last ticket number handed out; incremented under a row lock."""

    last_number = models.PositiveIntegerField(default=1000)

    class Meta:
        verbose_name = _("ticket counter")

    def __str__(self) -> str:
        return str(self.last_number)


class Ticket(PublicIdModel):
    """A customer's request and everything done about it."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        related_name="requested_tickets",
        on_delete=models.PROTECT,
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        related_name="tickets",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    type = models.CharField(
        _("type"), max_length=10, choices=TicketType.choices, default=TicketType.QUESTION
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        related_name="tickets",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        related_name="tickets",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="tickets", blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        related_name="assigned_tickets",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        related_name="tickets",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followers"),
        related_name="followed_tickets",
        blank=True,
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        related_name="merged_tickets",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    problem = models.ForeignKey(
        "self",
        verbose_name=_("problem"),
        related_name="incidents",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Keyset pagination of the agent lists: filter, then newest activity first.
            # Team and assignee ride along so the queue counts and the visibility filter
            # are answered from the index alone (measured: counts 330-610 ms -> 59-84 ms at 1M).
            models.Index(
                fields=["status", "-updated_at", "-id", "team", "assignee"],
                name="ticket_status_cover",
            ),
            models.Index(
                fields=["assignee", "status", "-updated_at", "-id"], name="ticket_assignee_upd"
            ),
            models.Index(fields=["team", "status", "-updated_at", "-id"], name="ticket_team_upd"),
            models.Index(fields=["requester", "-updated_at", "-id"], name="ticket_requester_upd"),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="ticket_org_upd"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_upd"),
            # A problem's incidents, newest first: without it SQLite walked the ticket
            # numbers backwards looking for them (280 ms per problem page at 1M).
            models.Index(fields=["problem", "-number"], name="ticket_problem_number"),
            # The due-date sort, a status at a time: the dated range soonest first, then the
            # undated (newest first among equals in both). Team and assignee ride along as in
            # ticket_status_cover, for the visibility filter.
            models.Index(
                fields=["status", "due_at", "-id", "team", "assignee"], name="ticket_status_due"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_unsolved(self) -> bool:
        return self.status in UNSOLVED

    def is_overdue(self, now: Any) -> bool:
        return self.due_at is not None and self.is_unsolved and self.due_at < now


class Message(TimeStampedModel):
    """One entry of a ticket's conversation: a public reply or an internal note."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), related_name="messages", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        related_name="+",
        null=True,
        on_delete=models.SET_NULL,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.REPLY
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("text as HTML"), editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_created")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.ticket_id}"

    @property
    def is_note(self) -> bool:
        return self.kind == MessageKind.NOTE


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the uploader: no extension, no path tricks.
    return f"attachments/{timezone.now():%Y/%m}/{instance.public_id}"


class Attachment(PublicIdModel):
    """A file added to a ticket's message; served only after a permission check."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), related_name="attachments", on_delete=models.CASCADE
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        related_name="attachments",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        related_name="+",
        null=True,
        on_delete=models.SET_NULL,
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class HistoryEntry(models.Model):
    """One change to a ticket: who, when, through which channel, from what to what."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), related_name="history", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        related_name="+",
        null=True,
        on_delete=models.SET_NULL,
    )
    source = models.CharField(_("source"), max_length=10)
    field = models.CharField(_("field"), max_length=40)
    old = models.TextField(_("before"), blank=True)
    new = models.TextField(_("after"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="history_ticket_created")
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.field}: {self.old} → {self.new}"


class SavedView(TimeStampedModel):
    """An agent's own list of tickets: filters, sort and columns, optionally shared."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        related_name="saved_views",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=30, default="-updated_at")
    columns = models.JSONField(_("columns"), default=list, blank=True)
    shared = models.BooleanField(_("shared with all agents"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class TicketSearchDocument(models.Model):
    """A ticket's full-text document on PostgreSQL: number and subject (weight A), requester
    and public replies (B), internal notes (D); customers' queries only match A and B.
    Written only by the search indexer. On SQLite the FTS5 table ``tickets_search_fts``
    holds the documents and this table stays empty; the GIN index is created by migration
    ``0002_search_index`` on PostgreSQL only."""

    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        related_name="search_document",
        primary_key=True,
        on_delete=models.CASCADE,
    )
    document = SearchVectorField(_("document"), null=True)

    class Meta:
        ordering = ["ticket"]
        verbose_name = _("ticket search document")
        verbose_name_plural = _("ticket search documents")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class TicketSearchPending(models.Model):
    """A ticket whose search documents must be rebuilt: written by the index subscriber,
    emptied in batches by ``tasks.flush_search_index`` (see ``search.queue_for_index``)."""

    ticket_id = models.BigIntegerField(_("ticket id"), primary_key=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket waiting for the search index")
        verbose_name_plural = _("tickets waiting for the search index")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"
