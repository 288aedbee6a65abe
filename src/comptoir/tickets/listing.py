"""Ticket lists of the agent workspace: built-in views, sorts, columns, paging.

A list is ``tickets_visible_to(user)`` (or ``search_tickets`` when there is text), narrowed
by a view's condition and filters (``list_filters``), sorted by a non-null key ending with
the id, and read a page at a time with keyset pagination (``list_page``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Case, Count, DateTimeField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.accounts.models import User
from comptoir.core import reference
from comptoir.core.exceptions import InvalidInput
from comptoir.core.pagination import (
    Page,
    after_condition,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from comptoir.tickets.choices import PRIORITY_RANK, UNSOLVED, Priority, Status
from comptoir.tickets.list_filters import filters_condition, my_teams
from comptoir.tickets.models import SavedView, Ticket
from comptoir.tickets.queries import tickets_visible_to
from comptoir.tickets.search import search_tickets

RECENT_DAYS = 7
# Sorting by due date puts tickets without one last.
NO_DUE_DATE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


# --- Built-in views -------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltinView:
    key: str
    label: Promise
    counted: bool = True


BUILTIN_VIEWS: tuple[BuiltinView, ...] = (
    BuiltinView("mine", gettext_lazy("My tickets")),
    BuiltinView("unassigned", gettext_lazy("Unassigned")),
    BuiltinView("my_teams", gettext_lazy("My teams' tickets")),
    BuiltinView("open", gettext_lazy("All open")),
    BuiltinView("pending", gettext_lazy("Pending")),
    BuiltinView("recent", gettext_lazy("Recently updated")),
    # Solved and closed tickets only grow: counting them would scan the archive.
    BuiltinView("solved", gettext_lazy("Solved"), counted=False),
)
BUILTINS = {view.key: view for view in BUILTIN_VIEWS}
DEFAULT_VIEW = "mine"


def builtin_condition(key: str, user: User, now: datetime.datetime | None = None) -> Q:
    """What a built-in view selects, on top of what the user may see."""
    now = now or timezone.now()
    unsolved = Q(status__in=UNSOLVED)
    if key == "mine":
        return Q(assignee=user) & unsolved
    if key == "unassigned":
        return (
            Q(assignee__isnull=True)
            & unsolved
            & (Q(team__isnull=True) | Q(team__in=my_teams(user)))
        )
    if key == "my_teams":
        return unsolved & Q(team__in=my_teams(user))
    if key == "open":
        return unsolved
    if key == "pending":
        return Q(status=Status.PENDING)
    if key == "recent":
        return Q(updated_at__gte=now - datetime.timedelta(days=RECENT_DAYS))
    if key == "solved":
        return Q(status__in=(Status.SOLVED, Status.CLOSED))
    raise KeyError(key)


def builtin_counts(user: User, now: datetime.datetime | None = None) -> dict[str, int]:
    """The size of every counted built-in view, in one aggregate query.

    Only unsolved tickets and the solved or closed ones changed this week can count; the
    WHERE clause says so status by status, which lets the database read them through the
    (status, updated_at) index instead of scanning every ticket the agent may see."""
    now = now or timezone.now()
    counted = [view.key for view in BUILTIN_VIEWS if view.counted]
    conditions = {key: builtin_condition(key, user, now) for key in counted}
    since = now - datetime.timedelta(days=RECENT_DAYS)
    reach = Q(status__in=UNSOLVED)
    for status in (Status.SOLVED, Status.CLOSED):
        reach |= Q(status=status, updated_at__gte=since)
    row = (
        tickets_visible_to(user)
        .filter(reach)
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    return {key: int(row[key] or 0) for key in counted}


# The sidebar shows the counts on every page. An agent's counts are fresh this long; older
# ones are still shown (up to COUNTS_KEPT_SECONDS) while a task counts again, because
# counting takes ~0.4 s at a million tickets on SQLite and no page should wait for it.
# They are forgotten, and counted on the spot, as soon as the agent changes a ticket.
COUNTS_SECONDS = 30
COUNTS_KEPT_SECONDS = 600


def _counts_key(user: User) -> str:
    return f"comptoir:ticket-counts:{user.public_id}"


def _recount_key(user: User) -> str:
    return f"comptoir:ticket-recount:{user.public_id}"


def sidebar_counts(user: User) -> dict[str, int]:
    cached: dict[str, Any] | None = cache.get(_counts_key(user))
    if cached is None:
        return count_now(user)
    if time.time() - cached["at"] > COUNTS_SECONDS and cache.add(
        _recount_key(user), True, COUNTS_SECONDS
    ):
        enqueue_recount(user)
    return dict(cached["counts"])


def enqueue_recount(user: User) -> None:
    from comptoir.tickets.tasks import recount_tickets

    recount_tickets.enqueue(user.pk)


def count_now(user: User) -> dict[str, int]:
    """Count the agent's views and keep the counts."""
    counts = builtin_counts(user)
    cache.set(_counts_key(user), {"counts": counts, "at": time.time()}, COUNTS_KEPT_SECONDS)
    cache.delete(_recount_key(user))
    return counts


