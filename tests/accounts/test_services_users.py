from __future__ import annotations

import pytest

from comptoir.accounts import services
from comptoir.accounts.choices import Role
from comptoir.accounts.models import User
from comptoir.core.choices import Source
from comptoir.core.exceptions import InvalidInput, NotAllowed
from comptoir.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_user_normalises_email_and_emits_user_created(committed):
    with committed() as events:
        user = services.do_create_user("  Zoe@Example.COM ", password="a-long-passphrase")

    assert user.email == "zoe@example.com"
    assert user.check_password("a-long-passphrase")
    assert [(e.type, e.payload) for e in events] == [
        ("user.created", {"user": user.public_id, "role": "customer"})
    ]


def test_duplicate_email_in_other_case_is_refused_with_field_error(dave):
    with pytest.raises(InvalidInput) as caught:
        services.do_create_user("DAVE@acme.example", password="a-long-passphrase")

    assert "email" in caught.value.errors


def test_weak_password_is_refused_with_reasons():
    with pytest.raises(InvalidInput) as caught:
        services.do_create_user("new@example.com", password="12345678")

    assert caught.value.errors["password"]
    assert not User.objects.filter(email="new@example.com").exists()


def test_user_without_password_cannot_log_in_until_one_is_set():
    user = services.do_create_user("nopass@example.com")

    assert not user.has_usable_password()


def test_profile_update_records_only_changed_fields(dave, committed):
    with committed() as events:
        services.check_update_profile(
            dave, dave, full_name="Dave M.", language="fr", timezone=dave.timezone
        )

    assert len(events) == 1
    assert events[0].type == "user.profile_updated"
    assert events[0].payload["changes"] == {
        "full_name": ["Dave Miller", "Dave M."],
        "language": ["en", "fr"],
    }
    assert events[0].actor_id == dave.pk


def test_profile_update_without_change_emits_nothing(dave, committed):
    with committed() as events:
        services.check_update_profile(
            dave, dave, full_name=dave.full_name, language=dave.language, timezone=dave.timezone
        )

    assert events == []


def test_unknown_time_zone_is_refused_and_nothing_is_saved(dave):
    with pytest.raises(InvalidInput) as caught:
        services.check_update_profile(
            dave, dave, full_name="Dave", language="en", timezone="Mars/Olympus_Mons"
        )

    assert "timezone" in caught.value.errors
    dave.refresh_from_db()
    assert dave.timezone == "Europe/Paris"


def test_customer_cannot_edit_someone_elses_profile(dave, grace):
    with pytest.raises(NotAllowed):
        services.check_update_profile(dave, grace, full_name="x", language="en", timezone="UTC")


def test_only_administrators_change_roles(alice, dave, admin_user, committed):
    with pytest.raises(NotAllowed):
        services.check_change_role(alice, dave, Role.AGENT)

    with committed() as events:
        services.check_change_role(admin_user, dave, Role.AGENT)

    dave.refresh_from_db()
    assert dave.role == Role.AGENT
    assert [e.type for e in events] == ["user.role_changed"]


def test_administrator_cannot_demote_themselves(admin_user):
    with pytest.raises(NotAllowed):
        services.check_change_role(admin_user, admin_user, Role.AGENT)


def test_demoting_an_agent_to_customer_removes_them_from_teams(admin_user, alice, team_a):
    services.check_change_role(admin_user, alice, Role.CUSTOMER)

    assert not team_a.members.filter(pk=alice.pk).exists()


def test_every_committed_event_lands_in_the_audit_trail(admin_user, dave, committed):
    with committed():
        services.check_change_role(admin_user, dave, Role.AGENT, source=Source.API)

    entry = AuditEntry.objects.get(type="user.role_changed")
    assert entry.actor == admin_user
    assert entry.source == "api"
    assert entry.payload == {"user": dave.public_id, "old": "customer", "new": "agent"}
