"""The administrators' configuration screens for people, organisations and teams."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import Organisation, Team, User


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
