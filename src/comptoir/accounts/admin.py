"""The administrators' configuration screens for people, organisations and teams, and
everyone's personal API tokens (to revoke a leaked one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comptoir.accounts import queries, services
from comptoir.accounts.models import ApiToken, Organisation, Team, User
from comptoir.core.choices import Source
from comptoir.core.exceptions import DomainError


class AdminUserCreationForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "role")


class AdminUserChangeForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]  # stubs expect AbstractUser
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active", "language"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    readonly_fields = ["public_id", "last_login", "created_at"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        (_("Profile"), {"fields": ("full_name", "language", "timezone")}),
        (_("Access"), {"fields": ("role", "organisation", "is_active", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "created_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    filter_horizontal = ()
    add_form = AdminUserCreationForm
    form = AdminUserChangeForm


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "shared_tickets", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "description"]
    search_fields = ["name"]
    readonly_fields = ["public_id"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            kwargs["queryset"] = User.objects.filter(role__in=["agent", "admin"])
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Personal API tokens ---------------------------------------------------------------

_TOKEN_FIELDS: tuple[str, ...] = (
    "user",
    "name",
    "shown_key",
    "scope",
    "status",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "public_id",
)
_STATUS_LABELS = {"active": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}


class ApiTokenStatusFilter(admin.SimpleListFilter):
    """Active, expired or revoked: ``ApiToken.status`` as a query."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(_STATUS_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        status = self.value()
        if status is None or status not in _STATUS_LABELS:
            return queryset
        return queryset.filter(ApiToken.status_condition(status, timezone.now()))


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # the admin site lets only signed-in staff in
        raise PermissionDenied
    return request.user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Everyone's personal API tokens, so that an administrator can find a leaked one and
    revoke it. Read-only otherwise: a token is created by its owner, who alone sees the key,
    and its hash is never shown. Revoking goes through the service, as on the owner's token
    page, so it is recorded and announced the same way."""

    list_display = [
        "user_email",
        "name",
        "shown_key",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "status",
    ]
    list_display_links = ["name"]
    list_filter = ["scope", ApiTokenStatusFilter]
    list_select_related = ["user"]
    search_fields = ["user__email", "name", "=prefix"]
    search_help_text = _("An owner's email, a token name, or the 8 characters after cpt_.")
    # Never ``key_hash``: even part of it would help whoever holds a list of candidate keys.
    fields = _TOKEN_FIELDS
    readonly_fields = _TOKEN_FIELDS
    actions = ["revoke_selected"]
    change_form_template = "admin/accounts/apitoken/change_form.html"
    revoke_confirmation_template = "admin/accounts/apitoken/revoke_confirmation.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return queries.api_tokens_visible_to(request.user)

    @admin.display(description=_("user"), ordering="user__email")
    def user_email(self, token: ApiToken) -> str:
        return token.user.email

    @admin.display(description=_("Starts with"))
    def shown_key(self, token: ApiToken) -> str:
        return token.shown_key

    @admin.display(description=_("status"))
    def status(self, token: ApiToken) -> str:
        return str(_STATUS_LABELS[token.status(timezone.now())])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the owner creates a token, on their token page, and alone sees its key

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: it keeps the record and goes through the service

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Revoking is the one change made here: it needs the model's change permission,
        which administrators hold like every other (``User.has_perm``)."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<path:object_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_revoke",
        )
        return [revoke, *super().get_urls()]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ApiToken | None = None,
    ) -> HttpResponse:
        context["can_revoke"] = (
            obj is not None and obj.revoked_at is None and self.has_revoke_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke_selected(
        self, request: HttpRequest, queryset: QuerySet[ApiToken]
    ) -> HttpResponse | None:
        """Asks for confirmation first, as deleting does: a revoked token cannot come back."""
        if request.POST.get("post") == "yes":
            self._revoke(request, queryset)
            return None
        return self._confirm_revocation(request, list(queryset), action="revoke_selected")

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The Revoke button of a token's page: GET asks for confirmation, POST revokes."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        token = self.get_object(request, unquote(object_id))
        if token is None:
            raise Http404
        if request.method == "POST":
            self._revoke(request, [token])
            return redirect(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                token.pk,
            )
        return self._confirm_revocation(request, [token], original=token)

    def _confirm_revocation(
        self,
        request: HttpRequest,
        tokens: list[ApiToken],
        *,
        action: str | None = None,
        original: ApiToken | None = None,
    ) -> TemplateResponse:
        now = timezone.now()
        title = ngettext(
            "Revoke %(count)d API token?", "Revoke %(count)d API tokens?", len(tokens)
        ) % {"count": len(tokens)}
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "media": self.media,
            "tokens": [(token, _STATUS_LABELS[token.status(now)]) for token in tokens],
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "original": original,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.revoke_confirmation_template, context)

    def _revoke(self, request: HttpRequest, tokens: Iterable[ApiToken]) -> None:
        actor = _actor(request)
        revoked = already_revoked = 0
        for token in tokens:
            if token.revoked_at is not None:
                already_revoked += 1
                continue
            try:
                services.check_revoke_api_token(actor, token, source=Source.WEB)
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("“%(name)s” of %(email)s was not revoked: %(reason)s")
                    % {"name": token.name, "email": token.user.email, "reason": exc.message},
                    messages.ERROR,
                )
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
                % {"count": revoked},
                messages.SUCCESS,
            )
        if already_revoked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d token was already revoked and was left as it was.",
                    "%(count)d tokens were already revoked and were left as they were.",
                    already_revoked,
                )
                % {"count": already_revoked},
                messages.WARNING,
            )
