"""Server-side validation of a category's custom fields."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from comptoir.tickets.choices import FieldKind
from comptoir.tickets.exceptions import InvalidInput
from comptoir.tickets.models import Category, CustomField

MAX_TEXT = 2000


def field_error_key(field: CustomField) -> str:
    """The key under which forms and the API report an error for ``field``."""
    return f"cf_{field.key}"


def clean_custom_fields(category: Category | None, values: dict[str, Any]) -> dict[str, Any]:
    """Return the values stored for ``category``, normalised; refuse unknown keys, missing
    required values and values of the wrong kind, listing every fault at once."""
    if category is None:
        if values:
            raise InvalidInput(
                _("Custom fields need a category."),
                errors={"custom_fields": [_("Choose a category first.")]},
            )
        return {}
    fields = {field.key: field for field in category.fields.all()}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        errors["custom_fields"] = [
            _("Unknown field for this category: %(keys)s.") % {"keys": ", ".join(unknown)}
        ]
    cleaned: dict[str, Any] = {}
    for key, field in fields.items():
        raw = values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                errors[field_error_key(field)] = [
                    _("%(label)s is required.") % {"label": field.display_label}
                ]
            continue
        try:
            cleaned[key] = _clean_value(field, raw)
        except ValueError as exc:
            errors[field_error_key(field)] = [str(exc)]
    if errors:
        raise InvalidInput(_("Some fields need attention."), errors=errors)
    return cleaned


def _clean_value(field: CustomField, raw: Any) -> Any:
    label = field.display_label
    if field.kind == FieldKind.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(
                _("%(label)s is too long (at most %(max)d characters).")
                % {"label": label, "max": MAX_TEXT}
            )
        return text
    if field.kind == FieldKind.NUMBER:
        if isinstance(raw, bool):
            raise ValueError(_("%(label)s must be a number.") % {"label": label})
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("%(label)s must be a number.") % {"label": label}) from None
        if not number.is_finite():
            raise ValueError(_("%(label)s must be a number.") % {"label": label})
        return int(number) if number == number.to_integral_value() else str(number)
    if field.kind == FieldKind.CHOICE:
        value = str(raw)
        if value not in {option for option, _label in field.choice_options()}:
            raise ValueError(_("%(label)s: choose one of the options.") % {"label": label})
        return value
    if field.kind == FieldKind.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError(
                _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}
            ) from None
    raise ValueError(_("%(label)s has an unknown kind.") % {"label": label})
