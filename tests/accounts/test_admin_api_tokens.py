"""Administrators see everyone's API tokens in the admin and revoke a leaked one."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken
from comptoir.core.exceptions import NotAllowed
from comptoir.core.models import AuditEntry
from tests.api.conftest import ApiClient, assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/apitoken/"


def change_url(token: ApiToken) -> str:
    return f"{CHANGELIST}{token.pk}/change/"


def revoke_url(token: ApiToken) -> str:
    return f"{CHANGELIST}{token.pk}/revoke/"


def revoke_selected(client, tokens, *, confirmed=True):
    data = {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [token.pk for token in tokens]}
    if confirmed:
        data["post"] = "yes"
    return client.post(CHANGELIST, data)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_list_shows_the_tokens_of_everyone_without_their_hash(client, admin_user, alice, dave):
    reports = services.check_create_api_token(alice, name="Nightly report", scope="read").token
    sync = services.check_create_api_token(dave, name="Invoice sync", scope="write").token
    services.check_revoke_api_token(dave, sync)
    client.force_login(admin_user)

    page = client.get(CHANGELIST).content.decode()

    for token, email in ((reports, "alice@example.com"), (sync, "dave@acme.example")):
        assert token.name in page and email in page
        assert f"cpt_{token.prefix}_" in page
        # Not the hash, nor any start of it.
        assert token.key_hash[:12] not in page
    assert '<td class="field-status">Active</td>' in page
    assert '<td class="field-status">Revoked</td>' in page


def test_a_token_page_shows_its_details_read_only_and_never_its_hash(client, admin_user, dave):
    token = services.check_create_api_token(dave, name="Invoice sync", scope="write").token
    client.force_login(admin_user)

    response = client.get(change_url(token))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Invoice sync" in page and f"cpt_{token.prefix}_" in page
    assert token.key_hash[:12] not in page
    assert 'name="name"' not in page  # nothing to edit


def test_the_list_costs_the_same_queries_for_three_tokens_or_thirty(
    client, admin_user, django_assert_max_num_queries
):
    owners = [UserFactory() for _ in range(6)]
    for index in range(3):
        services.check_create_api_token(owners[index], name=f"Token {index}", scope="read")
    client.force_login(admin_user)
    client.get(CHANGELIST)  # the session and the content types, once
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHANGELIST).status_code == 200

    for index in range(3, 30):
        services.check_create_api_token(owners[index % 6], name=f"Token {index}", scope="write")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(CHANGELIST).content.decode()

    assert "Token 29" in page and "Token 0" in page
    assert len(many.captured_queries) <= 6


def test_tokens_cannot_be_added_edited_or_deleted_in_the_admin(client, admin_user, dave):
    token = services.check_create_api_token(dave, name="Invoice sync", scope="read").token
    client.force_login(admin_user)

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    client.post(change_url(token), {"name": "Hacked", "scope": "write"})
    assert client.get(f"{CHANGELIST}{token.pk}/delete/").status_code == 403
    assert b"delete_selected" not in client.get(CHANGELIST).content

    token.refresh_from_db()
    assert (token.name, token.scope, token.revoked_at) == ("Invoice sync", "read", None)


def test_the_list_filters_by_status_and_scope(client, admin_user, dave):
    services.check_create_api_token(dave, name="Live reader", scope="read")
    services.check_create_api_token(dave, name="Live writer", scope="write")
    revoked = services.check_create_api_token(dave, name="Old writer", scope="write").token
    services.check_revoke_api_token(dave, revoked)
    expired = services.check_create_api_token(
        dave, name="Short reader", scope="read", expires_at=timezone.now() + datetime.timedelta(1)
    ).token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    client.force_login(admin_user)

    def names(query: str) -> set[str]:
        response = client.get(CHANGELIST + query)
        return {t.name for t in response.context["cl"].result_list}

    assert names("?status=active") == {"Live reader", "Live writer"}
    assert names("?status=expired") == {"Short reader"}
    assert names("?status=revoked") == {"Old writer"}
    assert names("?scope__exact=write&status=active") == {"Live writer"}


def test_the_list_searches_by_owner_email_token_name_and_key_prefix(
    client, admin_user, alice, dave
):
    mine = services.check_create_api_token(alice, name="Nightly report", scope="read").token
    services.check_create_api_token(dave, name="Invoice sync", scope="read")
    client.force_login(admin_user)

    def names(term: str) -> set[str]:
        response = client.get(CHANGELIST, {"q": term})
        return {t.name for t in response.context["cl"].result_list}

    assert names("acme.example") == {"Invoice sync"}
    assert names("nightly") == {"Nightly report"}
    assert names(mine.prefix) == {"Nightly report"}


def test_revoking_selected_tokens_asks_for_confirmation_first(client, admin_user, dave):
    token = services.check_create_api_token(dave, name="Invoice sync", scope="read").token
    client.force_login(admin_user)

    response = revoke_selected(client, [token], confirmed=False)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Invoice sync" in page and "dave@acme.example" in page and 'value="yes"' in page
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoked_tokens_stop_working_at_once_and_others_keep_working(
    client, admin_user, alice, dave
):
    leaked = services.check_create_api_token(dave, name="Leaked", scope="write")
    also_leaked = services.check_create_api_token(alice, name="Also leaked", scope="read")
    kept = services.check_create_api_token(dave, name="Kept", scope="read")
    client.force_login(admin_user)

    response = revoke_selected(client, [leaked.token, also_leaked.token])

    assert response.status_code == 302 and response.url == CHANGELIST
    for created in (leaked, also_leaked):
        assert_error(ApiClient(created.key).get("/users/me"), 401, "invalid_token")
    assert ApiClient(kept.key).get("/users/me").status_code == 200


def test_an_administrators_revocation_is_recorded_like_the_owners(
    client, admin_user, dave, committed
):
    by_owner = services.check_create_api_token(dave, name="By owner", scope="read").token
    by_admin = services.check_create_api_token(dave, name="By admin", scope="read").token
    with committed() as owner_events:
        services.check_revoke_api_token(dave, by_owner)
    client.force_login(admin_user)

    with committed() as admin_events:
        revoke_selected(client, [by_admin])

    (owner_event,) = owner_events
    (admin_event,) = admin_events
    assert (admin_event.type, admin_event.source) == (owner_event.type, owner_event.source)
    assert admin_event.payload == {**owner_event.payload, "token": by_admin.public_id, "name": "By admin", "prefix": by_admin.prefix}  # fmt: skip
    assert admin_event.actor_id == admin_user.pk
    entry = AuditEntry.objects.get(event_id=admin_event.id)
    assert (entry.type, entry.actor, entry.source) == ("api_token.revoked", admin_user, "web")


def test_already_revoked_tokens_are_left_alone_and_counted_apart(
    client, admin_user, alice, dave, committed
):
    active = [
        services.check_create_api_token(dave, name="Live 1", scope="read").token,
        services.check_create_api_token(alice, name="Live 2", scope="read").token,
    ]
    gone = services.check_create_api_token(dave, name="Gone", scope="read").token
    services.check_revoke_api_token(dave, gone)
    revoked_at = gone.revoked_at
    client.force_login(admin_user)

    with committed() as events:
        response = revoke_selected(client, [*active, gone])

    assert texts(response) == ["2 tokens revoked.", "1 token was already revoked and was left as it was."]  # fmt: skip
    assert sorted(e.payload["name"] for e in events) == ["Live 1", "Live 2"]
    gone.refresh_from_db()
    assert gone.revoked_at == revoked_at


def test_a_token_page_has_a_revoke_button_that_asks_then_revokes(client, admin_user, dave):
    token = services.check_create_api_token(dave, name="Invoice sync", scope="read").token
    client.force_login(admin_user)
    assert revoke_url(token) in client.get(change_url(token)).content.decode()

    asked = client.get(revoke_url(token))
    token.refresh_from_db()
    assert asked.status_code == 200 and "Invoice sync" in asked.content.decode()
    assert token.revoked_at is None

    response = client.post(revoke_url(token))

    assert response.status_code == 302 and response.url == change_url(token)
    assert texts(response) == ["1 token revoked."]
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Once revoked, the button is gone.
    assert revoke_url(token) not in client.get(change_url(token)).content.decode()


def test_agents_and_customers_cannot_reach_the_tokens_admin(client, alice, bob, dave):
    token = services.check_create_api_token(bob, name="Bob's sync", scope="read").token

    for user in (alice, dave):
        client.force_login(user)
        for response in (
            client.get(CHANGELIST),
            client.get(change_url(token)),
            client.get(revoke_url(token)),
            client.post(revoke_url(token)),
            revoke_selected(client, [token]),
        ):
            # Django's admin sends whoever is not staff to its own login page.
            assert response.status_code == 302
            assert response.url.startswith("/admin/login/?next=")

    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revocation_the_service_refuses_is_reported_and_not_counted(
    client, admin_user, dave, monkeypatch
):
    token = services.check_create_api_token(dave, name="Invoice sync", scope="read").token

    def refuse(actor, token, *, source):
        raise NotAllowed("Not today.")

    monkeypatch.setattr(services, "check_revoke_api_token", refuse)
    client.force_login(admin_user)

    response = revoke_selected(client, [token])

    assert texts(response) == ["“Invoice sync” of dave@acme.example was not revoked: Not today."]
    token.refresh_from_db()
    assert token.revoked_at is None
