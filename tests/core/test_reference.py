"""Reference data kept between requests: read once, read again after any change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.models import Team, User
from comptoir.accounts.queries import agents_visible_to, teams_visible_to
from comptoir.catalog.models import Product
from comptoir.catalog.queries import products_visible_to
from comptoir.core import reference
from comptoir.tickets.models import Category

pytestmark = pytest.mark.django_db


def counting_reader(value: Any) -> tuple[list[int], Any]:
    calls: list[int] = []

    def read() -> Any:
        calls.append(1)
        return value

    return calls, read


def test_a_value_is_read_once_until_a_watched_model_changes(alice: User) -> None:
    calls, read = counting_reader(["Team A"])

    assert reference.cached("teams", read) == ["Team A"]
    assert reference.cached("teams", read) == ["Team A"]
    assert len(calls) == 1

    Team.objects.create(name="Team C")
    reference.cached("teams", read)
    assert len(calls) == 2


def test_a_change_moves_the_generation_again_when_its_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    calls, read = counting_reader([])
    with django_capture_on_commit_callbacks(execute=True):
        Category.objects.create(name="Billing")
        # A request between the write and the commit caches what it reads...
        reference.cached("categories", read)
    # ...and the commit makes the next one read again.
    reference.cached("categories", read)

    assert len(calls) == 2


def test_deleting_a_watched_row_moves_the_generation() -> None:
    product = Product.objects.create(name="Router X")
    calls, read = counting_reader([])
    reference.cached("products", read)

    product.delete()
    reference.cached("products", read)

    assert len(calls) == 2


def test_signing_in_does_not_throw_the_cache_away(alice: User) -> None:
    calls, read = counting_reader([])
    reference.cached("agents", read)

    update_last_login(None, alice)
    reference.cached("agents", read)

    assert len(calls) == 1


def test_a_rolled_back_change_still_reads_again_safely() -> None:
    calls, read = counting_reader([])
    reference.cached("teams", read)
    with pytest.raises(RuntimeError), transaction.atomic():
        Team.objects.create(name="Never")
        raise RuntimeError

    reference.cached("teams", read)

    assert len(calls) == 2  # a spurious read, never a stale one


def test_what_agents_share_is_the_same_for_every_agent(
    admin_user: User, alice: User, bob: User
) -> None:
    # The agent forms cache these lists once for all agents (tickets/forms/agent.py):
    # that holds only while every agent sees the same rows.
    Product.objects.create(name="Retired", is_active=False)
    for query in (agents_visible_to, teams_visible_to, products_visible_to):
        seen = [
            list(query(user).order_by("pk").values_list("pk", flat=True))
            for user in (admin_user, alice, bob)
        ]
        assert seen[0] == seen[1] == seen[2], query.__name__


def test_a_new_team_shows_in_the_list_filters_on_the_next_request(
    client: Any, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    url = reverse("agent_tickets:list")
    assert "Team Zeta" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        Team.objects.create(name="Team Zeta")

    assert "Team Zeta" in client.get(url).content.decode()


def test_the_list_page_reads_the_reference_data_once_for_all_requests(
    client: Any, alice: User
) -> None:
    Category.objects.create(name="Billing")
    client.force_login(alice)
    url = reverse("agent_tickets:list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    read_from = {
        re.match(r'SELECT .*? FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries
    }  # type: ignore[union-attr]
    assert not read_from & {
        "accounts_team",
        "tickets_category",
        "catalog_product",
        "tickets_savedview",
    }
    assert "accounts_user" in read_from  # the session's user, as on every page
