"""The French and English catalogues are complete, compiled, and actually used.

Catalogues are refreshed with ``make messages`` (makemessages + compilemessages); these
tests fail when a string is left untranslated or fuzzy, when the committed ``.mo`` no
longer matches its ``.po``, or when a template shows English text that was never wrapped
for translation.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import User
from tests.factories import AgentFactory, OrganisationFactory, TeamFactory, UserFactory

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "comptoir"
LOCALE = PACKAGE / "locale"
# The project templates and every app's own.
TEMPLATE_DIRS = [PACKAGE / "templates", *sorted(PACKAGE.glob("*/templates"))]
LANGUAGES = ["fr", "en"]

# English phrases of our own templates and code that must never reach a French page.
ENGLISH_PHRASES = [
    "How can we help?",
    "Help center",
    "Your organisation",
    "My teams",
    "Your profile",
    "Customer organisations",
    "Shared tickets",
    "Sign in",
    "Sign up",
    "Sign out",
    "Agent workspace",
    "Customer portal",
    "Skip to content",
    "Two-factor authentication",
    "Edit my profile",
    "Member since",
    "Powered by",
    "Manage email addresses",
    "Time zone",
    "Full name",
]

# Words a template may show without translation: the product's name.
UNTRANSLATED_WORDS = {"Comptoir"}
TRANSLATABLE_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def parse_po(path: Path) -> list[Entry]:
    """A minimal reader for the gettext .po files makemessages writes (no obsolete entries)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: string outside an entry")
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _space, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if keyword == "msgid":
                entry.line = number
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                target = (keyword, 0)
            else:
                raise ValueError(f"{path}:{number}: unexpected {keyword!r}")
            _append(entry, target, ast.literal_eval(value), start=True)
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str, *, start: bool = False) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    else:
        current = "" if start else (getattr(entry, name) or "")
        setattr(entry, name, current + text)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    return [entry for entry in parse_po(po_path(language)) if entry.msgid]


