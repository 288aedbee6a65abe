"""Ties django-allauth's sign-up flow to the accounts services."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation

from comptoir.accounts import services
from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import User
from comptoir.core import conf
from comptoir.core.choices import Source


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return conf.get().allow_signups

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> User:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.full_name = data.get("full_name", "")
        user.role = Role.CUSTOMER
        # The interface language the visitor signed up in becomes their preference.
        language = translation.get_language() or Language.ENGLISH
        user.language = language if language in Language.values else Language.ENGLISH
        user.timezone = data.get("timezone") or "UTC"
        if commit:
            services.do_save_new_user(user, actor=None, source=Source.WEB)
        return user  # type: ignore[no-any-return]

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return super().get_login_redirect_url(request)  # type: ignore[no-any-return]
