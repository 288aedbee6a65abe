"""The API tokens page (/accounts/api-tokens/): list, create once, revoke with confirmation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

KEY = re.compile(r"cpt_[0-9a-z]{8}_[0-9a-z]{40}")


def test_the_token_page_needs_a_signed_in_user(client):
    response = client.get(reverse("api_tokens"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_user_menu_links_to_the_token_page(client, dave):
    client.force_login(dave)

    assert reverse("api_tokens").encode() in client.get(reverse("profile")).content


def test_the_page_lists_only_my_tokens_with_their_details(client, alice, bob):
    services.check_create_api_token(alice, name="Nightly report", scope="read")
    services.check_create_api_token(bob, name="Bob's sync", scope="write")
    client.force_login(alice)

    page = client.get(reverse("api_tokens")).content.decode()

    assert "Nightly report" in page
    assert "Bob&#x27;s sync" not in page and "Bob's sync" not in page
    assert "Read" in page and "Active" in page


def test_creating_a_token_shows_the_key_once(client, dave):
    client.force_login(dave)

    response = client.post(
        reverse("api_tokens"), {"name": "Invoices", "scope": "write", "expiry": "30"}
    )

    assert response.status_code == 200
    shown = KEY.findall(response.content.decode())
    assert len(set(shown)) == 1
    token = ApiToken.objects.get(user=dave)
    assert (token.name, token.scope) == ("Invoices", "write")
    assert token.expires_at is not None
    assert "no-store" in response["Cache-Control"]
    # Shown once: the list page never shows it again.
    assert not KEY.search(client.get(reverse("api_tokens")).content.decode())


def test_a_token_without_a_name_is_refused_with_the_form_kept(client, dave):
    client.force_login(dave)

    response = client.post(reverse("api_tokens"), {"name": "", "scope": "read", "expiry": "90"})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert b"has-errors" in response.content


def test_revoking_asks_for_confirmation_first(client, dave):
    token = services.check_create_api_token(dave, name="Invoices", scope="read").token
    client.force_login(dave)

    response = client.get(reverse("revoke_api_token", args=[token.public_id]))

    assert response.status_code == 200
    assert b"Revoke the token" in response.content
    token.refresh_from_db()
    assert token.revoked_at is None


def test_confirming_revokes_the_token(client, dave):
    token = services.check_create_api_token(dave, name="Invoices", scope="read").token
    client.force_login(dave)

    response = client.post(reverse("revoke_api_token", args=[token.public_id]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(reverse("api_tokens")).content.decode()


def test_someone_elses_token_cannot_be_revoked_from_the_page(client, dave, grace):
    token = services.check_create_api_token(grace, name="Grace's", scope="read").token
    client.force_login(dave)

    assert client.get(reverse("revoke_api_token", args=[token.public_id])).status_code == 404
    assert client.post(reverse("revoke_api_token", args=[token.public_id])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