def header(language: str) -> dict[str, str]:
    (head,) = [entry for entry in parse_po(po_path(language)) if entry.msgid == ""]
    assert "fuzzy" not in head.flags, f"the {language} header is marked fuzzy"
    pairs = (line.split(":", 1) for line in head.msgstr[0].splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        pytest.skip("GNU gettext's msgfmt is not installed (apt-get install gettext)")
    return path


# --- (a) The catalogues are complete and well formed ------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_is_valid(language):
    fields = header(language)

    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert (
        fields["Plural-Forms"]
        == {
            "fr": "nplurals=2; plural=(n > 1);",
            "en": "nplurals=2; plural=(n != 1);",
        }[language]
    )
    assert "PACKAGE" not in fields["Project-Id-Version"]


def test_every_french_message_is_translated_and_none_is_fuzzy():
    entries = messages("fr")
    assert len(entries) > 50, "the French catalogue looks empty: run `make messages`"

    fuzzy = [entry.label for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry.label
        for entry in entries
        if not entry.msgstr
        or any(not text.strip() for text in entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]

    assert not fuzzy, "fuzzy French entries (review them, then drop the flag):\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated French entries:\n" + "\n".join(untranslated)


def test_french_translations_keep_placeholders_and_markup():
    wrong = []
    for entry in messages("fr"):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid_plural]
        for text in entry.msgstr.values():
            for source in sources:
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                    wrong.append(f"{entry.label}: placeholders differ in {text!r}")
                if sorted(re.findall(r"</?\w+", text)) != sorted(re.findall(r"</?\w+", source)):
                    wrong.append(f"{entry.label}: HTML differs in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_english_and_french_catalogues_hold_the_same_messages():
    def keys(language: str) -> set[tuple[str | None, str]]:
        return {(entry.msgctxt, entry.msgid) for entry in messages(language)}

    assert keys("fr") == keys("en"), "run `make messages` to refresh both catalogues"


def test_catalogues_hold_every_string_of_the_source(tmp_path, monkeypatch, settings):
    """makemessages run now on a copy of the package finds exactly the committed messages."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed (apt-get install gettext)")
    copy = tmp_path / "comptoir"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "*.pyc"),
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]

    call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)

    def keys(path: Path) -> set[tuple[str | None, str, str | None]]:
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural)
            for entry in parse_po(path)
            if entry.msgid
        }

    current = keys(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    committed = keys(po_path("fr"))
    missing = sorted(current - committed, key=str)
    obsolete = sorted(committed - current, key=str)
    assert not missing and not obsolete, (
        "the catalogues are out of date: run `make messages`, then translate the French.\n"
        f"missing: {missing}\nno longer in the source: {obsolete}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language):
    result = subprocess.run(
        [msgfmt(), "--check", "--statistics", "-o", "/dev/null", str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if language == "fr":
        # msgfmt agrees with the parser above: no fuzzy and no untranslated entry.
        assert "fuzzy" not in result.stderr, result.stderr
        assert "untranslated" not in result.stderr, result.stderr
        assert f"{len(messages('fr'))} translated message" in result.stderr, result.stderr


# --- (b) The committed .mo files are compiled from the current .po files ----------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_its_po(language, tmp_path):
    po = po_path(language)
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"

    fresh = tmp_path / "django.mo"
    # The same options as Django's compilemessages.
    subprocess.run([msgfmt(), "--check-format", "-o", str(fresh), str(po)], check=True)

    with committed.open("rb") as stream:
        committed_catalogue = gettext.GNUTranslations(stream)._catalog  # type: ignore[attr-defined]
    with fresh.open("rb") as stream:
        fresh_catalogue = gettext.GNUTranslations(stream)._catalog  # type: ignore[attr-defined]

    stale = {
        key
        for key in committed_catalogue.keys() | fresh_catalogue.keys()
        if committed_catalogue.get(key) != fresh_catalogue.get(key)
    }
    assert not stale, (
        f"{committed} is out of date with {po.name} (run `make messages`): {sorted(stale)[:10]}"
    )


# --- (c) Django serves the translations ---------------------------------------------------


def test_django_translates_through_the_catalogue():
    with translation.override("fr"):
        assert _("Help center") == "Centre d'aide"
        assert _("Sign in") == "Se connecter"
        assert str(Role.CUSTOMER.label) == "Client"
    with translation.override("en"):
        assert _("Help center") == "Help center"


def page_text(response) -> str:
    assert response.status_code == 200, response
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_portal_follows_the_browser_language_for_visitors(client):
    french = page_text(client.get(reverse("portal_home"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in french
    assert "Centre d'aide" in french
    assert "Comment pouvons-nous vous aider" in french

    english = page_text(client.get(reverse("portal_home"), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in english
    assert "Help center" in english


@pytest.mark.django_db
def test_a_signed_in_user_gets_their_profile_language_whatever_the_browser_says(client):
    user = UserFactory(language=Language.FRENCH)
    client.force_login(user)

    response = client.get(reverse("portal_home"), HTTP_ACCEPT_LANGUAGE="en")
    text = page_text(response)

    assert '<html lang="fr">' in text
    assert "Centre d'aide" in text
    assert "Votre organisation" in text
    assert response.headers["Content-Language"] == "fr"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_names_each_language_in_itself(client, language):
    text = page_text(client.get(reverse("portal_home"), HTTP_ACCEPT_LANGUAGE=language))

    assert '<option value="en" lang="en">English</option>' in text.replace(" selected", "")
    assert '<option value="fr" lang="fr">Français</option>' in text.replace(" selected", "")


# --- (d) No English text is left unwrapped in our templates ---------------------------------


class _VisibleText(HTMLParser):
    """Collects what a person sees or hears: text nodes and labelling attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in TRANSLATABLE_ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(content: str) -> str:
    parser = _VisibleText()
    parser.feed(content)
    return "\n".join(parser.chunks)


def english_phrases() -> list[str]:
    """The hand-picked list, plus every multi-word message the French catalogue changes."""
    phrases = set(ENGLISH_PHRASES)
    for entry in messages("fr"):
        if entry.msgstr.get(0) == entry.msgid:
            continue
        # The longest literal run of the message, without its placeholders.
        literal = max(PLACEHOLDER.split(entry.msgid), key=len).strip(" ,.:;")
        if " " in literal:
            phrases.add(literal)
    return sorted(phrases)


def english_in(text: str) -> list[str]:
    return [
        phrase
        for phrase in english_phrases()
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
    ]


@pytest.fixture
def french_agent(db) -> User:
    agent = AgentFactory(
        email="agent@exemple.fr", full_name="Camille Martin", language=Language.FRENCH
    )
    TeamFactory(name="Niveau 2", members=[agent])
    OrganisationFactory(name="Société Dupont", shared_tickets=True)
    return agent


@pytest.fixture
def french_customer(db) -> User:
    organisation = OrganisationFactory(name="Boulangerie Durand", shared_tickets=True)
    UserFactory(
        email="collegue@durand.example",
        full_name="Jeanne Petit",
        organisation=organisation,
        language=Language.FRENCH,
    )
    return UserFactory(
        email="client@durand.example",
        full_name="Louis Durand",
        organisation=organisation,
        language=Language.FRENCH,
    )


@pytest.mark.parametrize("url_name", ["portal_home", "agent_home", "profile"])
def test_agent_pages_show_no_english_in_french(client, french_agent, url_name):
    client.force_login(french_agent)
    text = visible_text(page_text(client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")))

    assert text, "the page rendered nothing"
    assert not english_in(text), f"English left on {url_name} in French:\n{text}"


@pytest.mark.parametrize("url_name", ["portal_home", "profile"])
def test_customer_pages_show_no_english_in_french(client, french_customer, url_name):
    client.force_login(french_customer)
    text = visible_text(page_text(client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")))

    assert "Louis Durand" in text
    assert not english_in(text), f"English left on {url_name} in French:\n{text}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["portal_home", "account_login", "account_signup"])
def test_visitor_pages_show_no_english_in_french(client, url_name):
    text = visible_text(page_text(client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="fr")))

    assert text, "the page rendered nothing"
    assert not english_in(text), f"English left on {url_name} in French:\n{text}"


@pytest.mark.django_db
def test_lockout_page_shows_no_english_in_french():
    request = RequestFactory().get("/accounts/login/")
    with translation.override("fr"):
        text = visible_text(
            html.unescape(render_to_string("accounts/locked_out.html", {}, request))
        )

    assert "Trop de tentatives" in text
    assert not english_in(text), f"English left on the lock-out page in French:\n{text}"


def _template_text(source: str) -> tuple[list[str], list[str]]:
    """The text a template shows outside translation tags: (text nodes, attribute values)."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(r"{#.*?#}", "", source, flags=re.S)
    source = re.sub(
        r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", "", source, flags=re.S
    )
    # Blocks named ``*_class`` fill a class attribute (``{% block body_class %}agent{% endblock %}``).
    source = re.sub(r"{%\s*block\s+\w*class\s*%}.*?{%\s*endblock\b.*?%}", "", source, flags=re.S)
    attributes = [
        re.sub(r"{%.*?%}|{{.*?}}", "", value)
        for _name, _quote, value in re.findall(
            rf"\b({'|'.join(TRANSLATABLE_ATTRIBUTES)})=([\"'])(.*?)\2", source, flags=re.S
        )
    ]
    source = re.sub(r"{%.*?%}|{{.*?}}", "", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    texts = [chunk.strip() for chunk in html.unescape(source).splitlines() if chunk.strip()]
    return texts, attributes


def _has_words(text: str) -> bool:
    for word in UNTRANSLATED_WORDS:
        text = text.replace(word, "")
    return bool(re.search(r"[^\W\d_]", text))


@pytest.mark.parametrize(
    "template",
    sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")),
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_template_wraps_every_visible_string(template):
    texts, attributes = _template_text(template.read_text(encoding="utf-8"))

    unwrapped = [text for text in texts + attributes if _has_words(text)]
    assert not unwrapped, (
        f"{template.relative_to(PACKAGE)} shows text outside {{% translate %}}: {unwrapped}"
    )
