"""Signing up: the form, the confirmation email, and what the new account remembers."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import Page, expect

from comptoir.accounts.models import User
from tests.e2e.conftest import PageFactory
from tests.e2e.flows import STRONG_PASSWORD, link_in_email, sign_up

pytestmark = pytest.mark.e2e


def sign_up_and_confirm(page: Page, *, full_name: str, email: str) -> None:
    sign_up(page, full_name=full_name, email=email, password=STRONG_PASSWORD)
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.goto(link_in_email(email, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()


def test_visitor_signs_up_confirms_email_and_lands_on_portal_signed_in(page: Page) -> None:
    sign_up(page, full_name="Zoé Tremblay", email="zoe@example.com", password=STRONG_PASSWORD)

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["zoe@example.com"]]
    # Mandatory verification: the account exists but cannot be used before confirming.
    page.goto("/accounts/profile/")
    expect(page).to_have_url("/accounts/login/?next=/accounts/profile/")

    page.goto(link_in_email("zoe@example.com", "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url("/portal/")
    expect(page.get_by_role("heading", name="Welcome, Zoé Tremblay")).to_be_visible()
    user = User.objects.get(email="zoe@example.com")
    assert user.full_name == "Zoé Tremblay"
    assert EmailAddress.objects.get(user=user, email="zoe@example.com").verified


def test_sign_up_stores_the_time_zone_the_browser_reports(new_page: PageFactory) -> None:
    page = new_page(timezone_id="America/Montreal")

    sign_up(page, full_name="Zoé Tremblay", email="zoe@example.com", password=STRONG_PASSWORD)

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    reported = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    # Chromium's ICU reports Montreal under its canonical name, America/Toronto.
    assert reported in {"America/Montreal", "America/Toronto"}
    assert User.objects.get(email="zoe@example.com").timezone == reported


def test_new_user_switches_the_interface_to_french(page: Page) -> None:
    sign_up_and_confirm(page, full_name="Zoé Tremblay", email="zoe@example.com")
    expect(page.get_by_role("heading", name="Welcome, Zoé Tremblay")).to_be_visible()

    page.locator("select[name=language]").select_option("fr")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url("/portal/")
    assert User.objects.get(email="zoe@example.com").language == "fr"
    # The preference follows the account to every page, allauth's included.
    page.goto("/accounts/password/change/")
    expect(page.get_by_role("heading", name="Modifier le mot de passe")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_sign_up_with_a_taken_email_says_so_and_keeps_what_was_typed(
    page: Page, dave: User
) -> None:
    sign_up(page, full_name="Dave Again", email="dave@acme.example", password=STRONG_PASSWORD)

    expect(
        page.get_by_text("A user is already registered with this email address.")
    ).to_be_visible()
    expect(page.locator("input[name=full_name]")).to_have_value("Dave Again")
    expect(page.locator("input[name=email]")).to_have_value("dave@acme.example")
    assert mail.outbox == []
    assert User.objects.get(email="dave@acme.example").full_name == "Dave Miller"


def test_sign_up_with_a_weak_password_shows_why_and_keeps_what_was_typed(page: Page) -> None:
    sign_up(page, full_name="Zoé Tremblay", email="zoe@example.com", password="12345678")

    expect(page.get_by_text("This password is entirely numeric.")).to_be_visible()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    expect(page.locator("input[name=full_name]")).to_have_value("Zoé Tremblay")
    expect(page.locator("input[name=email]")).to_have_value("zoe@example.com")
    assert not User.objects.filter(email="zoe@example.com").exists()
    assert mail.outbox == []
