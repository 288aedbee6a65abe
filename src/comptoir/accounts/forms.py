from __future__ import annotations

import zoneinfo
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.choices import Language
from comptoir.accounts.models import User


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SignupForm(AllauthSignupForm):  # type: ignore[misc]
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Full name")}),
    )
    # Filled in by the browser (Intl API) so times show in the visitor's zone from day one.
    timezone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    field_order = ["full_name", "email", "password1", "password2", "timezone"]

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data.get("timezone") or ""
        return value if value in zoneinfo.available_timezones() else "UTC"

    def signup(self, request: HttpRequest, user: User) -> None:
        """Fields are saved by the adapter through the accounts services."""


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
