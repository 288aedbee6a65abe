"""The customer portal's ticket pages: my requests, a new request, one request.

Views parse, call one query or service, render. Every ticket is read through the scoped
queries, so a ticket the user may not see and one that does not exist answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest
from comptoir.core.pagination import keyset_page
from comptoir.tickets import queries, services
from comptoir.tickets.choices import CUSTOMER_EXPLANATIONS, UNSOLVED, FieldKind, MessageKind, Status
from comptoir.tickets.forms.portal import CustomFieldsForm, ReplyForm, TicketForm, category_from
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.search import search_tickets

PAGE_SIZE = 25
LIST_ORDER = ("-updated_at", "-id")
# The list's tabs: what each shows.
FILTERS: dict[str, tuple[str, ...] | None] = {
    "open": tuple(UNSOLVED),
    "solved": (Status.SOLVED, Status.CLOSED),
    "all": None,
}


def wants_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request aimed at the element ``target``; a history restore (or any other
    htmx request) gets the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Target") == target
        and headers.get("HX-History-Restore-Request") != "true"
    )


def portal_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``login_required``, except that a fragment asked for after the session ended makes
    the page reload (and so reach the sign-in page) instead of swapping the sign-in form
    into the middle of the page."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return protected(request, *args, **kwargs)

    return wrapper


def _vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    """One answer for "no such ticket" and "not yours": nothing leaks either way."""
    return render(request, "tickets/portal/not_found.html", status=404)


def shares_with_colleagues(user: User) -> bool:
    organisation = user.organisation
    return organisation is not None and organisation.shared_tickets


# --- My requests ------------------------------------------------------------------------


@portal_login_required
@require_GET
def ticket_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "open")
    if status not in FILTERS:
        status = "open"
    text = request.GET.get("q", "").strip()[:200]
    tickets = search_tickets(user, text) if text else queries.tickets_visible_to(user)
    statuses = FILTERS[status]
    if statuses is not None:
        tickets = tickets.filter(status__in=statuses)
    tickets = tickets.select_related("requester")
    try:
        page = keyset_page(
            tickets, order=LIST_ORDER, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE
        )
    except DomainError:
        # A cursor from an old link or a hand-edited URL: start again from the top.
        messages.warning(request, _("That page of the list no longer exists; here is the first."))
        page = keyset_page(tickets, order=LIST_ORDER, size=PAGE_SIZE)
    filters = {"status": status, **({"q": text} if text else {})}
    context = {
        "page": page,
        "status": status,
        "query": text,
        "shared": shares_with_colleagues(user),
        "tabs": _tabs(status, text),
        "next_url": (
            f"?{urlencode({**filters, 'cursor': page.next_cursor})}" if page.next_cursor else ""
        ),
        "first_url": f"?{urlencode(filters)}",
        "is_next_page": bool(request.GET.get("cursor")),
    }
    template = "tickets/portal/list.html"
    if wants_partial(request, "ticket-list"):
        template = "tickets/portal/partials/_ticket_list.html"
    return _vary_on_htmx(render(request, template, context))


def _tabs(current: str, text: str) -> list[dict[str, Any]]:
    labels = {
        "open": pgettext("requests tab", "Open"),
        "solved": pgettext("requests tab", "Solved and closed"),
        "all": pgettext("requests tab", "All"),
    }
    return [
        {
            "key": key,
            "label": label,
            "url": "?" + urlencode({"status": key, **({"q": text} if text else {})}),
            "current": key == current,
        }
        for key, label in labels.items()
    ]


# --- A new request ----------------------------------------------------------------------


@portal_login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        uploads: list[UploadedFile] = request.FILES.getlist("attachments")
        if request.POST.get("refresh"):
            # Without JavaScript, "Show the fields" posts the form to show the chosen
            # category's fields: nothing is sent, nothing typed is lost.
            category = category_from(request.POST.get("category", ""))
            form = TicketForm(initial=request.POST.dict(), user=user, category=category)
            if uploads:
                messages.warning(request, _("Your files were not kept: please choose them again."))
            return render(request, "tickets/portal/new.html", {"form": form})
        form = TicketForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.check_open_ticket(
                    user,
                    subject=data["subject"],
                    body=data["description"],
                    source=Source.WEB,
                    category=data["category"],
                    product=data["product"],
                    custom_fields=form.custom_values(),
                    uploads=uploads,
                )
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your request #%(number)d has been sent. We will answer you here and by email."
                    )
                    % {"number": ticket.number},
                )
                return redirect("portal_tickets:detail", number=ticket.number)
        form.ask_for_files_again(uploads)
    else:
        initial = _initial(request)
        category = category_from(initial.get("category"))
        form = TicketForm(initial=initial, user=user, category=category)
    return render(request, "tickets/portal/new.html", {"form": form})


def _category_from(request: HttpRequest) -> Category | None:
    return category_from(request.GET.get("category", ""))


def _initial(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """Pre-fill from ``?category=`` or ``?follow_up=<number>`` (the "open a new request"
    link of a closed ticket)."""
    initial: dict[str, Any] = {}
    category = _category_from(request)
    if category is not None:
        initial["category"] = category.pk
    raw = request.GET.get("follow_up", "")
    earlier = queries.ticket_for(request.user, int(raw)) if raw.isdigit() else None
    if earlier is not None:
        initial["subject"] = _("Follow-up to #%(number)s: %(subject)s") % {
            "number": earlier.number,
            "subject": earlier.subject,
        }
        initial["description"] = _("This follows request #%(number)d.") % {"number": earlier.number}
        if earlier.category_id and earlier.category and earlier.category.is_active:
            initial.setdefault("category", earlier.category_id)
        if earlier.product_id:
            initial["product"] = earlier.product_id
    return initial


@portal_login_required
@require_GET
def custom_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The fields of the chosen category, swapped into the form when the category changes."""
    category = _category_from(request)
    form = CustomFieldsForm(category, request.GET.dict())
    return render(
        request,
        "tickets/portal/partials/_custom_fields.html",
        {"custom_fields": form.custom_fields(), "category": category, "carried": form.carried},
    )


