"""Signing in and out, and where each kind of person lands."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from comptoir.accounts.models import User
from tests.e2e.flows import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_login_with_a_wrong_password_shows_an_error_and_keeps_the_email(
    page: Page, dave: User
) -> None:
    log_in(page, "dave@acme.example", "not-my-password")

    expect(page.get_by_role("alert")).to_have_text(
        "The email address and/or password you specified are not correct."
    )
    expect(page.locator("input[name=login]")).to_have_value("dave@acme.example")
    expect(page.locator("input[name=password]")).to_have_value("")
    page.goto("/accounts/profile/")
    expect(page).to_have_url("/accounts/login/?next=/accounts/profile/")


def test_agent_logging_in_lands_on_the_agent_workspace(page: Page, alice: User) -> None:
    log_in(page, "alice@example.com", PASSWORD)

    expect(page).to_have_url("/agent/")
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Team A")


def test_customer_logging_in_lands_on_the_portal(page: Page, dave: User) -> None:
    log_in(page, "dave@acme.example", PASSWORD)

    expect(page).to_have_url("/portal/")
    expect(page.get_by_role("heading", name="Welcome, Dave Miller")).to_be_visible()


def test_customer_opening_the_agent_workspace_is_refused(page: Page, dave: User) -> None:
    log_in(page, "dave@acme.example", PASSWORD)
    expect(page).to_have_url("/portal/")

    response = page.goto("/agent/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="My teams")).to_have_count(0)


def test_logout_from_the_user_menu_ends_the_session(page: Page, dave: User) -> None:
    log_in(page, "dave@acme.example", PASSWORD)
    expect(page).to_have_url("/portal/")

    page.locator("details.user-menu > summary", has_text="Dave Miller").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url("/accounts/login/")
    expect(page.locator("details.user-menu")).to_have_count(0)
    page.goto("/accounts/profile/")
    expect(page).to_have_url("/accounts/login/?next=/accounts/profile/")
