"""The personal API tokens page: list, create (the key is shown once), revoke."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from comptoir.accounts import queries, services
from comptoir.accounts.choices import TokenScope
from comptoir.accounts.models import ApiToken
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest

EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=services.MAX_TOKEN_NAME,
        help_text=gettext_lazy("What the token is for, such as “Reporting script”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text=gettext_lazy("A read token can only look; a write token can also change."),
    )
    expiry = forms.ChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In one year")),
            ("never", gettext_lazy("Never")),
        ],
        initial="90",
    )

    def expires_at(self) -> datetime.datetime | None:
        days = EXPIRY_DAYS.get(self.cleaned_data["expiry"])
        return timezone.now() + datetime.timedelta(days=days) if days else None


def _page(
    request: AuthenticatedHttpRequest,
    form: ApiTokenForm,
    *,
    new_key: str | None = None,
    confirm: ApiToken | None = None,
) -> HttpResponse:
    now = timezone.now()
    tokens = [(token, token.status(now)) for token in queries.own_api_tokens(request.user)]
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "confirm": confirm},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.check_create_api_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
                source=Source.WEB,
            )
        except DomainError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, str(error))
            if not exc.errors:
                form.add_error(None, str(exc.message))
        else:
            # Rendered, not redirected: the key must not pass through the session or a URL.
            return _page(request, ApiTokenForm(), new_key=created.key)
    return _page(request, form)


def _own_token(request: AuthenticatedHttpRequest, public_id: str) -> ApiToken:
    token = queries.own_api_tokens(request.user).filter(public_id=public_id).first()
    if token is None:
        raise Http404
    return token


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revoke_api_token(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    token = _own_token(request, public_id)
    if request.method != "POST":
        return _page(request, ApiTokenForm(), confirm=token)
    try:
        services.check_revoke_api_token(request.user, token, source=Source.WEB)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens")
