"""Saved views: an agent's own ticket lists, private or shared with every agent.

Only agents keep views; only the owner (or an administrator) changes or deletes one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.events import emit
from comptoir.tickets.exceptions import InvalidInput, NotAllowed
from comptoir.tickets.list_filters import clean_filters
from comptoir.tickets.listing import clean_columns, clean_sort
from comptoir.tickets.models import SavedView

MAX_NAME = 80


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(
            _("Please name the view."), errors={"name": [_("This field is required.")]}
        )
    if len(name) > MAX_NAME:
        raise InvalidInput(
            _("The name is too long."),
            errors={"name": [_("At most %(max)d characters.") % {"max": MAX_NAME}]},
        )
    return name


def _may_change(actor: User, view: SavedView) -> bool:
    return actor.is_active and actor.is_agent and (view.owner_id == actor.pk or actor.is_admin)


def _emit(event_type: str, view: SavedView, *, actor: User | None, source: Source) -> None:
    emit(
        event_type,
        {"saved_view": view.pk, "owner": view.owner.public_id, "shared": view.shared},
        actor_id=actor.pk if actor is not None else None,
        source=source,
    )


def check_create_saved_view(
    actor: User,
    *,
    name: str,
    filters: dict[str, Any],
    sort: str,
    columns: list[str],
    shared: bool,
    source: Source,
) -> SavedView:
    if not actor.is_active or not actor.is_agent:
        raise NotAllowed(_("Only agents can save views."))
    return do_create_saved_view(
        owner=actor,
        name=name,
        filters=filters,
        sort=sort,
        columns=columns,
        shared=shared,
        actor=actor,
        source=source,
    )


def do_create_saved_view(
    *,
    owner: User,
    name: str,
    filters: dict[str, Any],
    sort: str,
    columns: list[str],
    shared: bool,
    actor: User | None,
    source: Source,
) -> SavedView:
    view = SavedView(
        owner=owner,
        name=_clean_name(name),
        filters=clean_filters(filters),
        sort=clean_sort(sort),
        columns=clean_columns(columns),
        shared=shared,
    )
    with transaction.atomic():
        view.save()
        _emit("saved_view.created", view, actor=actor, source=source)
    return view


def check_update_saved_view(
    actor: User, view: SavedView, *, source: Source, **changes: Any
) -> SavedView:
    if not _may_change(actor, view):
        raise NotAllowed(_("Only the owner of a view or an administrator can change it."))
    return do_update_saved_view(view, actor=actor, source=source, **changes)


def do_update_saved_view(
    view: SavedView,
    *,
    actor: User | None,
    source: Source,
    name: str | None = None,
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    columns: list[str] | None = None,
    shared: bool | None = None,
) -> SavedView:
    """Change the given parts of the view (``None`` leaves a part as it is)."""
    if name is not None:
        view.name = _clean_name(name)
    if filters is not None:
        view.filters = clean_filters(filters)
    if sort is not None:
        view.sort = clean_sort(sort)
    if columns is not None:
        view.columns = clean_columns(columns)
    if shared is not None:
        view.shared = shared
    with transaction.atomic():
        view.save()
        _emit("saved_view.updated", view, actor=actor, source=source)
    return view


def check_delete_saved_view(actor: User, view: SavedView, *, source: Source) -> None:
    if not _may_change(actor, view):
        raise NotAllowed(_("Only the owner of a view or an administrator can delete it."))
    do_delete_saved_view(view, actor=actor, source=source)


def do_delete_saved_view(view: SavedView, *, actor: User | None, source: Source) -> None:
    with transaction.atomic():
        _emit("saved_view.deleted", view, actor=actor, source=source)
        view.delete()
