"""Cursor pagination for API lists: ``{"items": [...], "next_cursor": "..."}``.

Clients pass ``next_cursor`` back as ``cursor`` until it is ``null``. The cursor is
opaque: it wraps the sort keys of the last item (``core.pagination``), so a page costs
the same at any depth and rows added meanwhile never shift the walk.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from comptoir.api.errors import ApiError
from comptoir.core.exceptions import InvalidInput
from comptoir.core.pagination import MAX_PAGE_SIZE, Page, decode_cursor, keyset_page

T = TypeVar("T", bound=Model)
DEFAULT_LIMIT = 50


class PageParams(Schema):
    cursor: str | None = Field(
        None, description="The `next_cursor` of the previous page; omit for the first page."
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 200)."
    )


# Integers a database column can hold; a cursor beyond that was not made by us.
_BIGINT = 2**63


def _check_cursor(cursor: str, order: tuple[str, ...], model: type[Model]) -> None:
    for value in decode_cursor(cursor, order, model):
        if isinstance(value, bool) or not isinstance(value, int | str | datetime.datetime):
            raise TypeError(value)
        if isinstance(value, int) and not -_BIGINT < value < _BIGINT:
            raise OverflowError(value)


def paginate(
    queryset: QuerySet[T], *, order: tuple[str, ...], cursor: str | None, limit: int
) -> Page[T]:
    try:
        if cursor:
            _check_cursor(cursor, order, queryset.model)
        return keyset_page(queryset, order=order, cursor=cursor, size=limit)
    except (InvalidInput, ValueError, TypeError, OverflowError, ValidationError) as exc:
        # A cursor that does not decode (or decodes to values of the wrong type) is a
        # malformed request, not a field for the user to correct.
        raise ApiError(
            400,
            "bad_cursor",
            _("This cursor is not valid for this list."),
            fields={"cursor": [_("This cursor is not valid for this list.")]},
        ) from exc
