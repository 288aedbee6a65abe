"""Ticket lists of the agent workspace, and bulk actions on the tickets they show.

One URL serves the whole page, and its parts to htmx: the results (``#ticket-list``)
when a filter changes, the view with its filters (``#ticket-workspace``) when the agent
picks another view, and the next rows when they ask for more. Every list is a keyset page
costing the same few queries however many rows it shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from comptoir.accounts.queries import agents_visible_to, teams_visible_to
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest
from comptoir.tickets import listing, services
from comptoir.tickets.forms.agent import BulkForm, TicketFilterForm, split_tags
from comptoir.tickets.queries import tickets_visible_to
from comptoir.tickets.services import BulkResult
from comptoir.tickets.views.agent import agent_required, list_url

PAGE_SIZE = 50


def _list_context(
    request: AuthenticatedHttpRequest, params: QueryDict, *, cursor: str | None = None
) -> dict[str, Any]:
    user = request.user
    saved_views = listing.saved_views_of(user)
    key = params.get("view") or listing.DEFAULT_VIEW
    spec = listing.resolve_spec(key, user, sort=params.get("sort"), views=saved_views)
    if spec is None:
        raise Http404
    filter_form = TicketFilterForm(params, user=user)
    filter_form.is_valid()  # invalid filters are shown with their error and not applied
    extra = filter_form.filters()
    try:
        page = listing.list_page(spec, user, extra, cursor=cursor, size=PAGE_SIZE)
    except (DomainError, ValueError, TypeError) as exc:
        raise BadRequest(_("This page of the list is not valid any more.")) from exc
    now = timezone.now()
    for ticket in page.items:
        ticket.overdue = ticket.is_overdue(now)  # type: ignore[attr-defined]
    here = {k: v for k, v in params.lists() if k != "cursor" and any(v)}
    return {
        "spec": spec,
        "view_key": key,
        "title": spec.saved.name if spec.saved else listing.BUILTINS[key].label,
        "page": page,
        "columns": spec.columns,
        "filter_form": filter_form,
        "filtered": bool(extra),
        "saved_views": saved_views,
        "can_edit_view": spec.saved is not None
        and (spec.saved.owner_id == user.pk or user.is_admin),
        "more_url": list_url({**here, "cursor": page.next_cursor}) if page.next_cursor else "",
        "headers": [
            {
                "column": column,
                "url": list_url({**here, "sort": column.sort}) if column.sort else "",
                "sorted": _direction(column.sort) if column.sort == spec.sort.key else "",
            }
            for column in spec.columns
        ],
        "sorts": listing.SORTS,
        "bulk_form": BulkForm(user=user),
        "list_query": _as_querydict(here).urlencode(),
    }


def _direction(sort: str | None) -> str:
    return "descending" if (sort or "").startswith("-") else "ascending"


def _as_querydict(values: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, items in values.items():
        query.setlist(key, items)
    return query


def _render_list(
    request: AuthenticatedHttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        if request.GET.get("cursor"):
            template = "tickets/agent/partials/_rows.html"
        elif htmx.target == "ticket-list":
            template = "tickets/agent/partials/_list_refresh.html"
            # A column title changed the sort: the filters' sort menu must say so too.
            context["sync_sort"] = htmx.trigger != "list-filters"
        else:
            template = "tickets/agent/partials/_workspace_refresh.html"
        return render(request, template, context, status=status)
    return render(request, "tickets/agent/list.html", context, status=status)


@agent_required
@require_GET
def ticket_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET, cursor=request.GET.get("cursor") or None)
    return _render_list(request, context)


def _bulk_changes(form: BulkForm, request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    data = form.cleaned_data
    changes: dict[str, Any] = {}
    if data["status"]:
        changes["status"] = data["status"]
    if data["priority"]:
        changes["priority"] = data["priority"]
    if data["assignee"] == "me":
        changes["assignee"] = user
    elif data["assignee"] == "nobody":
        changes["assignee"] = None
    elif data["assignee"]:
        changes["assignee"] = agents_visible_to(user).get(public_id=data["assignee"])
    if data["team"] == "none":
        changes["team"] = None
    elif data["team"]:
        changes["team"] = teams_visible_to(user).get(public_id=data["team"])
    return changes


def _apply(
    request: AuthenticatedHttpRequest, numbers: list[int], changes: dict[str, Any], tags: list[str]
) -> tuple[BulkResult, int]:
    """Update the tickets the agent may see among ``numbers``; the others are ignored."""
    tickets = list(tickets_visible_to(request.user).filter(number__in=numbers).order_by("number"))
    ignored = len(set(numbers)) - len(tickets)
    # The service adds the tags to what each ticket has when its turn comes, so a tag
    # someone else added meanwhile stays.
    result = services.do_bulk_update(
        tickets, actor=request.user, source=Source.WEB, add_tags=tags, **changes
    )
    return result, ignored


@agent_required
@require_POST
def bulk_update(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = QueryDict(request.POST.get("next", ""))
    if listing.resolve_spec(params.get("view") or listing.DEFAULT_VIEW, request.user) is None:
        params = QueryDict()  # the changes are made whatever list the agent came from
    numbers = sorted({int(n) for n in request.POST.getlist("tickets") if n.isdigit()})
    form = BulkForm(request.POST, user=request.user)
    outcome: dict[str, Any] = {"errors": [], "updated": [], "failed": {}, "ignored": 0}
    if not form.is_valid():
        outcome["errors"] = [str(e) for errors in form.errors.values() for e in errors]
    else:
        changes = _bulk_changes(form, request)
        tags = split_tags(form.cleaned_data["add_tags"])
        if not numbers:
            outcome["errors"] = [_("Select at least one ticket.")]
        elif not changes and not tags:
            outcome["errors"] = [_("Choose a change to apply.")]
        else:
            result, ignored = _apply(request, numbers, changes, tags)
            listing.forget_counts(request.user)
            outcome.update(updated=result.updated, failed=result.failed, ignored=ignored)
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx:
        context = _list_context(request, params)
        context["bulk"] = outcome
        return render(request, "tickets/agent/partials/_list_refresh.html", context)
    _flash(request, outcome)
    return redirect(list_url(dict(params.lists())))


def _flash(request: AuthenticatedHttpRequest, outcome: dict[str, Any]) -> None:
    for error in outcome["errors"]:
        messages.error(request, error)
    if outcome["updated"]:
        count = len(outcome["updated"])
        messages.success(
            request,
            ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", count)
            % {"count": count},
        )
    for number, reason in outcome["failed"].items():
        messages.error(request, _("#%(number)d: %(reason)s") % {"number": number, "reason": reason})
    if outcome["ignored"]:
        count = outcome["ignored"]
        messages.warning(
            request,
            ngettext(
                "%(count)d selected ticket could not be found.",
                "%(count)d selected tickets could not be found.",
                count,
            )
            % {"count": count},
        )
