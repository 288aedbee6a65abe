"""Users, organisations and teams over the API, scoped like the UI."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def emails(response):
    assert response.status_code == 200, response.content
    return [item["email"] for item in response.json()["items"]]


def test_me_is_the_user_the_token_acts_as(api_as, dave):
    body = api_as(dave).get("/users/me").json()

    assert body["id"] == dave.public_id
    assert body["email"] == "dave@acme.example" and body["role"] == "customer"
    assert body["organisation"]["name"] == "Acme"
    assert "pk" not in body and body["created_at"].endswith("Z")


def test_agents_list_every_user_by_email(api_as, alice, dave, erin):
    assert emails(api_as(alice).get("/users")) == [
        "alice@example.com",
        "dave@acme.example",
        "erin@globex.example",
    ]


def test_the_user_list_filters_by_name_or_email(api_as, alice, dave, erin):
    client = api_as(alice)

    assert emails(client.get("/users", {"q": "walsh"})) == ["erin@globex.example"]
    assert emails(client.get("/users", {"q": "ACME"})) == ["dave@acme.example"]


def test_the_user_list_walks_by_cursor(api_as, alice):
    for n in range(4):
        UserFactory(email=f"user{n}@example.com")
    client = api_as(alice)

    first = client.get("/users", {"limit": 3}).json()
    second = client.get("/users", {"limit": 3, "cursor": first["next_cursor"]}).json()

    assert len(first["items"]) == 3 and len(second["items"]) == 2
    assert second["next_cursor"] is None


def test_a_customer_sees_colleagues_only_when_the_organisation_shares(api_as, dave, grace, erin):
    assert emails(api_as(dave).get("/users")) == ["dave@acme.example", "grace@acme.example"]
    assert emails(api_as(erin).get("/users")) == ["erin@globex.example"]


def test_a_user_outside_ones_scope_is_404(api_as, dave, erin):
    assert_error(api_as(erin).get(f"/users/{dave.public_id}"), 404, "not_found")
    assert api_as(dave).get(f"/users/{dave.public_id}").status_code == 200


def test_agents_see_organisations_with_their_notes(api_as, alice, acme, globex):
    items = api_as(alice).get("/organisations").json()["items"]

    assert [o["name"] for o in items] == ["Acme", "Globex"]
    assert all("notes" in o and o["notes"] is not None for o in items)


def test_a_customer_sees_only_their_organisation_without_notes(api_as, erin, acme, globex):
    client = api_as(erin)

    items = client.get("/organisations").json()["items"]
    assert [(o["name"], o["notes"]) for o in items] == [("Globex", None)]
    assert_error(client.get(f"/organisations/{acme.public_id}"), 404, "not_found")
    assert client.get(f"/organisations/{globex.public_id}").json()["name"] == "Globex"


def test_agents_see_teams_with_their_members(api_as, alice, bob, team_a):
    client = api_as(alice)

    items = client.get("/teams").json()["items"]
    team = client.get(f"/teams/{team_a.public_id}").json()

    assert [t["name"] for t in items] == ["Team A", "Team B"]
    assert [m["id"] for m in team["members"]] == [alice.public_id]


def test_customers_get_no_teams(api_as, dave, team_a):
    client = api_as(dave)

    assert client.get("/teams").json() == {"items": [], "next_cursor": None}
    assert_error(client.get(f"/teams/{team_a.public_id}"), 404, "not_found")


def test_listing_teams_costs_the_same_queries_for_more_teams(
    api_as, alice, bob, team_a, django_assert_max_num_queries
):
    client = api_as(alice)
    client.get("/users/me")

    with django_assert_max_num_queries(3):
        assert len(client.get("/teams").json()["items"]) == 2
