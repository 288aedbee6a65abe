"""Request types for views that require a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from comptoir.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What ``login_required`` views receive: ``request.user`` is a real ``User``."""

    user: User
