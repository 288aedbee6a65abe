"""API test helpers: a client that sends a personal token, and a clean throttle."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from comptoir.accounts import services
from comptoir.accounts.models import User

API = "/api/v1"


class ApiClient:
    """Calls ``/api/v1`` with ``Authorization: Bearer <key>`` and JSON bodies."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: Any = None) -> Any:
        return self.client.get(API + path, params or {}, **self._headers())

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(
            API + path, json.dumps(data or {}), content_type="application/json", **self._headers()
        )

    def patch(self, path: str, data: Any = None) -> Any:
        return self.client.patch(
            API + path, json.dumps(data or {}), content_type="application/json", **self._headers()
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, **self._headers())

    def multipart(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(API + path, data, **self._headers())


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    # Throttle counters live in the cache, which outlives each test's database.
    cache.clear()


@pytest.fixture
def api_as(db: None) -> Callable[..., ApiClient]:
    """``api_as(user)`` gives a client with a new write token of ``user``;
    ``api_as(user, "read")`` a read-only one."""

    def make(user: User, scope: str = "write") -> ApiClient:
        created = services.check_create_api_token(user, name="tests", scope=scope)
        return ApiClient(created.key)

    return make


@pytest.fixture
def anonymous(db: None) -> ApiClient:
    return ApiClient(None)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response has the one error shape, with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error
