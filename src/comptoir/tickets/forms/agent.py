"""Forms of the agent workspace: list filters and saved views, bulk actions, and the
ticket page's composer and side panels.

Forms parse what the browser sent; the services decide. What a service refuses lands on
the field it names through ``DomainErrorsMixin.add_domain_errors``. Forms that edit a
ticket render each field's value at display time (``show_hidden_initial``), so a submit
sends only what this agent changed and never reverts a colleague's change made meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import User
from comptoir.accounts.queries import (
    agents_visible_to,
    organisations_visible_to,
    teams_visible_to,
    users_visible_to,
)
from comptoir.catalog.models import Product
from comptoir.catalog.queries import products_visible_to
from comptoir.core import reference
from comptoir.tickets import list_filters, listing
from comptoir.tickets.choices import TRANSITIONS, Channel, MessageKind, Priority, Status, TicketType
from comptoir.tickets.fields import field_error_key
from comptoir.tickets.forms.portal import (
    MARKDOWN_HELP,
    DomainErrorsMixin,
    attachments_field,
    category_from,
    custom_form_field,
)
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.services.lifecycle import MAX_BODY, MAX_SUBJECT

T = TypeVar("T")

# Statuses an agent may set while replying (closing happens later, after solved).
SUBMIT_AS = (Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED)
TAG_SPLIT = re.compile(r"[\s,;]+")


def split_tags(text: str) -> list[str]:
    return [tag for tag in TAG_SPLIT.split(text) if tag]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _for_this_request(user: User, key: str, read: Callable[[], T]) -> T:
    """Choices read once per request: a page's forms (filters and bulk bar, assignment
    and properties) offer the same agents and teams. The request's user object is new on
    every request, so nothing outlives it."""
    name = f"_comptoir_{key}"
    choices = getattr(user, name, None)
    if choices is None:
        choices = read()
        setattr(user, name, choices)
    return choices


def _shared_by_agents(user: User, key: str, read: Callable[[], T]) -> T:
    """What every active agent sees alike (the ``visible_to`` functions of agents, teams,
    products and categories give an agent the whole table): kept between requests in the
    reference cache, and once per request on the user."""
    if user.is_authenticated and user.is_active and user.is_agent:
        return _for_this_request(user, key, lambda: reference.cached(f"agents:{key}", read))
    return _for_this_request(user, key, read)


def _agent_choices(user: User) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        agents = agents_visible_to(user).order_by("full_name", "email")
        rows = agents.values_list("public_id", "full_name", "email")
        return [(public_id, name or email) for public_id, name, email in rows]

    return list(_shared_by_agents(user, "agent_choices", read))


def _team_choices(user: User) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        return [
            (team.public_id, team.name) for team in teams_visible_to(user).only("public_id", "name")
        ]

    return list(_shared_by_agents(user, "team_choices", read))


def _categories(user: User) -> list[Category]:
    """Every category, active or not (labels are translated by the caller: the cached
    objects serve every language)."""
    return list(_shared_by_agents(user, "categories", lambda: list(Category.objects.all())))


def _products(user: User) -> list[Product]:
    return list(_shared_by_agents(user, "products", lambda: list(products_visible_to(user))))


# --- Lists ---------------------------------------------------------------------------


class TicketFilterForm(forms.Form):
    """The filters of a list, as on the list page and in the saved-view editor. People and
    organisations are typed (an email, a name) and stored by public id."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=list_filters.MAX_TEXT,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Subject, requester, #number")}),
    )  # fmt: skip
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=Status.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    priority = forms.MultipleChoiceField(
        label=_("Priority"), choices=Priority.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    type = forms.ChoiceField(label=_("Type"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    requester = forms.EmailField(
        label=_("Requester"), required=False,
        widget=forms.EmailInput(attrs={"placeholder": _("Email address")}),
    )  # fmt: skip
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    created_after = forms.DateField(
        label=_("Created from"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    created_before = forms.DateField(
        label=_("Created before"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        anything = [("", gettext("Any"))]
        _set_choices(self, "type", anything + list(TicketType.choices))
        _set_choices(self, "channel", anything + list(Channel.choices))
        _set_choices(self, "category", anything + [(str(c.pk), str(c)) for c in _categories(user)])
        _set_choices(
            self,
            "product",
            anything + [(p.public_id, str(p)) for p in _products(user)],
        )
        _set_choices(
            self,
            "assignee",
            [
                *anything,
                ("me", gettext("Me")),
                ("nobody", gettext("Nobody")),
                *_agent_choices(user),
            ],
        )
        _set_choices(
            self,
            "team",
            [
                *anything,
                ("mine", gettext("My teams")),
                ("none", gettext("No team")),
                *_team_choices(user),
            ],
        )

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in list_filters.FILTER_KEYS]

    def more_filter_fields(self) -> list[forms.BoundField]:
        """Every filter but the search box, which the list shows on its own."""
        return [self[key] for key in list_filters.FILTER_KEYS if key != "q"]

    def clean_requester(self) -> str:
        email = self.cleaned_data.get("requester") or ""
        if not email:
            return ""
        person = users_visible_to(self.user).filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(gettext("Nobody with this email address."))
        return person.public_id

    def clean_organisation(self) -> str:
        name = (self.cleaned_data.get("organisation") or "").strip()
        if not name:
            return ""
        organisation = organisations_visible_to(self.user).filter(name__iexact=name).first()
        if organisation is None:
            raise forms.ValidationError(gettext("No organisation with this name."))
        return organisation.public_id

    def filters(self) -> dict[str, Any]:
        """The filters as ``SavedView.filters`` stores them (call after ``is_valid``)."""
        data: dict[str, Any] = {key: self.cleaned_data.get(key) for key in list_filters.FILTER_KEYS}
        for key in ("created_after", "created_before"):
            day = data[key]
            data[key] = day.isoformat() if day else None
        return {key: value for key, value in data.items() if value not in (None, "", [])}

    @classmethod
    def initial_from(cls, filters: dict[str, Any], user: User) -> dict[str, Any]:
        """The form's initial values for stored filters: public ids back to what people type."""
        initial = dict(filters)
        if filters.get("requester"):
            person = users_visible_to(user).filter(public_id=filters["requester"]).first()
            initial["requester"] = person.email if person else ""
        if filters.get("organisation"):
            organisation = (
                organisations_visible_to(user).filter(public_id=filters["organisation"]).first()
            )
            initial["organisation"] = organisation.name if organisation else ""
        if filters.get("category"):
            initial["category"] = str(filters["category"])
        return initial


class SavedViewForm(TicketFilterForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=[(sort.key, sort.label) for sort in listing.SORTS]
    )
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[(column.key, column.label) for column in listing.COLUMNS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(listing.DEFAULT_COLUMNS),
    )
    shared = forms.BooleanField(
        label=_("Share with all agents"),
        required=False,
        help_text=_("Everyone in the workspace sees a shared view; only you can change it."),
    )

    field_order = ["name", "shared", "sort", "columns"]


class _Prefixed:
    """Several forms share a page: each names its elements' ids after itself."""

    auto_id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.auto_id_prefix}_%s")
        super().__init__(*args, **kwargs)


class BulkForm(_Prefixed, DomainErrorsMixin, forms.Form):
    """Changes to apply to the selected tickets; empty fields are left alone."""

    auto_id_prefix = "bulk"

    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("vip, refund")}),
    )  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = [("", gettext("No change"))]
        _set_choices(self, "status", keep + list(Status.choices))
        _set_choices(self, "priority", keep + list(Priority.choices))
        me = [("me", gettext("Me")), ("nobody", gettext("Nobody"))]
        _set_choices(self, "assignee", [*keep, *me, *_agent_choices(user)])
        _set_choices(self, "team", [*keep, ("none", gettext("No team")), *_team_choices(user)])


# --- The ticket page ------------------------------------------------------------------


class MessageForm(_Prefixed, DomainErrorsMixin, forms.Form):
    """The composer: a public reply or an internal note, with files and a status."""

    auto_id_prefix = "composer"

    kind = forms.ChoiceField(
        label=_("Write"),
        choices=MessageKind.choices,
        initial=MessageKind.REPLY,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=MARKDOWN_HELP,
    )
    status = forms.ChoiceField(label=_("Submit as"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses = [(status.value, status.label) for status in SUBMIT_AS]
        _set_choices(self, "status", [("", gettext("Keep the status")), *statuses])
        self.fields["attachments"] = attachments_field()


class SubjectForm(_Prefixed, DomainErrorsMixin, forms.Form):
    auto_id_prefix = "subject"
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)


class _ChangesForm(_Prefixed, DomainErrorsMixin, forms.Form):
    """A form whose submit carries only the fields the agent changed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


class PropertiesForm(_ChangesForm):
    auto_id_prefix = "prop"
    status = forms.ChoiceField(label=_("Status"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    due_at = forms.DateTimeField(
        label=_("Due"), required=False,
        # The picker's format, and the hidden initial value's (with seconds).
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        ticket: Ticket,
        user: User,
        category: Category | object | None = ...,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", self.initial_for(ticket))
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user
        status = Status(ticket.status)
        allowed = [status, *[s for s in Status if s in TRANSITIONS[status]]]
        _set_choices(self, "status", [(s.value, s.label) for s in allowed])
        none = [("", gettext("None"))]
        categories = [category for category in _categories(user) if category.is_active]
        if ticket.category is not None and ticket.category not in categories:
            categories.insert(0, ticket.category)
        _set_choices(self, "category", none + [(str(c.pk), str(c)) for c in categories])
        # Picking a category swaps in its fields.
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("agent_tickets:custom_fields", args=[ticket.number]),
                "hx-trigger": "change",
                "hx-target": "#agent-custom-fields",
                "hx-swap": "innerHTML",
                "aria-controls": "agent-custom-fields",
            }
        )
        products = [(p.public_id, str(p)) for p in _products(user)]
        _set_choices(self, "product", [*none, *products])
        # Whose fields to show: the category given, else the one submitted, else the ticket's.
        if category is ...:
            category = ticket.category
            if self.is_bound:
                raw = self.data.get(self.add_prefix("category"))
                category = category_from(raw) if raw != str(ticket.category_id) else category
        assert category is None or isinstance(category, Category)
        self.custom_field_names: list[str] = []
        for field in category.fields.all() if category is not None else []:
            name = field_error_key(field)
            self.fields[name] = custom_form_field(field)
            self.fields[name].show_hidden_initial = True
            self.fields[name].required = False  # the service says which are required
            self.initial.setdefault(name, ticket.custom_fields.get(field.key, ""))
            self.custom_field_names.append(name)

    @staticmethod
    def initial_for(ticket: Ticket) -> dict[str, Any]:
        return {
            "status": ticket.status,
            "priority": ticket.priority,
            "type": ticket.type,
            "category": str(ticket.category_id or ""),
            "product": ticket.product.public_id if ticket.product is not None else "",
            "due_at": ticket.due_at,
        }

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_field_names]

    def changes(self) -> dict[str, Any]:
        """What the agent changed, as ``check_update_ticket`` takes it."""
        changed = set(self.changed_data)
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        for name in ("status", "priority", "type", "due_at"):
            if name in changed:
                changes[name] = data[name]
        if "category" in changed:
            changes["category"] = category_from(data["category"]) if data["category"] else None
        if "product" in changed:
            product = data["product"]
            changes["product"] = (
                products_visible_to(self.user).filter(public_id=product).first()
                if product
                else None
            )
        # A new category's fields are all sent, so that its required ones are checked.
        if changed & set(self.custom_field_names) or (
            "category" in changed and self.custom_field_names
        ):
            changes["custom_fields"] = {
                name.removeprefix("cf_"): data[name]
                for name in self.custom_field_names
                if data.get(name) not in (None, "")
            }
        return changes


class AssignForm(_ChangesForm):
    auto_id_prefix = "assign"
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Agent"), required=False)

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "team": ticket.team.public_id if ticket.team is not None else "",
                "assignee": ticket.assignee.public_id if ticket.assignee is not None else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user
        _set_choices(self, "team", [("", gettext("No team")), *_team_choices(user)])
        _set_choices(self, "assignee", [("", gettext("Nobody")), *_agent_choices(user)])

    def changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if "team" in self.changed_data:
            team = self.cleaned_data["team"]
            changes["team"] = (
                teams_visible_to(self.user).filter(public_id=team).first() if team else None
            )
        if "assignee" in self.changed_data:
            agent = self.cleaned_data["assignee"]
            changes["assignee"] = (
                agents_visible_to(self.user).filter(public_id=agent).first() if agent else None
            )
        return changes


class TagsForm(_Prefixed, DomainErrorsMixin, forms.Form):
    auto_id_prefix = "tags"
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000,
        help_text=_("Separate tags with spaces or commas."),
    )  # fmt: skip

    def tag_list(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags") or "")


class FollowerForm(_Prefixed, DomainErrorsMixin, forms.Form):
    auto_id_prefix = "follower"
    email = forms.EmailField(label=_("Add a follower (CC)"), widget=forms.EmailInput(
        attrs={"placeholder": _("Email address")}
    ))  # fmt: skip


class MergeForm(_Prefixed, DomainErrorsMixin, forms.Form):
    auto_id_prefix = "merge"
    target = forms.IntegerField(
        label=_("Merge into ticket number"), min_value=1,
        help_text=_("This ticket's conversation moves there, and this ticket closes."),
    )  # fmt: skip
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ProblemForm(_Prefixed, DomainErrorsMixin, forms.Form):
    auto_id_prefix = "problem"
    problem = forms.IntegerField(
        label=_("Problem ticket number"), min_value=1, required=False,
        help_text=_("Leave empty to unlink."),
    )  # fmt: skip
