"""Who sees which people, organisations and teams: the one place that decides it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from comptoir.accounts import queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_agents_see_every_user(alice, dave, erin):
    assert set(queries.users_visible_to(alice)) >= {alice, dave, erin}


def test_customer_of_a_sharing_organisation_sees_colleagues_only(dave, grace, erin):
    assert set(queries.users_visible_to(dave)) == {dave, grace}


def test_customer_of_a_private_organisation_sees_only_themselves(erin, globex):
    colleague = UserFactory(organisation=globex)

    assert set(queries.users_visible_to(erin)) == {erin}
    assert erin not in queries.users_visible_to(colleague)


def test_customer_without_organisation_sees_only_themselves(dave):
    loner = UserFactory()

    assert list(queries.users_visible_to(loner)) == [loner]


def test_anonymous_and_inactive_users_see_nothing(dave):
    dave.is_active = False

    assert not queries.users_visible_to(AnonymousUser()).exists()
    assert not queries.users_visible_to(dave).exists()
    assert not queries.organisations_visible_to(AnonymousUser()).exists()
    assert not queries.teams_visible_to(AnonymousUser()).exists()


def test_customer_sees_only_their_own_organisation(dave, acme, globex):
    assert list(queries.organisations_visible_to(dave)) == [acme]


def test_agents_see_all_organisations(alice, acme, globex):
    assert set(queries.organisations_visible_to(alice)) == {acme, globex}


def test_teams_are_hidden_from_customers(dave, team_a):
    assert not queries.teams_visible_to(dave).exists()


def test_agents_see_all_teams(alice, team_a, team_b):
    assert set(queries.teams_visible_to(alice)) == {team_a, team_b}


def test_organisation_member_counts_take_one_query(
    alice, dave, grace, erin, django_assert_num_queries
):
    with django_assert_num_queries(1):
        counts = {o.name: o.member_count for o in queries.organisations_with_member_counts(alice)}

    assert counts == {"Acme": 2, "Globex": 1}
