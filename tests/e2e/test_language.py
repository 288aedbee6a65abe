"""Which language the interface speaks, for visitors and for signed-in people.

Comptoir's own French catalogue is written separately, so these tests read French from
the markup (``<html lang>``) and from strings django-allauth ships translated.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from comptoir.accounts.choices import Language
from comptoir.accounts.models import User
from tests.e2e.conftest import PageFactory
from tests.e2e.flows import STRONG_PASSWORD, log_in, sign_up
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def test_anonymous_visitor_gets_the_language_their_browser_asks_for(
    new_page: PageFactory,
) -> None:
    page = new_page(locale="fr-FR")

    page.goto("/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_anonymous_visitor_switches_to_french_with_the_language_switcher(page: Page) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()

    page.locator("select[name=language]").select_option("fr")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url("/accounts/login/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_visitor_signing_up_in_french_keeps_french_as_their_language(
    new_page: PageFactory,
) -> None:
    page = new_page(locale="fr-FR")

    sign_up(page, full_name="Zoé Tremblay", email="zoe@example.com", password=STRONG_PASSWORD)

    expect(page.get_by_role("heading", name="Vérifiez votre adresse e-mail")).to_be_visible()
    assert User.objects.get(email="zoe@example.com").language == Language.FRENCH


def test_signed_in_user_gets_their_profile_language_whatever_the_browser_asks(
    page: Page, db: None
) -> None:
    UserFactory(email="marie@example.com", full_name="Marie Roy", language=Language.FRENCH)

    log_in(page, "marie@example.com", PASSWORD)

    expect(page).to_have_url("/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/accounts/password/change/")
    expect(page.get_by_role("heading", name="Modifier le mot de passe")).to_be_visible()
