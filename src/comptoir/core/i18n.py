"""Helpers for admin-entered text that exists in both interface languages."""

from __future__ import annotations

from django.utils import translation


def pick(english: str, french: str, language: str | None = None) -> str:
    """The text for ``language`` (default: the active one), falling back to English."""
    language = (language or translation.get_language() or "en")[:2]
    if language == "fr" and french:
        return french
    return english or french
