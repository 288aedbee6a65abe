from __future__ import annotations

import pytest

from comptoir.accounts import services
from comptoir.accounts.exceptions import NotAnAgent
from comptoir.core.choices import Source
from comptoir.core.exceptions import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


def test_create_organisation_emits_event(committed):
    with committed() as events:
        organisation = services.do_create_organisation(
            "Initech", shared_tickets=True, actor=None, source=Source.WEB
        )

    assert organisation.shared_tickets
    assert [e.type for e in events] == ["organisation.created"]


def test_organisation_names_are_unique(acme):
    with pytest.raises(InvalidInput) as caught:
        services.do_create_organisation("Acme", actor=None, source=Source.WEB)

    assert "name" in caught.value.errors


def test_customer_moves_between_organisations(dave, globex, committed):
    with committed() as events:
        services.do_set_organisation(dave, globex, actor=None, source=Source.SYSTEM)

    dave.refresh_from_db()
    assert dave.organisation == globex
    assert events[-1].type == "user.organisation_changed"


def test_agents_do_not_join_customer_organisations(alice, acme):
    with pytest.raises(InvalidInput):
        services.do_set_organisation(alice, acme, actor=None, source=Source.SYSTEM)


def test_only_agents_join_teams(team_a, dave):
    with pytest.raises(NotAnAgent):
        services.do_add_team_member(team_a, dave, actor=None, source=Source.SYSTEM)


def test_adding_a_member_twice_is_a_no_op(team_a, alice, committed):
    with committed() as events:
        services.do_add_team_member(team_a, alice, actor=None, source=Source.SYSTEM)

    assert events == []
    assert team_a.members.count() == 1


def test_only_administrators_change_teams(alice, bob, team_a, admin_user, committed):
    with pytest.raises(NotAllowed):
        services.check_add_team_member(alice, team_a, bob, source=Source.WEB)

    with committed() as events:
        services.check_add_team_member(admin_user, team_a, bob, source=Source.WEB)

    assert team_a.members.filter(pk=bob.pk).exists()
    assert [e.type for e in events] == ["team.member_added"]


def test_removing_a_member(team_a, alice, committed):
    with committed() as events:
        services.do_remove_team_member(team_a, alice, actor=None, source=Source.SYSTEM)

    assert not team_a.members.exists()
    assert [e.type for e in events] == ["team.member_removed"]
