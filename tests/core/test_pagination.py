from __future__ import annotations

import pytest

from comptoir.core.exceptions import InvalidInput
from comptoir.core.models import AuditEntry
from comptoir.core.pagination import keyset_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    from django.utils import timezone

    now = timezone.now()
    # Equal timestamps in pairs: the id must break ties so no row is skipped or repeated.
    return [
        AuditEntry.objects.create(
            event_id=f"e{n}",
            type="t",
            source="web",
            occurred_at=now.replace(microsecond=0) - timezone.timedelta(seconds=n // 2),
        )
        for n in range(7)
    ]


def test_walking_every_page_yields_each_row_once_in_order(entries):
    order = ("-occurred_at", "-id")
    seen, cursor = [], None
    while True:
        page = keyset_page(AuditEntry.objects.all(), order=order, cursor=cursor, size=3)
        seen += page.items
        if not page.has_next:
            break
        cursor = page.next_cursor

    expected = list(AuditEntry.objects.order_by(*order))
    assert seen == expected


def test_a_page_costs_one_query_whatever_its_depth(entries, django_assert_num_queries):
    first = keyset_page(AuditEntry.objects.all(), order=("-occurred_at", "-id"), size=2)
    with django_assert_num_queries(1):
        keyset_page(
            AuditEntry.objects.all(),
            order=("-occurred_at", "-id"),
            cursor=first.next_cursor,
            size=2,
        )


@pytest.mark.parametrize("cursor", ["not-base64!!", "W10", "WyJ4Il0", "eyJhIjoxfQ"])
def test_a_tampered_cursor_is_a_clear_error(entries, cursor):
    with pytest.raises(InvalidInput):
        keyset_page(AuditEntry.objects.all(), order=("-occurred_at", "-id"), cursor=cursor)


def test_ascending_order_works_too(entries):
    page = keyset_page(AuditEntry.objects.all(), order=("id",), size=4)
    rest = keyset_page(AuditEntry.objects.all(), order=("id",), cursor=page.next_cursor, size=4)

    assert [e.pk for e in page.items + rest.items] == sorted(e.pk for e in entries)
