"""Rows of the agent's ticket lists, rendered in Python (``tickets/rows.py``)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation

from comptoir.tickets import listing
from comptoir.tickets.models import Ticket
from comptoir.tickets.rows import RowRenderer
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db

ALL_COLUMNS = listing.columns_for([column.key for column in listing.COLUMNS])


def _cells(html: str) -> dict[str, str]:
    """Each cell's inner HTML by column key."""
    return dict(re.findall(r'<td class="col-([a-z]+)"[^>]*>(.*?)</td>', html, re.S))


def _listed(*tickets: Ticket) -> list[Ticket]:
    shaped = listing.list_queryset(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]),
        ALL_COLUMNS,
        listing.SORTS_BY_KEY[listing.DEFAULT_SORT],
    )
    now = timezone.now()
    rows = list(shaped.order_by("number"))
    for ticket in rows:
        ticket.overdue = ticket.is_overdue(now)  # type: ignore[attr-defined]
    return rows


def test_every_column_shows_its_value_escaped(alice, dave, team_a):
    ticket = open_ticket(
        dave,
        subject='Invoice <script>alert("x")</script> & co',
        category=make_category("Billing <b>"),
        assignee=alice,
        team=team_a,
        priority="urgent",
        tags=["vip", "refund"],
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    html = str(RowRenderer(ALL_COLUMNS).render(_listed(ticket)))
    cells = _cells(html)

    assert "<script>" not in html
    assert f'<a href="/agent/tickets/{ticket.number}/" class="ticket-number">' in cells["number"]
    assert "Invoice &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in cells["subject"]
    assert '<span class="tag">refund</span>' in cells["subject"]
    assert cells["requester"] == "Dave Miller"
    assert cells["organisation"] == "Acme"
    assert cells["status"] == '<span class="badge status-open">Open</span>'
    assert cells["priority"] == '<span class="badge priority-urgent">Urgent</span>'
    assert cells["category"] == "Billing &lt;b&gt;"
    assert cells["assignee"] == "Alice Agent"
    assert cells["team"] == "Team A"
    assert 'class="overdue"' in cells["due"]
    assert f'value="{ticket.number}"' in html
    assert f'aria-label="Select ticket #{ticket.number}"' in html
    assert 'title="Dave Miller"' in html  # long names are cut; the title keeps them whole


def test_missing_values_show_a_dash_and_nobody_assigned_says_so(erin):
    ticket = open_ticket(erin, subject="Lost parcel")
    ticket.organisation = None
    ticket.save(update_fields=["organisation"])
    cells = _cells(str(RowRenderer(ALL_COLUMNS).render(_listed(ticket))))

    assert cells["organisation"] == "—"
    assert cells["category"] == "—"
    assert cells["team"] == "—"
    assert cells["due"] == "—"
    assert cells["assignee"] == '<span class="muted">Unassigned</span>'


def test_labels_and_dates_follow_the_language_and_time_zone(dave):
    ticket = open_ticket(dave, subject="Imprimante")
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    with translation.override("fr"), timezone.override("Europe/Paris"):
        html = str(RowRenderer(ALL_COLUMNS).render(_listed(ticket)))
    cells = _cells(html)

    assert 'data-label="Demandeur"' in html
    assert "Nouveau" in cells["status"]
    assert "Sans responsable" in cells["assignee"]
    # 23:30 UTC is past midnight in Paris, shown the French way.
    assert cells["created"] == '<time datetime="2026-03-02T00:30:00+01:00">02/03/2026 00:30</time>'
    assert 'aria-label="Sélectionner le ticket' in html


def test_only_the_chosen_columns_are_rendered(dave):
    ticket = open_ticket(dave)
    columns = listing.columns_for(["number", "status"])
    cells = _cells(str(RowRenderer(columns).render(_listed(ticket))))

    assert list(cells) == ["number", "status"]
