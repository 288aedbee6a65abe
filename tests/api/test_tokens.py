"""Personal API tokens: created once, stored hashed, recorded when used, revocable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.utils import timezone

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken
from comptoir.core.choices import Source
from comptoir.core.exceptions import InvalidInput, NotAllowed
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_a_new_token_has_the_documented_format_and_is_shown_only_once(alice):
    created = services.check_create_api_token(alice, name="Reports", scope="read")

    assert re.fullmatch(r"cpt_[0-9a-z]{8}_[0-9a-z]{40}", created.key)
    assert created.key.split("_")[1] == created.token.prefix
    assert not hasattr(created.token, "key")


def test_the_database_never_contains_the_secret(alice, committed):
    with committed():
        created = services.check_create_api_token(alice, name="Reports", scope="write")
    secret = created.key.rsplit("_", 1)[1]

    # Every row of every table, including the audit trail the event was written to.
    for model in apps.get_models():
        if not model._meta.managed:
            continue
        for row in model._default_manager.values():
            assert secret not in repr(row), model.__name__
    token = ApiToken.objects.get()
    assert token.key_hash == services.hash_token_secret(secret)


def test_creating_a_token_emits_an_event_without_the_secret(alice, committed):
    with committed() as events:
        created = services.check_create_api_token(alice, name="Reports", scope="write")

    token = created.token
    assert [(e.type, e.payload, e.source) for e in events] == [
        (
            "api_token.created",
            {
                "token": token.public_id,
                "user": alice.public_id,
                "name": "Reports",
                "prefix": token.prefix,
                "scope": "write",
                "expires_at": None,
            },
            "web",
        )
    ]


def test_a_token_needs_a_name_a_known_scope_and_a_future_expiry(alice):
    with pytest.raises(InvalidInput) as caught:
        services.check_create_api_token(
            alice,
            name="  ",
            scope="admin",
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )

    assert set(caught.value.errors) == {"name", "scope", "expires_at"}
    assert not ApiToken.objects.exists()


def test_customers_may_have_tokens_too(dave):
    created = services.check_create_api_token(dave, name="My script", scope="write")

    response = ApiClient(created.key).get("/users/me")

    assert response.status_code == 200
    assert response.json()["id"] == dave.public_id


def test_using_a_token_records_when_it_was_last_used(alice):
    created = services.check_create_api_token(alice, name="Reports", scope="read")

    ApiClient(created.key).get("/users/me")

    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    created = services.check_create_api_token(alice, name="Reports", scope="read")
    first = timezone.now()
    services.check_api_token(created.key, now=first)

    # Within the minute: one read, no write.
    with django_assert_num_queries(1):
        services.check_api_token(created.key, now=first + datetime.timedelta(seconds=30))
    created.token.refresh_from_db()
    assert created.token.last_used_at == first

    later = first + datetime.timedelta(minutes=2)
    services.check_api_token(created.key, now=later)
    created.token.refresh_from_db()
    assert created.token.last_used_at == later


def test_the_owner_revokes_a_token_and_it_stops_working_at_once(alice, committed):
    created = services.check_create_api_token(alice, name="Reports", scope="read")
    client = ApiClient(created.key)
    assert client.get("/users/me").status_code == 200

    with committed() as events:
        services.check_revoke_api_token(alice, created.token)

    assert_error(client.get("/users/me"), 401, "invalid_token")
    assert [(e.type, e.payload["token"]) for e in events] == [
        ("api_token.revoked", created.token.public_id)
    ]
    assert "key" not in str(events[0].payload)


def test_revoking_twice_changes_nothing_and_emits_nothing(alice, committed):
    created = services.check_create_api_token(alice, name="Reports", scope="read")
    services.check_revoke_api_token(alice, created.token)
    revoked_at = created.token.revoked_at

    with committed() as events:
        services.check_revoke_api_token(alice, created.token)

    assert events == []
    assert created.token.revoked_at == revoked_at


def test_a_revocation_racing_another_records_nothing_and_keeps_the_first(
    alice, admin_user, committed
):
    # Two people opened the token's page; the owner revoked it first.
    created = services.check_create_api_token(alice, name="Leaked", scope="write")
    stale_copy = ApiToken.objects.get(pk=created.token.pk)
    services.check_revoke_api_token(alice, created.token)

    with committed() as events:
        services.check_revoke_api_token(admin_user, stale_copy)

    assert events == []
    assert stale_copy.revoked_at == ApiToken.objects.get(pk=created.token.pk).revoked_at


def test_an_administrator_may_revoke_anyones_token(alice, admin_user):
    created = services.check_create_api_token(alice, name="Leaked", scope="write")

    services.check_revoke_api_token(admin_user, created.token, source=Source.WEB)

    assert created.token.revoked_at is not None


def test_nobody_else_may_revoke_a_token(alice, bob, dave):
    created = services.check_create_api_token(alice, name="Reports", scope="read")

    for other in (bob, dave):
        with pytest.raises(NotAllowed):
            services.check_revoke_api_token(other, created.token)
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_an_expired_token_is_refused(alice):
    created = services.check_create_api_token(
        alice,
        name="Short",
        scope="read",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert services.check_api_token(created.key) is not None

    assert (
        services.check_api_token(created.key, now=timezone.now() + datetime.timedelta(days=2))
        is None
    )


def test_a_disabled_users_token_is_refused(alice):
    created = services.check_create_api_token(alice, name="Reports", scope="read")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert_error(ApiClient(created.key).get("/users/me"), 401, "invalid_token")


@pytest.mark.parametrize(
    "key",
    ["", "cpt_", "cpt_abcdefgh", "sk_abcdefgh_" + "a" * 40, "cpt_abcdefgh_" + "a" * 40],
)
def test_malformed_or_unknown_keys_are_refused(alice, key):
    services.check_create_api_token(alice, name="Reports", scope="read")

    assert services.check_api_token(key) is None


def test_a_right_prefix_with_a_wrong_secret_is_refused(alice):
    created = services.check_create_api_token(alice, name="Reports", scope="read")
    forged = created.key[:-1] + ("0" if created.key[-1] != "0" else "1")

    assert services.check_api_token(forged) is None


def test_the_status_query_agrees_with_each_tokens_status(alice):
    now = timezone.now()
    tokens = [
        services.check_create_api_token(alice, name=f"T{n}", scope="read").token for n in range(4)
    ]
    ApiToken.objects.filter(pk=tokens[1].pk).update(expires_at=now - datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=tokens[2].pk).update(expires_at=now + datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=tokens[3].pk).update(revoked_at=now, expires_at=now)

    for status in ("active", "expired", "revoked"):
        queried = set(ApiToken.objects.filter(ApiToken.status_condition(status, now)))
        assert queried == {t for t in ApiToken.objects.all() if t.status(now) == status}, status
        assert queried