# --- One request ------------------------------------------------------------------------


def _ticket_context(user: User, ticket: Ticket) -> dict[str, Any]:
    merged_into = ticket.merged_into
    return {
        "ticket": ticket,
        "explanation": CUSTOMER_EXPLANATIONS[Status(ticket.status)],
        "conversation": queries.messages_visible_to(user, ticket),
        "custom_values": _custom_values(ticket),
        "shared": shares_with_colleagues(user),
        "merged_into_visible": merged_into is not None
        and queries.can_see_ticket(user, merged_into),
    }


def _custom_values(ticket: Ticket) -> list[tuple[str, str]]:
    """(label, value) for each custom field the ticket holds, in the category's order."""
    if ticket.category is None or not ticket.custom_fields:
        return []
    values = []
    for field in ticket.category.fields.all():
        if field.key not in ticket.custom_fields:
            continue
        value = str(ticket.custom_fields[field.key])
        if field.kind == FieldKind.CHOICE:
            value = dict(field.choice_options()).get(value, value)
        values.append((field.display_label, value))
    return values


def _render_ticket(
    request: AuthenticatedHttpRequest, ticket: Ticket, reply_form: ReplyForm | None = None
) -> HttpResponse:
    context = _ticket_context(request.user, ticket)
    context["reply_form"] = reply_form or ReplyForm()
    return render(request, "tickets/portal/detail.html", context)


@portal_login_required
@require_GET
def ticket_detail(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = queries.ticket_for(request.user, number)
    if ticket is None:
        return not_found(request)
    return _render_ticket(request, ticket)


@portal_login_required
@require_GET
def ticket_conversation(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """The conversation and the status box, re-read when the ticket changes (live refresh)."""
    ticket = queries.ticket_for(request.user, number)
    if ticket is None:
        return not_found(request)
    return render(
        request,
        "tickets/portal/partials/_conversation_refresh.html",
        _ticket_context(request.user, ticket),
    )


@portal_login_required
@require_POST
def ticket_reply(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    ticket = queries.ticket_for(request.user, number)
    if ticket is None:
        return not_found(request)
    form = ReplyForm(request.POST, request.FILES)
    uploads: list[UploadedFile] = request.FILES.getlist("attachments")
    if form.is_valid():
        try:
            message = services.check_add_message(
                request.user,
                ticket,
                body=form.cleaned_data["body"],
                kind=MessageKind.REPLY,
                source=Source.WEB,
                uploads=uploads,
            )
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("Your reply has been sent."))
            url = reverse("portal_tickets:detail", kwargs={"number": ticket.number})
            return redirect(f"{url}#message-{message.pk}")
    form.ask_for_files_again(uploads)
    return _render_ticket(request, ticket, form)


@portal_login_required
@require_POST
def ticket_status(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """ "This is solved" and "Reopen": the two status changes a customer may make."""
    ticket = queries.ticket_for(request.user, number)
    if ticket is None:
        return not_found(request)
    wanted = request.POST.get("status")
    if wanted not in (Status.SOLVED, Status.OPEN):
        messages.error(request, _("This change is not available."))
        return redirect("portal_tickets:detail", number=ticket.number)
    try:
        services.check_update_ticket(request.user, ticket, source=Source.WEB, status=Status(wanted))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if wanted == Status.SOLVED:
            messages.success(request, _("Thank you! Your request is marked as solved."))
        else:
            messages.success(request, _("Your request is open again; we will look at it."))
    return redirect("portal_tickets:detail", number=ticket.number)


def recent_for(user: User, limit: int = 5) -> QuerySet[Ticket]:
    """The latest requests a customer can see, for the portal's home page."""
    return (
        queries.tickets_visible_to(user).select_related("requester").order_by(*LIST_ORDER)[:limit]
    )