def forget_counts(user: User) -> None:
    cache.delete(_counts_key(user))


# --- Sorts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    key: str
    label: Promise
    order: tuple[str, ...]


SORTS: tuple[Sort, ...] = (
    Sort("-updated_at", gettext_lazy("Last updated first"), ("-updated_at", "-id")),
    Sort("updated_at", gettext_lazy("Least recently updated first"), ("updated_at", "id")),
    Sort("-created_at", gettext_lazy("Newest first"), ("-created_at", "-id")),
    Sort("created_at", gettext_lazy("Oldest first"), ("created_at", "id")),
    # Within a priority, the last updated first: the index gives that order for free.
    Sort(
        "-priority",
        gettext_lazy("Highest priority first"),
        ("-priority_rank", "-updated_at", "-id"),
    ),
    Sort("due", gettext_lazy("Due soonest first"), ("due_sort", "-id")),
    Sort("-number", gettext_lazy("Highest number first"), ("-number", "-id")),
    Sort("number", gettext_lazy("Lowest number first"), ("number", "id")),
)
SORTS_BY_KEY = {sort.key: sort for sort in SORTS}
DEFAULT_SORT = "-updated_at"


def priority_rank() -> Case:
    return Case(
        *[When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()],
        default=Value(-1),
        output_field=IntegerField(),
    )


def due_sort() -> Coalesce:
    return Coalesce("due_at", Value(NO_DUE_DATE), output_field=DateTimeField())


def apply_sort_annotations(tickets: QuerySet[Ticket], sort: Sort) -> QuerySet[Ticket]:
    """Annotate the non-null key a sort needs (keyset pagination cannot page over NULL)."""
    names = {name.lstrip("-") for name in sort.order}
    if "priority_rank" in names:
        tickets = tickets.annotate(priority_rank=priority_rank())
    if "due_sort" in names:
        tickets = tickets.annotate(due_sort=due_sort())
    return tickets


# --- Columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    related: str | None = None  # the relation to select with the row
    fields: tuple[str, ...] = ()  # what ``.only()`` must keep for it
    sort: str | None = None  # the sort its header toggles
    clip: bool = False  # long names are cut to one line (the cell's title has them whole)


COLUMNS: tuple[Column, ...] = (
    Column("number", gettext_lazy("Number"), fields=("number",), sort="-number"),
    Column("subject", gettext_lazy("Subject"), fields=("subject",)),
    Column(
        "requester", gettext_lazy("Requester"), "requester",
        ("requester__full_name", "requester__email"), clip=True,
    ),
    Column(
        "organisation", gettext_lazy("Organisation"), "organisation", ("organisation__name",),
        clip=True,
    ),
    Column("status", gettext_lazy("Status"), fields=("status",)),
    Column("priority", gettext_lazy("Priority"), fields=("priority",), sort="-priority"),
    Column("type", gettext_lazy("Type"), fields=("type",)),
    Column(
        "category", gettext_lazy("Category"), "category", ("category__name", "category__name_fr"),
        clip=True,
    ),
    Column(
        "assignee", gettext_lazy("Assignee"), "assignee",
        ("assignee__full_name", "assignee__email"), clip=True,
    ),
    Column("team", gettext_lazy("Team"), "team", ("team__name",), clip=True),
    Column("updated", gettext_lazy("Updated"), fields=("updated_at",), sort="-updated_at"),
    Column("created", gettext_lazy("Created"), fields=("created_at",), sort="-created_at"),
    Column("due", gettext_lazy("Due"), fields=("due_at",), sort="due"),
)  # fmt: skip
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = (
    "number", "subject", "requester", "status", "priority", "assignee", "team", "updated",
)  # fmt: skip


def columns_for(keys: list[str] | tuple[str, ...]) -> list[Column]:
    chosen = [COLUMNS_BY_KEY[key] for key in keys if key in COLUMNS_BY_KEY]
    return chosen or [COLUMNS_BY_KEY[key] for key in DEFAULT_COLUMNS]


