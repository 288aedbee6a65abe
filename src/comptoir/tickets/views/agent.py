"""The agent workspace: what its pages share, and the saved-view editor.

Lists and bulk actions live in ``agent_list``, the ticket page in ``agent_ticket``.
Every page is for agents only: anonymous visitors go to the sign-in page, customers get
403. Views parse, call one service or query, and render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest
from comptoir.tickets import listing, services
from comptoir.tickets.forms.agent import SavedViewForm, TicketFilterForm
from comptoir.tickets.models import SavedView

V = TypeVar("V", bound=Callable[..., HttpResponse])


def agent_required(view: V) -> V:
    """Sign-in first; then only agents and administrators get through."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def list_url(params: dict[str, Any] | None = None) -> str:
    url = reverse("agent_tickets:list")
    query = urlencode(params or {}, doseq=True)
    return f"{url}?{query}" if query else url


def _saved_view_or_404(request: AuthenticatedHttpRequest, pk: int) -> SavedView:
    view = listing.saved_views_visible_to(request.user).filter(pk=pk).first()
    if view is None:
        raise Http404
    return view


def _form_payload(form: SavedViewForm) -> dict[str, Any]:
    return {
        "name": form.cleaned_data["name"],
        "filters": form.filters(),
        "sort": form.cleaned_data["sort"],
        "columns": form.cleaned_data["columns"],
        "shared": form.cleaned_data["shared"],
    }


def _add_errors(form: SavedViewForm, exc: DomainError) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    if not exc.errors:
        form.add_error(None, str(exc.message))


def _starting_point(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The editor's initial values when opened from a list (``?view=...&filters``)."""
    user = request.user
    spec = listing.resolve_spec(request.GET.get("view") or "", user, sort=request.GET.get("sort"))
    filters = TicketFilterForm(request.GET, user=user)
    filters.is_valid()  # what is invalid is left out
    extra = filters.filters()
    start = listing.starting_filters(spec, extra) if spec is not None else extra
    initial = SavedViewForm.initial_from(start, user)
    initial["sort"] = spec.sort.key if spec is not None else listing.DEFAULT_SORT
    if spec is not None:
        initial["columns"] = [column.key for column in spec.columns]
    return initial


@agent_required
@require_http_methods(["GET", "POST"])
def saved_view_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new view; opened from a list, it starts from that list's filters and sort."""
    user = request.user
    if request.method == "POST":
        form = SavedViewForm(request.POST, user=user)
        if form.is_valid():
            try:
                view = services.check_create_saved_view(
                    user, **_form_payload(form), source=Source.WEB
                )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
                return redirect(list_url({"view": f"saved-{view.pk}"}))
    else:
        form = SavedViewForm(initial=_starting_point(request), user=user)
    status = 400 if form.errors else 200
    return render(
        request, "tickets/agent/saved_view_form.html", {"form": form, "view": None}, status=status
    )


@agent_required
@require_http_methods(["GET", "POST"])
def saved_view_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    view = _saved_view_or_404(request, pk)
    if view.owner_id != user.pk and not user.is_admin:
        raise PermissionDenied
    if request.method == "POST":
        form = SavedViewForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.check_update_saved_view(
                    user, view, **_form_payload(form), source=Source.WEB
                )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
                return redirect(list_url({"view": f"saved-{view.pk}"}))
    else:
        initial = SavedViewForm.initial_from(view.filters, user)
        initial.update(
            name=view.name,
            sort=view.sort,
            columns=view.columns or list(listing.DEFAULT_COLUMNS),
            shared=view.shared,
        )
        form = SavedViewForm(initial=initial, user=user)
    status = 400 if form.errors else 200
    return render(
        request, "tickets/agent/saved_view_form.html", {"form": form, "view": view}, status=status
    )


@agent_required
@require_POST
def saved_view_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = _saved_view_or_404(request, pk)
    name = view.name
    try:
        services.check_delete_saved_view(request.user, view, source=Source.WEB)
    except DomainError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    messages.success(request, _("The view “%(name)s” was deleted.") % {"name": name})
    return redirect(list_url())
