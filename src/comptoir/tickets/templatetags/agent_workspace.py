"""The workspace sidebar's ticket views: built-in views with their counts, saved views."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from comptoir.tickets import listing
from comptoir.tickets.models import Ticket
from comptoir.tickets.rows import RowRenderer
from comptoir.tickets.views.agent import list_url

register = template.Library()


@register.inclusion_tag("tickets/agent/partials/_sidebar_views.html", takes_context=True)
def agent_ticket_views(context: template.Context, oob: bool = False) -> dict[str, Any]:
    """At most two queries whatever the number of views: one aggregate for every count
    (kept briefly, see ``listing.sidebar_counts``), one for the saved views (none when
    the list page already read them)."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated or not user.is_agent:
        return {"show": False}
    saved_views = context.get("saved_views")
    if saved_views is None:
        saved_views = listing.saved_views_of(user)
    counts = listing.sidebar_counts(user)
    # On the list page the links swap the list in place; elsewhere they navigate.
    on_list = "view_key" in context
    current = context.get("view_key") if on_list else None
    builtins = [
        {
            "key": view.key,
            "label": view.label,
            "count": counts.get(view.key),
            "url": list_url({"view": view.key}),
            "current": view.key == current,
        }
        for view in listing.BUILTIN_VIEWS
    ]
    saved = [
        {
            "key": f"saved-{view.pk}",
            "label": view.name,
            "shared": view.shared,
            "mine": view.owner_id == user.pk,
            "url": list_url({"view": f"saved-{view.pk}"}),
            "current": f"saved-{view.pk}" == current,
        }
        for view in saved_views
    ]
    return {"show": True, "builtins": builtins, "saved": saved, "on_list": on_list, "oob": oob}


@register.simple_tag
def ticket_rows(tickets: list[Ticket], columns: list[listing.Column]) -> SafeString:
    """The ``<tr>`` of a list page's tickets (see ``tickets/rows.py``)."""
    return RowRenderer(columns).render(tickets)
