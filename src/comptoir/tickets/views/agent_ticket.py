"""The agent's ticket page and each action it offers.

Every action posts its own small form, calls one service, and redirects back to the
page. When the service refuses, the page is shown again with that form as it was
submitted and the refusal on the fields it names, so nothing typed is lost.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import TextChoices
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from comptoir.accounts.models import User
from comptoir.accounts.queries import users_visible_to
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest
from comptoir.tickets import listing, queries, services
from comptoir.tickets.choices import MessageKind, Priority, Status, TicketType
from comptoir.tickets.forms.agent import (
    AssignForm,
    FollowerForm,
    MergeForm,
    MessageForm,
    ProblemForm,
    PropertiesForm,
    SubjectForm,
    TagsForm,
)
from comptoir.tickets.forms.portal import category_from
from comptoir.tickets.models import HistoryEntry, Ticket
from comptoir.tickets.views.agent import agent_required

PARTS = {
    "conversation": "tickets/agent/partials/_conversation.html",
    "history": "tickets/agent/partials/_history.html",
    "summary": "tickets/agent/partials/_summary.html",
    "panels": "tickets/agent/partials/_panels.html",
}
FIELD_LABELS = {
    "created": gettext_lazy("Ticket opened"),
    "subject": gettext_lazy("Subject"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "type": gettext_lazy("Type"),
    "category": gettext_lazy("Category"),
    "product": gettext_lazy("Product"),
    "custom_fields": gettext_lazy("Custom fields"),
    "assignee": gettext_lazy("Assignee"),
    "team": gettext_lazy("Team"),
    "due_at": gettext_lazy("Due"),
    "tags": gettext_lazy("Tags"),
    "followers": gettext_lazy("Followers"),
    "merged_into": gettext_lazy("Merged into"),
    "merged_from": gettext_lazy("Merged from"),
    "problem": gettext_lazy("Problem"),
}
CHOICES: dict[str, type[TextChoices]] = {
    "status": Status,
    "priority": Priority,
    "type": TicketType,
    "source": Source,
}


# --- Reading -------------------------------------------------------------------------------


def _ticket_or_404(request: AuthenticatedHttpRequest, number: int) -> Ticket:
    ticket = queries.ticket_for(request.user, number)
    if ticket is None:
        raise Http404
    return ticket


@dataclass(frozen=True)
class HistoryRow:
    entry: HistoryEntry
    field: str
    old: str
    new: str
    source: str


def _shown(field: str, value: str) -> str:
    """A history value as people read it: labels for codes, local time for dates."""
    if not value:
        return ""
    if field in CHOICES:
        try:
            return str(CHOICES[field](value).label)
        except ValueError:
            return value
    if field == "due_at":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if field == "created":
        return f"#{value}"
    return value


def history_rows(entries: list[HistoryEntry]) -> list[HistoryRow]:
    return [
        HistoryRow(
            entry=entry,
            field=str(FIELD_LABELS.get(entry.field, entry.field)),
            old=_shown(entry.field, entry.old),
            new=_shown(entry.field, entry.new),
            source=_shown("source", entry.source),
        )
        for entry in entries
    ]


def _panels_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, **forms: Form
) -> dict[str, Any]:
    """What the side panels show: their forms (fresh unless given), the requester's other
    tickets, and a problem's incidents."""
    user = request.user
    context: dict[str, Any] = {
        "ticket": ticket,
        "subject_form": SubjectForm(initial={"subject": ticket.subject}),
        "properties_form": PropertiesForm(ticket=ticket, user=user),
        "assign_form": AssignForm(ticket=ticket, user=user),
        "tags_form": TagsForm(initial={"tags": " ".join(t.name for t in ticket.tags.all())}),
        "follower_form": FollowerForm(),
        "merge_form": MergeForm(),
        "problem_form": ProblemForm(
            initial={"problem": ticket.problem.number if ticket.problem else None}
        ),
        "other_tickets": queries.requester_other_tickets(user, ticket),
        "incidents": [],
    }
    context.update(forms)
    if ticket.type == TicketType.PROBLEM:
        context["incidents"] = list(
            queries.tickets_visible_to(user)
            .filter(problem=ticket)
            .only("number", "subject", "status")
            .order_by("-number")[:20]
        )
    return context


