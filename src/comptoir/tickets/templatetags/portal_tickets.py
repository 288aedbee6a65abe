"""Template tags of the customer portal's requests."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.tickets.views.portal import recent_for, shares_with_colleagues

register = template.Library()


@register.inclusion_tag("tickets/portal/partials/_recent.html", takes_context=True)
def recent_requests(context: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """The latest requests of the signed-in customer (and of their organisation when it
    shares), for the portal's home page."""
    user = context["user"]
    if not user.is_authenticated:
        return {"tickets": [], "user": user, "shared": False}
    return {
        "tickets": list(recent_for(user, limit)),
        "user": user,
        "shared": shares_with_colleagues(user),
    }
