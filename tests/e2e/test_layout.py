"""The main authentication pages are styled and fit the screen, from phone to desktop.

Each check also leaves a screenshot in ``test-artifacts/screens/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from comptoir.accounts.models import User
from tests.e2e.conftest import SCREENS, PageFactory
from tests.e2e.flows import log_in, sign_up
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def _login(page: Page) -> None:
    page.goto("/accounts/login/")


def _login_with_error(page: Page) -> None:
    log_in(page, "dave@acme.example", "not-my-password")
    expect(page.locator(".form-errors")).to_be_visible()


def _signup_with_errors(page: Page) -> None:
    sign_up(page, full_name="Zoé Tremblay", email="zoe@example.com", password="12345678")
    expect(page.locator(".errorlist, .error").first).to_be_visible()


def _portal_home(page: Page) -> None:
    log_in(page, "dave@acme.example", PASSWORD)
    expect(page).to_have_url("/portal/")


def _agent_home(page: Page) -> None:
    log_in(page, "alice@example.com", PASSWORD)
    expect(page).to_have_url("/agent/")


def _profile(page: Page) -> None:
    log_in(page, "dave@acme.example", PASSWORD)
    expect(page).to_have_url("/portal/")
    page.goto("/accounts/profile/")


SCREENS_TO_CHECK: dict[str, Callable[[Page], None]] = {
    "login": _login,
    "login-error": _login_with_error,
    "signup-errors": _signup_with_errors,
    "portal-home": _portal_home,
    "agent-home": _agent_home,
    "profile": _profile,
}


@pytest.mark.parametrize(
    ("viewport_name", "viewport"),
    [("desktop", DESKTOP), ("phone", PHONE)],
    ids=["desktop", "phone"],
)
@pytest.mark.parametrize("screen", list(SCREENS_TO_CHECK))
@pytest.mark.usefixtures("dave", "alice")
def test_page_is_styled_and_fits_the_screen(
    new_page: PageFactory, screen: str, viewport_name: str, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)

    SCREENS_TO_CHECK[screen](page)

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{screen}-{viewport_name}.png", full_page=True)
    # Comptoir's stylesheet reached every form control, allauth's included.
    for control in page.locator(
        "main input:not([type=checkbox]):visible, main select:visible"
    ).all():
        expect(control).to_have_css("border-radius", "6px")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{screen} is {overflow}px wider than a {viewport_name} screen"


def test_user_menu_opens_over_the_page_within_the_screen(new_page: PageFactory, dave: User) -> None:
    page = new_page(viewport=PHONE)
    log_in(page, "dave@acme.example", PASSWORD)

    page.locator("details.user-menu > summary").click()

    menu = page.locator("details.user-menu ul")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