def list_queryset(tickets: QuerySet[Ticket], columns: list[Column], sort: Sort) -> QuerySet[Ticket]:
    """Select what the shown columns need and nothing else; tags in one prefetch."""
    related = [column.related for column in columns if column.related]
    # Always kept: what a row links to, its status cue, and the sort keys.
    fields = {"id", "number", "subject", "status", "priority", "updated_at", "created_at", "due_at"}
    for column in columns:
        fields.update(column.fields)
    if related:
        tickets = tickets.select_related(*related)
    return apply_sort_annotations(tickets.only(*sorted(fields)), sort)


def attach_tag_names(tickets: list[Ticket]) -> None:
    """Give each ticket ``tag_names``, sorted, in one query: a page's rows show their tags,
    and Django's ``prefetch_related`` built a manager and a model per tag, 2.4 ms a page."""
    names: dict[int, list[str]] = {ticket.pk: [] for ticket in tickets}
    if names:
        links = Ticket.tags.through.objects.filter(ticket_id__in=list(names))
        for ticket_id, name in links.order_by("tag__name").values_list("ticket_id", "tag__name"):
            names[ticket_id].append(name)
    for ticket in tickets:
        ticket.tag_names = names[ticket.pk]  # type: ignore[attr-defined]


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some fields need attention."), errors={field: [message]})


def clean_sort(value: str | None) -> str:
    if value in (None, ""):
        return DEFAULT_SORT
    if value not in SORTS_BY_KEY:
        raise _invalid("sort", _("Choose among the listed values."))
    return value


def clean_columns(values: list[str] | tuple[str, ...] | None) -> list[str]:
    values = list(values or [])
    if not all(isinstance(value, str) for value in values):
        raise _invalid("columns", _("Choose among the listed values."))
    if set(values) - set(COLUMNS_BY_KEY):
        raise _invalid("columns", _("Choose among the listed values."))
    if "number" not in values and "subject" not in values:
        raise _invalid("columns", _("Show at least the number or the subject."))
    return [column.key for column in COLUMNS if column.key in values]


# --- Putting a list together --------------------------------------------------------------


@dataclass(frozen=True)
class ListSpec:
    """What one list shows: the view it comes from, extra filters, sort and columns."""

    builtin: str | None
    saved: SavedView | None
    filters: dict[str, Any]
    sort: Sort
    columns: list[Column]


def base_tickets(user: User | AnonymousUser, text: str) -> QuerySet[Ticket]:
    text = text.strip()
    return search_tickets(user, text) if text else tickets_visible_to(user)


def _text(spec: ListSpec, extra: Mapping[str, Any]) -> str:
    saved = spec.saved.filters.get("q", "") if spec.saved is not None else ""
    return " ".join(part for part in (saved, extra.get("q", "")) if part)


def filtered_tickets(spec: ListSpec, user: User, extra: Mapping[str, Any]) -> QuerySet[Ticket]:
    """The tickets of a list, scoped and filtered, in no particular order. The saved view's
    filters and the extra ones all apply, even two on the same key."""
    saved = {k: v for k, v in (spec.saved.filters if spec.saved else {}).items() if k != "q"}
    more = {k: v for k, v in extra.items() if k != "q"}
    tickets = base_tickets(user, _text(spec, extra))
    if spec.builtin is not None:
        tickets = tickets.filter(builtin_condition(spec.builtin, user))
    return tickets.filter(filters_condition(saved, user)).filter(filters_condition(more, user))


def spec_tickets(spec: ListSpec, user: User, extra: Mapping[str, Any]) -> QuerySet[Ticket]:
    """The queryset of a list, ready to page with ``spec.sort.order``."""
    return list_queryset(filtered_tickets(spec, user, extra), spec.columns, spec.sort)


# What a built-in view means, as far as saved-view filters can say it.
BUILTIN_FILTERS: dict[str, dict[str, Any]] = {
    "mine": {"assignee": "me"},
    "unassigned": {"assignee": "nobody"},
    "my_teams": {"team": "mine"},
}


def starting_filters(spec: ListSpec, extra: Mapping[str, Any]) -> dict[str, Any]:
    """Filters for a new saved view opened from a list: the list's view, then what the
    agent filtered on top (the extra filters win)."""
    filters: dict[str, Any] = {}
    if spec.builtin is not None:
        filters.update(BUILTIN_FILTERS.get(spec.builtin, {}))
    if spec.saved is not None:
        filters.update(spec.saved.filters)
    filters.update(extra)
    statuses = statuses_of(spec, extra)
    if statuses != list(Status.values):
        filters["status"] = statuses
    return filters


# --- Paging -------------------------------------------------------------------------------

