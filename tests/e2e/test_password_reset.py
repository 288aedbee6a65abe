"""Getting back into an account through the password reset email."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from playwright.sync_api import Page, expect

from comptoir.accounts.models import User
from tests.e2e.flows import STRONG_PASSWORD, link_in_email, log_in

pytestmark = pytest.mark.e2e

RESET_PATH = "/accounts/password/reset/key/"


def request_reset(page: Page, email: str) -> str:
    """Ask for a reset link in the browser; return the link the email carries."""
    page.goto("/accounts/password/reset/")
    page.locator("input[name=email]").fill(email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page).to_have_url("/accounts/password/reset/done/")
    return link_in_email(email, RESET_PATH)


def set_new_password(page: Page, password: str) -> None:
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.get_by_role("button", name="Change Password").click()


def expect_bad_token_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Bad Token")).to_be_visible()
    expect(page.get_by_text("The password reset link was invalid")).to_be_visible()
    expect(page.get_by_role("link", name="new password reset")).to_have_attribute(
        "href", "/accounts/password/reset/"
    )
    expect(page.locator("input[name=password1]")).to_have_count(0)


def test_password_reset_link_from_the_email_sets_a_new_password(page: Page, dave: User) -> None:
    link = request_reset(page, "dave@acme.example")

    page.goto(link)
    set_new_password(page, STRONG_PASSWORD)
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    log_in(page, "dave@acme.example", STRONG_PASSWORD)
    expect(page).to_have_url("/portal/")
    expect(page.get_by_role("heading", name="Welcome, Dave Miller")).to_be_visible()


def test_password_reset_link_works_only_once(page: Page, dave: User) -> None:
    link = request_reset(page, "dave@acme.example")
    page.goto(link)
    set_new_password(page, STRONG_PASSWORD)
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    page.goto(link)

    expect_bad_token_page(page)


def test_tampered_password_reset_link_is_refused(page: Page, dave: User) -> None:
    link = request_reset(page, "dave@acme.example")
    # The link ends with "<uid>-<timestamp>-<signature>/": change the signature's last digit.
    assert link.endswith("/")
    last = link[-2]
    tampered = link[:-2] + ("1" if last == "0" else "0") + "/"

    page.goto(tampered)

    expect_bad_token_page(page)


def test_expired_password_reset_link_is_refused(
    page: Page, dave: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = request_reset(page, "dave@acme.example")
    # Move the token checker's clock past the link's lifetime instead of waiting for it.
    # Django's token clock is naive local time, so the stand-in must be naive too.
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)  # noqa: DTZ005
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    page.goto(link)

    expect_bad_token_page(page)
