"""Shared fixtures: personas, captured events, and test-friendly settings.

Personas (STYLE.md): an administrator; Alice, agent of team A; Bob, agent of team B;
Dave, customer of Acme (whose members share tickets) and his colleague Grace; Erin,
customer of Globex. Every endpoint test says who may and who may not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from comptoir.accounts.choices import Role
from comptoir.accounts.models import Organisation, Team, User
from comptoir.core.events import Event, capture_events
from tests.factories import AgentFactory, OrganisationFactory, TeamFactory, UserFactory

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Subscribers run as soon as they are enqueued, in the test's thread; the real
    # workers (database and RQ) are exercised in tests/integration.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # No collectstatic in tests: serve static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
    # Each test starts from an empty cache: what a test cached (reference data, sidebar
    # counts) was read from rows its rolled-back transaction took away.
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with committed() as events:`` runs the block as if its transaction committed at the
    end (the test's own transaction never does), then holds the events dispatched, in order.
    A rolled-back block dispatches nothing, as in production."""

    @contextmanager
    def _committed() -> Iterator[list[Event]]:
        with capture_events() as captured, django_capture_on_commit_callbacks(execute=True):
            yield captured

    return _committed


@pytest.fixture
def acme(db: None) -> Organisation:
    return OrganisationFactory(name="Acme", shared_tickets=True)


@pytest.fixture
def globex(db: None) -> Organisation:
    return OrganisationFactory(name="Globex", shared_tickets=False)


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(email="admin@example.com", full_name="Ada Admin", role=Role.ADMIN)


@pytest.fixture
def team_a(db: None) -> Team:
    return TeamFactory(name="Team A")


@pytest.fixture
def team_b(db: None) -> Team:
    return TeamFactory(name="Team B")


@pytest.fixture
def alice(team_a: Team) -> User:
    agent = AgentFactory(email="alice@example.com", full_name="Alice Agent")
    team_a.members.add(agent)
    return agent


@pytest.fixture
def bob(team_b: Team) -> User:
    agent = AgentFactory(email="bob@example.com", full_name="Bob Agent")
    team_b.members.add(agent)
    return agent


@pytest.fixture
def dave(acme: Organisation) -> User:
    return UserFactory(email="dave@acme.example", full_name="Dave Miller", organisation=acme)


@pytest.fixture
def grace(acme: Organisation) -> User:
    return UserFactory(email="grace@acme.example", full_name="Grace Hopper", organisation=acme)


@pytest.fixture
def erin(globex: Organisation) -> User:
    return UserFactory(email="erin@globex.example", full_name="Erin Walsh", organisation=globex)