# The statuses each built-in view can hold.
BUILTIN_STATUSES: dict[str, frozenset[str]] = {
    "mine": frozenset(UNSOLVED),
    "unassigned": frozenset(UNSOLVED),
    "my_teams": frozenset(UNSOLVED),
    "open": frozenset(UNSOLVED),
    "pending": frozenset({Status.PENDING}),
    "recent": frozenset(Status.values),
    "solved": frozenset({Status.SOLVED, Status.CLOSED}),
}
# Sorts an index serves once the status is fixed: (status, updated_at, id) for the last
# update (and, for the priority sort, once the priority is fixed too: within one priority
# it is by last update); (status, due_at, -id) for the due date.
MERGED_SORTS = frozenset({"-updated_at", "updated_at", "-priority", "due"})


def statuses_of(spec: ListSpec, extra: Mapping[str, Any]) -> list[str]:
    """The statuses a list can show, given its view and every status filter on it."""
    allowed = set(Status.values)
    if spec.builtin is not None:
        allowed &= BUILTIN_STATUSES[spec.builtin]
    for filters in (spec.saved.filters if spec.saved else {}, extra):
        if filters.get("status"):
            allowed &= set(filters["status"])
    return [status for status in Status.values if status in allowed]


def priorities_of(spec: ListSpec, extra: Mapping[str, Any]) -> list[str]:
    allowed = set(Priority.values)
    for filters in (spec.saved.filters if spec.saved else {}, extra):
        if filters.get("priority"):
            allowed &= set(filters["priority"])
    return [priority for priority in Priority.values if priority in allowed]


@dataclass(frozen=True)
class _Part:
    """One range of the list read in index order: ``condition`` fixes the status (and the
    priority, or whether there is a due date), ``fixed`` holds the sort keys that are
    constant over it, ``order`` the rest of the sort key, ending with the id."""

    condition: Q
    fixed: tuple[Any, ...]
    order: tuple[str, ...]


def _parts(spec: ListSpec, extra: Mapping[str, Any]) -> list[_Part]:
    statuses = statuses_of(spec, extra)
    if spec.sort.key == "due":
        # Tickets with a due date first, soonest first; then those without, whose sort key
        # is ``NO_DUE_DATE``. Newest first among equals, in both.
        return [
            part
            for status in statuses
            for part in (
                _Part(Q(status=status, due_at__isnull=False), (), ("due_at", "-id")),
                _Part(Q(status=status, due_at__isnull=True), (NO_DUE_DATE,), ("-id",)),
            )
        ]
    order = ("-updated_at", "-id") if spec.sort.order[0].startswith("-") else ("updated_at", "id")
    if spec.sort.key != "-priority":
        return [_Part(Q(status=status), (), order) for status in statuses]
    return [
        _Part(Q(status=status, priority=priority), (PRIORITY_RANK[Priority(priority)],), order)
        for priority in priorities_of(spec, extra)
        for status in statuses
    ]


def _part_cursor(part: _Part, after: list[Any] | None, descending: bool) -> tuple[bool, list[Any]]:
    """Whether the part still has rows after the global cursor, and after which values of
    its own ``order`` (none: from its start)."""
    if after is None:
        return True, []
    fixed, rest = tuple(after[: len(part.fixed)]), after[len(part.fixed) :]
    if fixed == part.fixed:
        return True, rest
    before = part.fixed > fixed if descending else part.fixed < fixed
    return not before, []


def _read_part(
    tickets: QuerySet[Ticket], part: _Part, rest: list[Any], size: int
) -> tuple[list[tuple[Any, ...]], bool]:
    """The sort keys of one page of a range (its last key is the id), in the order of the
    index that holds it, and whether the range goes on. Only the keys are read, as tuples:
    the index answers alone, and no model is built for the rows the merge drops."""
    names = [name.lstrip("-") for name in part.order]
    tickets = tickets.filter(part.condition)
    if part.order != ("-id",):
        if rest:
            tickets = tickets.filter(after_condition(part.order, rest))
        tickets = tickets.order_by(*part.order)
    else:
        # Only the id is left to sort the tickets without a due date by. They are read in
        # the order (due_at, -id) all the same, all NULL: PostgreSQL does not take
        # ``due_at IS NULL`` as fixing the date, and would walk the primary key instead of
        # the (status, due_at, -id) index.
        if rest:
            tickets = tickets.filter(pk__lt=rest[0])
        tickets = tickets.order_by("due_at", "-id")
    rows = list(tickets.values_list(*names)[: size + 1])
    return rows[:size], len(rows) > size


