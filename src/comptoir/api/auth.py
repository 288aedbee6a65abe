"""Who is calling: a personal API token (``Authorization: Bearer cpt_...``) or, for the
browser on the same site, the signed-in session with its CSRF token.

Either way ``request.auth`` becomes a :class:`Principal` and ``request.user`` the user,
so every handler scopes its reads with the same ``*_visible_to(user)`` queries as the UI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle, BaseThrottle
from ninja.utils import check_csrf

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken, User
from comptoir.api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Per user (all their tokens and their session together); per address for requests
# without a working token. ``COMPTOIR_API_RATE`` raises the first (a busy integration).
AUTHENTICATED_RATE = settings.COMPTOIR_API_RATE
ANONYMOUS_RATE = "60/min"


@dataclass(frozen=True)
class Principal:
    """The caller: a user, and the token they used (``None`` for the browser session)."""

    user: User
    token: ApiToken | None = None

    def __str__(self) -> str:
        # Ninja's AuthRateThrottle keys its counter on this: one bucket per user.
        return f"user:{self.user.public_id}"


def principal(request: HttpRequest) -> Principal:
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Principal):  # pragma: no cover - every operation authenticates
        raise ApiError(401, "unauthorized", _("Authentication is required."))
    return auth


def current_user(request: HttpRequest) -> User:
    return principal(request).user


def _act_as(request: HttpRequest, user: User) -> None:
    request.user = user
    # Like the web, a signed-in user reads messages in their own language.
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cpt_<prefix>_<secret>``. A token that does not work is
    refused outright (401) rather than passed on to the session check."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        api_token = services.check_api_token(token)
        if api_token is None:
            # Wrong keys count against the caller's address, which slows down guessing.
            if not anonymous_throttle.allow_request(request):
                raise ApiError(
                    429,
                    "throttled",
                    _("Too many requests. Please slow down."),
                    headers={"Retry-After": str(math.ceil(anonymous_throttle.wait() or 60))},
                )
            raise ApiError(
                401,
                "invalid_token",
                _("This API token is unknown, expired or revoked."),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if not api_token.is_write and request.method not in SAFE_METHODS:
            raise ApiError(
                403,
                "insufficient_scope",
                _("This token can only read. Use a token with the write scope to make changes."),
            )
        _act_as(request, api_token.user)
        return Principal(api_token.user, api_token)


class SessionAuth(APIKeyCookie):
    """The browser's session, for pages of this site calling the API. Writes need the
    CSRF token, as forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check waits until we know there is a signed-in session: a request
        # with no credentials at all is unauthenticated (401), not forged (403).
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user: Any = request.user
        if key is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise ApiError(
                403,
                "csrf_failed",
                _("The CSRF token is missing or wrong. Send the X-CSRFToken header."),
            )
        return Principal(user)


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
# Unauthenticated requests are refused before throttles run, so the per-address limit
# also counts failed token attempts (above).
anonymous_throttle = AnonRateThrottle(ANONYMOUS_RATE)
throttles: list[BaseThrottle] = [anonymous_throttle, AuthRateThrottle(AUTHENTICATED_RATE)]