def _page_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, **forms: Form
) -> dict[str, Any]:
    context = _panels_context(request, ticket, **forms)
    context.setdefault("message_form", MessageForm())
    context["conversation"] = list(queries.messages_visible_to(request.user, ticket))
    context["history"] = history_rows(list(queries.history_of(ticket)))
    return context


def _page(
    request: AuthenticatedHttpRequest, number: int, *, status: int = 200, **forms: Form
) -> HttpResponse:
    # Read afresh: a refused change may have left the loaded ticket half-changed.
    ticket = _ticket_or_404(request, number)
    return render(
        request, "tickets/agent/ticket.html", _page_context(request, ticket, **forms), status=status
    )


def _back(request: AuthenticatedHttpRequest, ticket: Ticket, anchor: str = "") -> HttpResponse:
    """After a change: back to the page, with the agent's own queue counts re-read."""
    listing.forget_counts(request.user)
    url = reverse("agent_tickets:detail", args=[ticket.number])
    return redirect(f"{url}#{anchor}" if anchor else url)


@agent_required
@require_GET
def ticket_detail(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    part = request.GET.get("part", "")
    if part in PARTS:
        # Live refreshes: only what the part shows, not the whole page's forms.
        context: dict[str, Any] = {"ticket": ticket}
        if part == "conversation":
            context["conversation"] = list(queries.messages_visible_to(request.user, ticket))
        elif part == "history":
            context["history"] = history_rows(list(queries.history_of(ticket)))
        elif part == "panels":
            context = _panels_context(request, ticket)
        return render(request, PARTS[part], context)
    return render(request, "tickets/agent/ticket.html", _page_context(request, ticket))


@agent_required
@require_GET
def custom_fields(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """The custom fields of the category the agent just picked (htmx)."""
    ticket = _ticket_or_404(request, number)
    category = category_from(request.GET.get("category"))
    form = PropertiesForm(ticket=ticket, user=request.user, category=category)
    return render(request, "tickets/agent/partials/_custom_fields.html", {"form": form})


# --- Acting ------------------------------------------------------------------------------


@agent_required
@require_POST
def ticket_message(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = MessageForm(request.POST, request.FILES)
    uploads = request.FILES.getlist("attachments")
    if form.is_valid():
        kind = MessageKind(form.cleaned_data["kind"])
        status = form.cleaned_data["status"]
        try:
            message = services.check_add_message(
                request.user,
                ticket,
                body=form.cleaned_data["body"],
                kind=kind,
                source=Source.WEB,
                uploads=list(uploads),
                status=Status(status) if status else None,
            )
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(
                request,
                _("Your note was added.")
                if kind == MessageKind.NOTE
                else _("Your reply was sent."),
            )
            return _back(request, ticket, f"message-{message.pk}")
    form.ask_for_files_again(list(uploads))
    return _page(request, number, status=400, message_form=form)


@agent_required
@require_POST
def ticket_subject(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = SubjectForm(request.POST)
    if form.is_valid():
        try:
            services.check_update_ticket(
                request.user, ticket, source=Source.WEB, subject=form.cleaned_data["subject"]
            )
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            return _back(request, ticket)
    return _page(request, number, status=400, subject_form=form)


def _update(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    form: Any,
    changes: dict[str, Any],
    form_name: str,
    anchor: str,
) -> HttpResponse:
    """Apply ``changes`` through the service; on refusal, show ``form`` with the errors."""
    if not changes:
        messages.info(request, _("Nothing was changed."))
        return _back(request, ticket, anchor)
    try:
        services.check_update_ticket(request.user, ticket, source=Source.WEB, **changes)
    except DomainError as exc:
        form.add_domain_errors(exc)
        return _page(request, ticket.number, status=400, **{form_name: form})
    messages.success(request, _("Ticket #%(number)d was updated.") % {"number": ticket.number})
    return _back(request, ticket, anchor)


@agent_required
@require_POST
def ticket_properties(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = PropertiesForm(request.POST, ticket=ticket, user=request.user)
    if not form.is_valid():
        return _page(request, number, status=400, properties_form=form)
    return _update(request, ticket, form, form.changes(), "properties_form", "properties")


@agent_required
@require_POST
def ticket_assign(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = AssignForm(request.POST, ticket=ticket, user=request.user)
    if "me" in request.POST:
        form.is_valid()
        return _update(request, ticket, form, {"assignee": request.user}, "assign_form", "assign")
    if not form.is_valid():
        return _page(request, number, status=400, assign_form=form)
    return _update(request, ticket, form, form.changes(), "assign_form", "assign")


@agent_required
@require_POST
def ticket_tags(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = TagsForm(request.POST)
    if not form.is_valid():
        return _page(request, number, status=400, tags_form=form)
    return _update(request, ticket, form, {"tags": form.tag_list()}, "tags_form", "tags")


def _person(request: AuthenticatedHttpRequest, email: str) -> User | None:
    return users_visible_to(request.user).filter(email__iexact=email, is_active=True).first()


@agent_required
@require_POST
def follower_add(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = FollowerForm(request.POST)
    if form.is_valid():
        person = _person(request, form.cleaned_data["email"])
        if person is None:
            form.add_error("email", _("Nobody with this email address."))
        else:
            try:
                services.do_add_follower(ticket, person, actor=request.user, source=Source.WEB)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("%(name)s now follows this ticket.") % {"name": person})
                return _back(request, ticket, "followers")
    return _page(request, number, status=400, follower_form=form)


@agent_required
@require_POST
def follower_remove(request: AuthenticatedHttpRequest, number: int, public_id: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    person = next((f for f in ticket.followers.all() if f.public_id == public_id), None)
    if person is None:
        raise Http404
    services.do_remove_follower(ticket, person, actor=request.user, source=Source.WEB)
    messages.success(request, _("%(name)s no longer follows this ticket.") % {"name": person})
    return _back(request, ticket, "followers")


@agent_required
@require_POST
def ticket_merge(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """First post: show both tickets and ask to confirm. Second post: merge."""
    ticket = _ticket_or_404(request, number)
    form = MergeForm(request.POST)
    if form.is_valid():
        target = queries.ticket_for(request.user, form.cleaned_data["target"])
        if target is None:
            form.add_error("target", _("No ticket with this number."))
        elif target.pk == ticket.pk:
            form.add_error("target", _("Choose another ticket."))
        elif not form.cleaned_data["confirm"]:
            confirm = MergeForm(initial={"target": target.number, "confirm": True})
            return render(
                request,
                "tickets/agent/merge_confirm.html",
                {"ticket": ticket, "target": target, "form": confirm},
            )
        else:
            try:
                services.check_merge_tickets(request.user, ticket, target, source=Source.WEB)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request,
                    _("Ticket #%(old)d was merged into this ticket.") % {"old": ticket.number},
                )
                return _back(request, target)
    return _page(request, number, status=400, merge_form=form)


@agent_required
@require_POST
def ticket_problem(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = ProblemForm(request.POST)
    if form.is_valid():
        problem = None
        wanted = form.cleaned_data["problem"]
        if wanted is not None:
            problem = queries.ticket_for(request.user, wanted)
            if problem is None:
                form.add_error("problem", _("No ticket with this number."))
        if not form.errors:
            try:
                services.do_link_problem(ticket, problem, actor=request.user, source=Source.WEB)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request, _("Ticket #%(number)d was updated.") % {"number": ticket.number}
                )
                return _back(request, ticket, "problem")
    return _page(request, number, status=400, problem_form=form)
