"""Pages of the two shells (customer portal, agent workspace) and the profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.accounts import queries, services
from comptoir.accounts.choices import Language
from comptoir.accounts.forms import ProfileForm
from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError
from comptoir.core.http import AuthenticatedHttpRequest


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own shell."""
    if request.user.is_authenticated and request.user.is_agent:
        return redirect("agent_home")
    return redirect("portal_home")


def portal_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    colleagues: list[User] = []
    if user.is_authenticated and user.organisation_id:
        colleagues = list(
            queries.users_visible_to(user)
            .filter(organisation_id=user.organisation_id)
            .exclude(pk=user.pk)
        )
    return render(request, "accounts/portal_home.html", {"colleagues": colleagues})


OVERVIEW_ORGANISATIONS = 20


@login_required
def agent_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.is_agent:
        raise PermissionDenied
    teams = queries.teams_with_members(request.user)
    # A desk may serve thousands of organisations: the overview shows the largest.
    organisations = queries.organisations_with_member_counts(request.user)
    largest = list(organisations.order_by("-member_count", "name")[:OVERVIEW_ORGANISATIONS])
    total = len(largest)
    if total == OVERVIEW_ORGANISATIONS:
        total = queries.organisations_visible_to(request.user).count()
    return render(
        request,
        "accounts/agent_home.html",
        {
            "my_teams": [team for team in teams if request.user in team.members.all()],
            "teams": teams,
            "organisations": largest,
            "organisation_total": total,
        },
    )


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.check_update_profile(user, user, **form.cleaned_data, source=Source.WEB)
            except DomainError as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                translation.activate(user.language)
                messages.success(request, _("Your profile has been saved."))
                response = redirect("profile")
                _remember_language(response, user.language)
                return response
    else:
        form = ProfileForm(
            initial={
                "full_name": user.full_name,
                "language": user.language,
                "timezone": user.timezone,
            }
        )
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Change the interface language; for a signed-in user it becomes their preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        services.do_set_language(request.user, language, source=Source.WEB)
    _remember_language(response, language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite="Lax",
        secure=settings.HTTPS,
    )
