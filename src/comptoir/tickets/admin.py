"""Administrators configure what classifies tickets: categories, their fields, tags.

Tickets themselves are read-only here: every change to a ticket goes through the
services (the workspace or the API), so that history and events are never skipped.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.tickets.models import Category, CustomField, Tag, Ticket


class CustomFieldForm(forms.ModelForm[CustomField]):
    class Meta:
        model = CustomField
        fields = [
            "position", "key", "label", "label_fr", "kind", "required", "choices",
            "help_text", "help_text_fr",
        ]  # fmt: skip
        help_texts = {
            "choices": _(
                'For choice fields: a list such as [{"value": "eu", "label": "Europe", '
                '"label_fr": "Europe"}].'
            )
        }


class CustomFieldInline(admin.TabularInline[CustomField, Category]):
    model = CustomField
    form = CustomFieldForm
    extra = 0
    fields = [
        "position",
        "key",
        "label",
        "label_fr",
        "kind",
        "required",
        "choices",
        "help_text",
        "help_text_fr",
    ]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "name_fr", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_fr"]
    inlines = [CustomFieldInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ["name"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "requester",
        "team",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "priority", "type", "channel"]
    list_select_related = ["requester", "team", "assignee"]
    search_fields = ["=number", "subject"]
    show_full_result_count = False  # counting a million rows on every page is not worth it

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
