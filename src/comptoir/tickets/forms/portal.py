"""Forms of the customer portal: a new request, a reply.

The forms parse what the browser sent; the services decide what is valid. Whatever a
service refuses comes back as ``DomainError.errors`` and lands on the field it names
(``subject``, ``cf_<key>``, ``attachments``...) through ``add_domain_errors``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import User
from comptoir.catalog.models import Product
from comptoir.catalog.queries import products_visible_to
from comptoir.core import conf
from comptoir.core.exceptions import DomainError
from comptoir.tickets.attachments import FORBIDDEN_EXTENSIONS
from comptoir.tickets.choices import FieldKind
from comptoir.tickets.fields import field_error_key
from comptoir.tickets.models import Category, CustomField
from comptoir.tickets.services.lifecycle import MAX_BODY, MAX_SUBJECT

MARKDOWN_HELP = _(
    "You can use Markdown: **bold**, *italic*, `code`, lists and [links](https://example.com)."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the services check them, not the form."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


def attachments_help() -> str:
    settings = conf.get()
    return gettext(
        "Up to %(count)d files, %(size)s each at most. Programs, scripts and web pages are refused."
    ) % {"count": settings.max_attachments, "size": filesizeformat(settings.max_upload_bytes)}


def attachments_field() -> MultipleFileField:
    settings = conf.get()
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=attachments_help(),
        widget=MultipleFileInput(
            attrs={
                "multiple": True,
                "data-max-bytes": settings.max_upload_bytes,
                "data-max-files": settings.max_attachments,
                "data-forbidden": " ".join(sorted(FORBIDDEN_EXTENSIONS)),
            }
        ),
    )


def custom_form_field(field: CustomField) -> forms.Field:
    """The form field for a category's custom field. Values stay raw text: the service
    (``tickets.fields.clean_custom_fields``) normalises and validates them."""
    common: dict[str, Any] = {
        "label": field.display_label,
        "required": field.required,
        "help_text": field.display_help_text,
    }
    if field.kind == FieldKind.CHOICE:
        options = [("", gettext("Choose…")), *field.choice_options()]
        return forms.ChoiceField(choices=options, **common)
    if field.kind == FieldKind.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if field.kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=2000, **common)


class DomainErrorsMixin:
    """Put a service's refusal on the fields it names, and the rest above the form."""

    def add_domain_errors(self, exc: DomainError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        on_fields = {name: errors for name, errors in exc.errors.items() if name in form.fields}
        elsewhere = [str(m) for name, ms in exc.errors.items() if name not in on_fields for m in ms]
        # Above the form: the service's own message, unless it only repeats the field
        # errors (refused files), then whatever names no field of this form.
        repeated = " ".join(str(m) for ms in on_fields.values() for m in ms)
        if on_fields and not elsewhere and str(exc.message) == repeated:
            form.add_error(None, gettext("Some fields need attention: see the messages below."))
        else:
            form.add_error(None, str(exc.message))
        for message in elsewhere:
            if message != str(exc.message):
                form.add_error(None, message)
        for name, messages in on_fields.items():
            for message in messages:
                form.add_error(name, str(message))

    def ask_for_files_again(self, uploads: list[UploadedFile]) -> None:
        """Browsers cannot refill a file input: say so when chosen files are not kept."""
        if not uploads:
            return
        form: forms.Form = self  # type: ignore[assignment]
        form.add_error(
            "attachments",
            gettext(
                "Your files were not sent: please choose them again before sending "
                "(browsers cannot keep them for you)."
            ),
        )


class TicketForm(DomainErrorsMixin, forms.Form):
    """A new request. The chosen category adds its custom fields, named ``cf_<key>``."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT,
        help_text=_("A short summary, such as “Invoice 2041 charged twice”."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure / other"),
        help_text=_("Choosing a category asks for the details we need to help."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("None or not sure"),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        category: Category | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]
        # Choosing a category swaps in its fields, carrying over what was typed already.
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("portal_tickets:custom_fields"),
                "hx-trigger": "change",
                "hx-target": "#custom-fields",
                "hx-swap": "innerHTML",
                "hx-include": "#custom-fields",
                "aria-controls": "custom-fields",
            }
        )
        self.fields["product"].queryset = products_visible_to(user).filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["attachments"] = attachments_field()
        if category is None and self.is_bound:
            category = category_from(self.data.get(self.add_prefix("category")))
        self.chosen_category = category
        self.custom_field_names: list[str] = []
        for field in category.fields.all() if category is not None else []:
            name = field_error_key(field)
            self.fields[name] = custom_form_field(field)
            self.custom_field_names.append(name)
        # Custom fields come right after the category in reading order.
        order = ["subject", "category", *self.custom_field_names, "product", "description"]
        self.order_fields([*order, "attachments"])

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_field_names]

    def custom_values(self) -> dict[str, Any]:
        """The raw custom field values, keyed as the service expects (without ``cf_``)."""
        values = {}
        for name in self.custom_field_names:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                values[name.removeprefix("cf_")] = value
        return values


class ReplyForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def category_from(raw: Any) -> Category | None:
    """The active category a submitted value names, if any."""
    if not raw or not str(raw).isdigit():
        return None
    return active_categories().prefetch_related("fields").filter(pk=int(raw)).first()


class CustomFieldsForm(forms.Form):
    """Only a category's custom fields, for the partial shown when the category changes.
    Values already typed into fields of the same key are carried over."""

    def __init__(self, category: Category | None, values: dict[str, Any]) -> None:
        super().__init__()
        self.custom_field_names: list[str] = []
        for field in category.fields.all() if category is not None else []:
            name = field_error_key(field)
            self.fields[name] = custom_form_field(field)
            self.fields[name].initial = values.get(name, "")
            self.custom_field_names.append(name)
        # Values of fields the new category does not ask for ride along hidden, so that
        # switching back to the first category brings them back. Submitting ignores them.
        self.carried = {
            name: value
            for name, value in values.items()
            if name.startswith("cf_") and name not in self.fields and value
        }

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_field_names]
