"""Filters of ticket lists, as saved views store them (``SavedView.filters``).

Keys name what they filter; people, teams, organisations and products are stored by
public id, categories by id, dates as ``YYYY-MM-DD``. ``clean_filters`` normalises a
mapping and refuses what it does not know; ``filters_condition`` turns it into a query
condition for the agent looking at the list.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import Team, User
from comptoir.core.exceptions import InvalidInput
from comptoir.tickets.choices import Channel, Priority, Status, TicketType
from comptoir.tickets.models import Ticket


def my_teams(user: User) -> Any:
    """The ids of the user's teams, as a subquery."""
    return Team.objects.filter(members=user).values("pk")


# Each filter key and the kind of value it holds.
FILTER_KEYS = (
    "q", "status", "priority", "type", "category", "product", "assignee", "team", "requester",
    "organisation", "tag", "channel", "created_after", "created_before",
)  # fmt: skip
MULTI_VALUE = frozenset({"status", "priority"})
MAX_TEXT = 200


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some filters need attention."), errors={field: [message]})


def clean_filters(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise a filters mapping (as stored in ``SavedView.filters``): known keys only,
    values of the right kind; empty values are dropped. Refers to rows by public id
    (people, teams, organisations, products) or id (categories) without checking they
    still exist: a filter on a removed row simply matches nothing."""
    unknown = sorted(set(raw) - set(FILTER_KEYS))
    if unknown:
        raise _invalid("filters", _("Unknown filter: %(keys)s.") % {"keys": ", ".join(unknown)})
    cleaned: dict[str, Any] = {}
    choices = {"status": Status, "priority": Priority}
    for key in MULTI_VALUE:
        values = raw.get(key) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _invalid(key, _("Choose among the listed values."))
        allowed = set(choices[key].values)
        if set(values) - allowed:
            raise _invalid(key, _("Choose among the listed values."))
        if values:
            cleaned[key] = [value for value in choices[key].values if value in values]
    single = {
        "type": set(TicketType.values),
        "channel": set(Channel.values),
    }
    for key, allowed in single.items():
        value = raw.get(key)
        if value in (None, ""):
            continue
        if value not in allowed:
            raise _invalid(key, _("Choose among the listed values."))
        cleaned[key] = value
    category: Any = raw.get("category")
    if category not in (None, ""):
        try:
            cleaned["category"] = int(category)
        except (TypeError, ValueError):
            raise _invalid("category", _("Choose among the listed values.")) from None
    for key in ("product", "assignee", "team", "requester", "organisation", "tag", "q"):
        value = raw.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise _invalid(key, _("This value is not valid."))
        value = value.strip()
        if value:
            cleaned[key] = value
    for key in ("created_after", "created_before"):
        value = raw.get(key)
        if value in (None, ""):
            continue
        try:
            cleaned[key] = datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _invalid(key, _("Enter a date as YYYY-MM-DD.")) from None
    return cleaned


def _start_of(day: str) -> datetime.datetime:
    """Midnight of ``day`` in the viewer's time zone."""
    date = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def filters_condition(filters: Mapping[str, Any], user: User) -> Q:
    """The condition a cleaned filters mapping stands for. ``me``, ``mine`` and ``nobody``
    are read for the user looking at the list, so a shared view works for everyone."""
    condition = Q()
    if filters.get("status"):
        condition &= Q(status__in=filters["status"])
    if filters.get("priority"):
        condition &= Q(priority__in=filters["priority"])
    if filters.get("type"):
        condition &= Q(type=filters["type"])
    if filters.get("channel"):
        condition &= Q(channel=filters["channel"])
    if filters.get("category"):
        condition &= Q(category_id=filters["category"])
    if filters.get("product"):
        condition &= Q(product__public_id=filters["product"])
    assignee = filters.get("assignee")
    if assignee == "me":
        condition &= Q(assignee=user)
    elif assignee == "nobody":
        condition &= Q(assignee__isnull=True)
    elif assignee:
        condition &= Q(assignee__in=User.objects.filter(public_id=assignee).values("pk"))
    team = filters.get("team")
    if team == "mine":
        condition &= Q(team__in=my_teams(user))
    elif team == "none":
        condition &= Q(team__isnull=True)
    elif team:
        condition &= Q(team__in=Team.objects.filter(public_id=team).values("pk"))
    if filters.get("requester"):
        condition &= Q(
            requester__in=User.objects.filter(public_id=filters["requester"]).values("pk")
        )
    if filters.get("organisation"):
        condition &= Q(organisation__public_id=filters["organisation"])
    if filters.get("tag"):
        tagged = Ticket.tags.through.objects.filter(tag__name=filters["tag"])
        condition &= Q(pk__in=tagged.values("ticket_id"))
    if filters.get("created_after"):
        condition &= Q(created_at__gte=_start_of(filters["created_after"]))
    if filters.get("created_before"):
        condition &= Q(created_at__lt=_start_of(filters["created_before"]))
    return condition