def _in_order(found: list[tuple[tuple[Any, ...], int]], order: tuple[str, ...]) -> None:
    """Sort the merged rows by their keys, each key in its own direction (the due date
    rises while the id falls): one stable sort per key, the last key first."""
    for index in reversed(range(len(order))):
        found.sort(key=lambda pair: pair[0][index], reverse=order[index].startswith("-"))


def list_page(
    spec: ListSpec, user: User, extra: Mapping[str, Any], *, cursor: str | None, size: int
) -> Page[Ticket]:
    """One page of a list, in a constant number of queries.

    ``status IN (...) ORDER BY updated_at`` cannot be read in order from the index on
    (status, updated_at, id), nothing indexes a priority's rank, and nothing indexes a due
    date that puts the undated last: the database would sort every matching ticket, which
    at a million tickets takes seconds. So for those sorts each status (and priority, or
    with and without a due date) is paged on its own, an ordered range of an index that
    stops after one page; the pages are merged here, and the rows of the merged page are
    then read with what the columns show: one query per range, one for the rows, one for
    their tags. Other sorts, and searches, are one keyset page of the whole list."""
    page = _list_page(spec, user, extra, cursor=cursor, size=size)
    attach_tag_names(page.items)
    return page


def _list_page(
    spec: ListSpec, user: User, extra: Mapping[str, Any], *, cursor: str | None, size: int
) -> Page[Ticket]:
    tickets = filtered_tickets(spec, user, extra)
    shaped = list_queryset(tickets, spec.columns, spec.sort)
    order = spec.sort.order
    if spec.sort.key not in MERGED_SORTS or _text(spec, extra):
        return keyset_page(shaped, order=order, cursor=cursor, size=size)
    descending = order[0].startswith("-")
    annotations = {"priority_rank": priority_rank(), "due_sort": due_sort()}
    after = decode_cursor(cursor, order, Ticket, annotations) if cursor else None
    found: list[tuple[tuple[Any, ...], int]] = []
    more = False
    parts = sorted(_parts(spec, extra), key=lambda part: part.fixed, reverse=descending)
    for index, part in enumerate(parts):
        if index and part.fixed != parts[index - 1].fixed and len(found) > size:
            break  # every row of the groups read so far comes before this group's rows
        wanted, rest = _part_cursor(part, after, descending)
        if not wanted:
            continue
        keys, part_more = _read_part(tickets, part, rest, size)
        found += [((*part.fixed, *row), row[-1]) for row in keys]
        more = more or part_more
    _in_order(found, order)
    chosen, more = found[:size], more or len(found) > size
    ids = [pk for _key, pk in chosen]
    rows = {t.pk: t for t in shaped.filter(pk__in=ids).order_by()} if ids else {}
    items = [rows[pk] for pk in ids if pk in rows]
    next_cursor = encode_cursor(list(chosen[-1][0])) if more and chosen else None
    return Page(items=items, next_cursor=next_cursor, size=size)


def saved_views_visible_to(user: User | AnonymousUser) -> QuerySet[SavedView]:
    """An agent's own views and the views others shared; customers have none."""
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def saved_views_of(user: User) -> list[SavedView]:
    """``saved_views_visible_to`` as a list, kept between requests for agents (an agent's
    views depend on who they are only; any saved view's change moves the reference
    generation)."""
    views = saved_views_visible_to(user)
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return list(views)
    return reference.cached(f"saved-views:{user.pk}", lambda: list(views))


def resolve_spec(
    key: str, user: User, *, sort: str | None = None, views: list[SavedView] | None = None
) -> ListSpec | None:
    """The list named ``key``: a built-in view, or ``saved-<id>`` for a saved one the user
    may use (``views``, when the caller already read them). ``None`` when there is none."""
    saved: SavedView | None = None
    if key in BUILTINS:
        builtin: str | None = key
    elif key.startswith("saved-") and key.removeprefix("saved-").isdigit():
        builtin = None
        pk = int(key.removeprefix("saved-"))
        if views is not None:
            saved = next((view for view in views if view.pk == pk), None)
        else:
            saved = saved_views_visible_to(user).filter(pk=pk).first()
        if saved is None:
            return None
    else:
        return None
    chosen = sort if sort in SORTS_BY_KEY else (saved.sort if saved else DEFAULT_SORT)
    return ListSpec(
        builtin=builtin,
        saved=saved,
        filters=dict(saved.filters) if saved else {},
        sort=SORTS_BY_KEY.get(chosen or DEFAULT_SORT, SORTS_BY_KEY[DEFAULT_SORT]),
        columns=columns_for(saved.columns if saved else DEFAULT_COLUMNS),
    )
