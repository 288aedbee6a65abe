"""Keyset (cursor) pagination: constant cost per page at any depth, unlike OFFSET.

A cursor is the sort-key values of the last row shown, encoded opaquely. The order must
end with a unique field (``id``) so that every row has exactly one place.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from comptoir.core.exceptions import InvalidInput

T = TypeVar("T", bound=Model)
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    size: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str,
    order: tuple[str, ...],
    model: type[Model],
    annotations: Mapping[str, Any] | None = None,
) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != len(order):
        raise _invalid()
    decoded = []
    for name, value in zip(order, values, strict=True):
        if field_type(name.lstrip("-"), model, annotations or {}) == "DateTimeField" and (
            value is not None
        ):
            parsed = parse_datetime(str(value))
            if parsed is None:
                raise _invalid()
            value = parsed
        decoded.append(value)
    return decoded


def field_type(name: str, model: type[Model], annotations: Mapping[str, Any]) -> str:
    """The internal type of a sort key: a model field, or an annotation (a ``Coalesce``
    that makes a nullable date sortable, a ``Case`` that ranks choices)."""
    if name in annotations:
        return str(annotations[name].output_field.get_internal_type())
    field = model._meta.get_field(name)
    internal = getattr(field, "get_internal_type", None)
    return str(internal()) if internal is not None else ""


def _invalid() -> InvalidInput:
    return InvalidInput(
        _("Invalid cursor."), errors={"cursor": [_("This cursor is not valid for this list.")]}
    )


def after_condition(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``: (a > x) or (a = x and b > y) or ...
    Sort fields must not be NULL (annotate a ``Coalesce`` for nullable ones)."""
    condition = Q(pk__in=[])
    for index, name in enumerate(order):
        field = name.lstrip("-")
        lookup = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{field}__{lookup}": values[index]})
        for previous, value in zip(order[:index], values[:index], strict=True):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    # The same rows, with a bound on the first key an index can seek to: planners do not
    # always see one through the OR.
    first = order[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if order[0].startswith('-') else 'gte'}": values[0]})
    return bound & condition


def keyset_page(
    queryset: QuerySet[T], *, order: tuple[str, ...], cursor: str | None = None, size: int = 50
) -> Page[T]:
    """One page of ``queryset`` in ``order``, after ``cursor``; fetches one row extra to
    know whether another page follows."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    queryset = queryset.order_by(*order)
    if cursor:
        values = decode_cursor(cursor, order, queryset.model, queryset.query.annotations)
        queryset = queryset.filter(after_condition(order, values))
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, name.lstrip("-")) for name in order])
    return Page(items=items, next_cursor=next_cursor, size=size)
