from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_sends_agents_to_the_workspace_and_customers_to_the_portal(client, alice, dave):
    assert client.get("/").url == reverse("portal_home")
    client.force_login(alice)
    assert client.get("/").url == reverse("agent_home")
    client.force_login(dave)
    assert client.get("/").url == reverse("portal_home")


def test_anonymous_visitor_sees_the_portal_with_sign_in_links(client):
    response = client.get(reverse("portal_home"))

    assert response.status_code == 200
    assert reverse("account_login").encode() in response.content
    assert reverse("account_signup").encode() in response.content


def test_customer_portal_lists_colleagues_only_when_the_organisation_shares(
    client, dave, grace, erin, globex
):
    client.force_login(dave)
    assert b"grace@acme.example" in client.get(reverse("portal_home")).content

    client.force_login(erin)
    page = client.get(reverse("portal_home")).content
    assert b"dave@acme.example" not in page
    assert b"grace@acme.example" not in page


def test_agent_workspace_is_refused_to_customers_and_anonymous(client, dave):
    anonymous = client.get(reverse("agent_home"))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))

    client.force_login(dave)
    assert client.get(reverse("agent_home")).status_code == 403


def test_agent_workspace_shows_teams_and_organisations_in_constant_queries(
    client, alice, bob, acme, globex, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("agent_home"))

    page = response.content.decode()
    assert "Team A" in page and "Team B" in page
    assert "Acme" in page and "Globex" in page


def test_agent_overview_shows_the_largest_organisations_and_how_many_there_are(
    client, alice, acme, monkeypatch
):
    from comptoir.accounts import views
    from comptoir.accounts.models import Organisation, User

    monkeypatch.setattr(views, "OVERVIEW_ORGANISATIONS", 2)
    Organisation.objects.bulk_create(Organisation(name=f"Small {n}") for n in range(3))
    big = Organisation.objects.create(name="Zeta Big")
    User.objects.bulk_create(
        User(email=f"z{n}@zeta.example", organisation=big, full_name=f"Z {n}") for n in range(3)
    )
    User.objects.create(email="a1@acme.example", organisation=acme, full_name="A")
    client.force_login(alice)

    page = client.get(reverse("agent_home")).content.decode()

    assert "Zeta Big" in page and "Acme" in page
    assert "Small 0" not in page
    assert "The 2 largest of 5 organisations." in page


def test_profile_saves_language_and_time_zone(client, dave):
    client.force_login(dave)
    response = client.post(
        reverse("profile"),
        {"full_name": "Dave M.", "language": "fr", "timezone": "America/Toronto"},
    )

    assert response.status_code == 302
    dave.refresh_from_db()
    assert (dave.full_name, dave.language, dave.timezone) == ("Dave M.", "fr", "America/Toronto")
    assert response.cookies["comptoir_language"].value == "fr"


def test_profile_with_bad_time_zone_keeps_what_was_typed(client, dave):
    client.force_login(dave)
    response = client.post(
        reverse("profile"),
        {"full_name": "Dave Typed This", "language": "en", "timezone": "Nowhere/Atlantis"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Dave Typed This"' in page
    assert "Nowhere/Atlantis" in page  # the error message names the rejected value
    dave.refresh_from_db()
    assert dave.full_name == "Dave Miller"


def test_language_switch_updates_the_signed_in_users_profile(client, dave):
    client.force_login(dave)
    response = client.post(reverse("switch_language"), {"language": "fr", "next": "/portal/"})

    assert response.url == "/portal/"
    dave.refresh_from_db()
    assert dave.language == "fr"


def test_language_switch_for_anonymous_sets_the_cookie(client):
    response = client.post(reverse("switch_language"), {"language": "fr", "next": "/portal/"})

    assert response.cookies["comptoir_language"].value == "fr"
    assert client.get("/portal/").headers["Content-Language"] == "fr"


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.post(
        reverse("switch_language"), {"language": "fr", "next": "https://evil.example/"}
    )

    assert response.url == reverse("home")


def test_language_switch_ignores_unknown_languages(client, dave):
    client.force_login(dave)
    client.post(reverse("switch_language"), {"language": "xx", "next": "/"})

    dave.refresh_from_db()
    assert dave.language == "en"


def test_signed_in_pages_use_the_users_language_over_the_browsers(client, dave):
    dave.language = "fr"
    dave.save()
    client.force_login(dave)

    response = client.get(reverse("portal_home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "fr"


def test_login_with_wrong_password_is_refused_and_keeps_the_email(client, dave):
    response = client.post(
        reverse("account_login"), {"login": "dave@acme.example", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert b'value="dave@acme.example"' in response.content
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_signs_in(client, dave):
    response = client.post(
        reverse("account_login"), {"login": "DAVE@acme.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dave.pk)


def test_repeated_failures_lock_the_account_out(client, dave, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.ACCOUNT_RATE_LIMITS = False
    for _ in range(3):
        client.post(reverse("account_login"), {"login": dave.email, "password": "nope-nope"})

    response = client.post(reverse("account_login"), {"login": dave.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_health_reports_ok(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
