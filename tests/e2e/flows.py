"""What a person does in the browser, step by step, shared by the browser tests.

Fields and buttons are found by their ``name`` and type, which do not change with the
interface language, so the same steps serve an English and a French browser.
"""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page

STRONG_PASSWORD = "plume-de-ma-tante-42"
_LINK = re.compile(r"https?://\S+")


def submit(page: Page) -> None:
    """Press the submit button of the page's one form (sign in, sign up, reset)."""
    page.locator("main form button[type=submit]").click()


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    submit(page)


def sign_up(page: Page, *, full_name: str, email: str, password: str) -> None:
    page.goto("/accounts/signup/")
    page.locator("input[name=full_name]").fill(full_name)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    submit(page)


def link_in_email(to: str, path_prefix: str) -> str:
    """The one link under ``path_prefix`` in the last email sent to ``to``."""
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no email was sent to {to}; outbox: {[m.to for m in mail.outbox]}"
    body = str(messages[-1].body)
    links: list[str] = [link for link in _LINK.findall(body) if path_prefix in link]
    assert len(links) == 1, f"expected one {path_prefix} link in:\n{body}"
    return links[0]
