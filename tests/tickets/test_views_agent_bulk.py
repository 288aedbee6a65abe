"""Bulk actions from a ticket list: one service, each ticket reported, strangers ignored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.models import HistoryEntry, Ticket
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

BULK = reverse("agent_tickets:bulk")


def post(client, tickets: list[Ticket], **changes: str):
    data = {"tickets": [str(t.number) for t in tickets], "next": "view=open", **changes}
    return client.post(BULK, data)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_bulk_sets_status_and_priority_through_the_service(signed_in, dave, alice, team_a):
    tickets = [open_ticket(dave, team=team_a) for _ in range(3)]

    response = post(signed_in, tickets, status="pending", priority="urgent")

    assert response.status_code == 302
    assert response.url == f"{reverse('agent_tickets:list')}?view=open"
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority) == ("pending", "urgent")
        assert HistoryEntry.objects.filter(ticket=ticket, field="priority", actor=alice).exists()


def test_bulk_assigns_to_me_and_to_a_team(signed_in, dave, alice, team_a):
    tickets = [open_ticket(dave) for _ in range(2)]

    post(signed_in, tickets, assignee="me", team=team_a.public_id)

    assert set(Ticket.objects.values_list("assignee", "team")) == {(alice.pk, team_a.pk)}


def test_bulk_add_tags_keeps_the_tags_already_there(signed_in, dave, team_a):
    tagged = open_ticket(dave, team=team_a, tags=["printer"])
    plain = open_ticket(dave, team=team_a)

    post(signed_in, [tagged, plain], add_tags="vip, urgent-fix")

    assert sorted(tagged.tags.values_list("name", flat=True)) == ["printer", "urgent-fix", "vip"]
    assert sorted(plain.tags.values_list("name", flat=True)) == ["urgent-fix", "vip"]


def test_bulk_add_tags_is_one_service_call_recording_each_tickets_change(
    signed_in, dave, alice, team_a, monkeypatch, committed
):
    tagged = open_ticket(dave, team=team_a, tags=["printer"])
    plain = open_ticket(dave, team=team_a)
    calls = []
    real = services.do_bulk_update

    def spy(tickets, **options):
        calls.append(options)
        return real(tickets, **options)

    monkeypatch.setattr(services, "do_bulk_update", spy)

    with committed() as events:
        post(signed_in, [tagged, plain], add_tags="vip", priority="high")

    assert [sorted(call) for call in calls] == [["actor", "add_tags", "priority", "source"]]
    assert calls[0]["add_tags"] == ["vip"]
    entries = HistoryEntry.objects.filter(field="tags", actor=alice).order_by("ticket__number")
    assert [(e.old, e.new) for e in entries] == [("printer", "printer, vip"), ("", "vip")]
    assert [e.payload["changes"]["tags"] for e in events if e.type == "ticket.updated"] == [
        [["printer"], ["printer", "vip"]],
        [[], ["vip"]],
    ]


def test_bulk_add_tags_keeps_a_tag_added_while_the_bulk_runs(
    signed_in, dave, bob, team_a, monkeypatch
):
    # Between the moment the list is read and the moment a ticket's turn comes, another
    # agent tags it: their tag must stay.
    first = open_ticket(dave, team=team_a, tags=["printer"])
    second = open_ticket(dave, team=team_a, tags=["printer"])
    real = services.do_bulk_update

    def meanwhile(tickets, **options):
        services.do_update_ticket(
            Ticket.objects.get(pk=second.pk), actor=bob, source=Source.WEB, add_tags=["billing"]
        )
        return real(tickets, **options)

    monkeypatch.setattr(services, "do_bulk_update", meanwhile)

    post(signed_in, [first, second], add_tags="vip")

    assert sorted(first.tags.values_list("name", flat=True)) == ["printer", "vip"]
    assert sorted(second.tags.values_list("name", flat=True)) == ["billing", "printer", "vip"]


def test_a_strangers_ticket_number_posted_in_bulk_is_ignored(signed_in, dave, erin, team_a, team_b):
    # Alice posts a number she may not see (Team B's): it must be left untouched.
    mine = open_ticket(dave, team=team_a)
    foreign = open_ticket(erin, team=team_b)

    response = signed_in.post(
        BULK,
        {"tickets": [str(mine.number), str(foreign.number)], "priority": "urgent", "next": ""},
        HTTP_HX_REQUEST="true",
    )

    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert foreign.priority == "normal"
    assert not HistoryEntry.objects.filter(ticket=foreign, field="priority").exists()
    assert mine.priority == "urgent"
    assert response.context["bulk"]["ignored"] == 1
    assert response.context["bulk"]["updated"] == [mine.number]


def test_bulk_reports_each_ticket_the_service_refused_and_why(signed_in, dave, alice, team_a):
    fine = open_ticket(dave, team=team_a)
    closed = open_ticket(dave, team=team_a)
    services.do_update_ticket(closed, actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(closed, actor=alice, source=Source.WEB, status="closed")

    response = signed_in.post(
        BULK,
        {
            "tickets": [str(fine.number), str(closed.number)],
            "priority": "high",
            "next": "view=open",
        },
        HTTP_HX_REQUEST="true",
    )

    bulk = response.context["bulk"]
    assert bulk["updated"] == [fine.number]
    assert list(bulk["failed"]) == [closed.number]
    assert "closed" in bulk["failed"][closed.number]
    page = response.content.decode()
    assert f"#{closed.number}" in page
    assert "1 ticket updated." in page


def test_bulk_without_a_change_or_a_selection_says_so(signed_in, dave, team_a):
    ticket = open_ticket(dave, team=team_a)

    nothing_chosen = signed_in.post(
        BULK, {"tickets": [str(ticket.number)], "next": ""}, HTTP_HX_REQUEST="true"
    )
    nothing_selected = signed_in.post(
        BULK, {"priority": "high", "next": ""}, HTTP_HX_REQUEST="true"
    )

    assert nothing_chosen.context["bulk"]["errors"] == ["Choose a change to apply."]
    assert nothing_selected.context["bulk"]["errors"] == ["Select at least one ticket."]


def test_bulk_with_htmx_shows_the_list_again_with_the_same_filters(signed_in, dave, team_a):
    urgent = open_ticket(dave, team=team_a, priority="urgent")
    open_ticket(dave, team=team_a, priority="low")

    response = signed_in.post(
        BULK,
        {"tickets": [str(urgent.number)], "status": "pending", "next": "view=open&priority=urgent"},
        HTTP_HX_REQUEST="true",
    )

    assert response.templates[0].name == "tickets/agent/partials/_list_refresh.html"
    assert [t.number for t in response.context["page"].items] == [urgent.number]


def test_customers_cannot_post_bulk_changes(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    assert post(client, [ticket], status="solved").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"
