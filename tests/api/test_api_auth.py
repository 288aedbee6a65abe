"""How callers authenticate: tokens, the browser session with CSRF, scopes, throttling."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken
from comptoir.api import auth
from comptoir.api.api import api
from tests.api.conftest import API, assert_error
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_a_request_without_credentials_is_refused_with_401(anonymous):
    response = anonymous.get("/tickets")

    error = assert_error(response, 401, "unauthorized")
    assert error["fields"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_with_401(api_as, alice):
    client = api_as(alice)
    services.check_revoke_api_token(alice, ApiToken.objects.get(user=alice))

    assert_error(client.get("/tickets"), 401, "invalid_token")


def test_a_read_token_may_read(api_as, dave):
    open_ticket(dave)

    response = api_as(dave, "read").get("/tickets")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_read_token_may_not_write(api_as, dave, method):
    ticket = open_ticket(dave)
    client = api_as(dave, "read")

    if method == "post":
        response = client.post(f"/tickets/{ticket.number}/messages", {"body": "More details"})
    else:
        response = client.patch(f"/tickets/{ticket.number}", {"status": "solved"})

    assert_error(response, 403, "insufficient_scope")
    ticket.refresh_from_db()
    assert ticket.messages.count() == 1 and ticket.status == "new"


def test_the_browser_session_may_read_the_api(client, dave):
    open_ticket(dave)
    client.force_login(dave)

    response = client.get(f"{API}/tickets")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_a_session_write_without_the_csrf_token_is_refused(dave):
    ticket = open_ticket(dave)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dave)

    response = browser.post(
        f"{API}/tickets/{ticket.number}/messages",
        json.dumps({"body": "Forged?"}),
        content_type="application/json",
    )

    assert_error(response, 403, "csrf_failed")
    assert ticket.messages.count() == 1


def test_a_session_write_with_the_csrf_token_goes_through(dave):
    ticket = open_ticket(dave)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dave)
    browser.get("/accounts/api-tokens/")  # any page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        f"{API}/tickets/{ticket.number}/messages",
        json.dumps({"body": "From the page"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 201


def test_too_many_requests_are_throttled_with_retry_after(api_as, alice, monkeypatch):
    per_user = next(t for t in api.throttle if type(t).__name__ == "AuthRateThrottle")
    monkeypatch.setattr(per_user, "num_requests", 2)
    client = api_as(alice)

    assert client.get("/users/me").status_code == 200
    assert client.get("/users/me").status_code == 200
    response = client.get("/users/me")

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_the_throttle_counts_per_user_not_per_token(api_as, alice, bob, monkeypatch):
    per_user = next(t for t in api.throttle if type(t).__name__ == "AuthRateThrottle")
    monkeypatch.setattr(per_user, "num_requests", 2)
    first, second = api_as(alice), api_as(alice)

    assert first.get("/users/me").status_code == 200
    assert second.get("/users/me").status_code == 200
    assert second.get("/users/me").status_code == 429
    # Another user has their own allowance.
    assert api_as(bob).get("/users/me").status_code == 200


def test_repeated_wrong_tokens_are_throttled_per_address(anonymous, monkeypatch):
    monkeypatch.setattr(auth.anonymous_throttle, "num_requests", 2)
    anonymous.key = "cpt_abcdefgh_" + "0" * 40

    assert anonymous.get("/users/me").status_code == 401
    assert anonymous.get("/users/me").status_code == 401
    response = anonymous.get("/users/me")

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
