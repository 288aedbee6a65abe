from __future__ import annotations

import pytest

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import Channel, MessageKind, Status
from comptoir.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed, TicketClosed
from comptoir.tickets.models import HistoryEntry, Ticket
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db


def test_opening_a_ticket_numbers_it_and_stores_the_description(dave, committed):
    with committed() as events:
        first = open_ticket(dave, subject="  VPN   drops  ", body="**Every** hour")
        second = open_ticket(dave)

    assert second.number == first.number + 1
    assert first.subject == "VPN drops"
    assert first.status == Status.NEW
    assert first.organisation == dave.organisation
    assert first.channel == Channel.WEB
    message = first.messages.get()
    assert message.author == dave and message.kind == MessageKind.REPLY
    assert message.body_html == "<p><strong>Every</strong> hour</p>\n"
    assert [e.type for e in events] == ["ticket.created", "ticket.created"]
    assert HistoryEntry.objects.filter(ticket=first, field="created").exists()


@pytest.mark.parametrize(
    ("source", "channel"),
    [(Source.WEB, "web"), (Source.EMAIL, "email"), (Source.API, "api"), (Source.CHAT, "chat")],
)
def test_every_source_opens_the_same_ticket(dave, source, channel, committed):
    # Web, email, API and chat all go through the one service: same state, same events.
    with committed() as events:
        ticket = services.do_open_ticket(
            requester=dave, subject="Hi", body="Hello", actor=dave, source=source
        )

    assert (ticket.status, ticket.channel, ticket.messages.count()) == (Status.NEW, channel, 1)
    assert [(e.type, e.source) for e in events] == [("ticket.created", source.value)]
    assert list(ticket.history.values_list("field", "source")) == [("created", source.value)]


def test_empty_subject_or_body_is_refused_with_field_errors(dave):
    with pytest.raises(InvalidInput) as caught:
        open_ticket(dave, subject="   ")
    assert "subject" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        open_ticket(dave, body="")
    assert "body" in caught.value.errors
    assert not Ticket.objects.exists()


def test_markdown_is_sanitised(dave):
    ticket = open_ticket(
        dave, body="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )

    html = ticket.messages.get().body_html
    assert "<script" not in html
    assert "href" not in html  # the javascript: link stays inert text
    assert "<img" not in html  # raw HTML is shown as text, never as markup


def test_customers_cannot_set_agent_fields_or_open_for_others(dave, erin):
    with pytest.raises(NotAllowed):
        services.check_open_ticket(
            dave, subject="x", body="y", source=Source.WEB, priority="urgent"
        )
    with pytest.raises(NotAllowed):
        services.check_open_ticket(dave, subject="x", body="y", source=Source.WEB, requester=erin)


def test_agents_open_tickets_for_customers(alice, dave, team_a):
    ticket = services.check_open_ticket(
        alice, subject="Call", body="Customer phoned", source=Source.PHONE, requester=dave,
        priority="high", team=team_a, assignee=alice, tags=["Phone", "vip"],
    )  # fmt: skip

    assert ticket.requester == dave
    assert ticket.status == Status.OPEN  # assigned at once
    assert ticket.channel == Channel.PHONE
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["phone", "vip"]


def test_custom_fields_are_validated_on_the_server(dave):
    category = make_category(fields=[
        {"key": "invoice", "label": "Invoice number", "kind": "text", "required": True},
        {"key": "amount", "label": "Amount", "kind": "number"},
        {"key": "region", "label": "Region", "kind": "choice", "choices": [{"value": "eu", "label": "Europe"}]},
        {"key": "since", "label": "Since", "kind": "date"},
    ])  # fmt: skip

    with pytest.raises(InvalidInput) as caught:
        open_ticket(
            dave,
            category=category,
            custom_fields={"amount": "lots", "region": "mars", "since": "yesterday", "bogus": 1},
        )

    assert set(caught.value.errors) == {
        "cf_invoice",
        "cf_amount",
        "cf_region",
        "cf_since",
        "custom_fields",
    }
    ticket = open_ticket(
        dave,
        category=category,
        custom_fields={"invoice": "F-1", "amount": "12,50", "region": "eu", "since": "2026-11-02"},
    )
    assert ticket.custom_fields == {
        "invoice": "F-1",
        "amount": "12.50",
        "region": "eu",
        "since": "2026-11-02",
    }


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["open", "pending", "on_hold", "solved", "closed"], True),
        (["solved", "open"], True),
        (["open", "new"], False),
        (["closed"], False),
        (["solved", "closed", "open"], False),
    ],
)
def test_status_transitions_are_enforced(dave, alice, path, allowed):
    ticket = open_ticket(dave)
    try:
        for status in path:
            services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status=status)
    except (InvalidTransition, TicketClosed):
        assert not allowed
    else:
        assert allowed


def test_solving_and_closing_stamp_the_time(dave, alice):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    assert ticket.solved_at is not None
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="closed")
    assert ticket.closed_at is not None


def test_a_closed_ticket_is_final(dave, alice):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="closed")

    with pytest.raises(TicketClosed):
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, priority="high")


def test_history_records_each_change_with_old_and_new_values(dave, alice, team_a, committed):
    ticket = open_ticket(dave)
    with committed() as events:
        services.do_update_ticket(
            ticket, actor=alice, source=Source.API, priority="urgent", team=team_a, assignee=alice
        )

    entries = {
        e.field: (e.old, e.new, e.source, e.actor) for e in ticket.history.exclude(field="created")
    }
    assert entries["priority"] == ("normal", "urgent", "api", alice)
    assert entries["assignee"] == ("", "Alice Agent", "api", alice)
    assert entries["team"] == ("", "Team A", "api", alice)
    assert entries["status"] == ("new", "open", "api", alice)  # assigning opens a new ticket
    assert [e.type for e in events] == ["ticket.updated"]
    assert events[0].payload["changes"]["priority"] == ["normal", "urgent"]


def test_a_change_that_changes_nothing_records_nothing(dave, alice, committed):
    ticket = open_ticket(dave)
    with committed() as events:
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, priority="normal")

    assert events == []
    assert ticket.history.count() == 1


def test_assignee_must_be_an_agent_of_the_team(dave, alice, bob, team_a):
    ticket = open_ticket(dave)
    with pytest.raises(InvalidInput):
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, assignee=dave)
    with pytest.raises(InvalidInput):
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, team=team_a, assignee=bob)


def test_moving_to_another_team_unassigns_a_non_member(dave, alice, team_a, team_b):
    ticket = open_ticket(dave, team=team_a, assignee=alice)

    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, team=team_b)

    assert ticket.assignee is None


def test_tags_are_normalised_and_replaced(dave, alice):
    ticket = open_ticket(dave, tags=["VPN"])

    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, tags=["Remote Access", "vpn"])

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["remote-access", "vpn"]
    assert ticket.history.get(field="tags").new == "remote-access, vpn"


def test_customer_can_mark_solved_and_reopen_but_nothing_else(dave, alice):
    ticket = open_ticket(dave)

    with pytest.raises(NotAllowed):
        services.check_update_ticket(dave, ticket, source=Source.WEB, priority="urgent")
    with pytest.raises(InvalidTransition):
        services.check_update_ticket(dave, ticket, source=Source.WEB, status="open")
    services.check_update_ticket(dave, ticket, source=Source.WEB, status="solved")
    services.check_update_ticket(dave, ticket, source=Source.WEB, status="open")
    assert ticket.status == Status.OPEN


def test_strangers_cannot_change_a_ticket(dave, erin, bob, team_a, alice):
    ticket = open_ticket(dave, team=team_a)

    with pytest.raises(NotAllowed):
        services.check_update_ticket(erin, ticket, source=Source.WEB, status="solved")
    with pytest.raises(NotAllowed):  # Bob is not in team A
        services.check_update_ticket(bob, ticket, source=Source.WEB, priority="high")


def test_bulk_update_reports_each_ticket(dave, alice):
    tickets = [open_ticket(dave) for _ in range(3)]
    services.do_update_ticket(tickets[1], actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(tickets[1], actor=alice, source=Source.WEB, status="closed")

    result = services.do_bulk_update(tickets, actor=alice, source=Source.WEB, priority="high")

    assert result.updated == [tickets[0].number, tickets[2].number]
    assert list(result.failed) == [tickets[1].number]
    assert Ticket.objects.filter(priority="high").count() == 2


# --- Adding tags ---------------------------------------------------------------------------


def tag_names(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def test_add_tags_adds_to_the_tags_there_with_history_and_event(dave, alice, committed):
    ticket = open_ticket(dave, tags=["printer"])

    with committed() as events:
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, add_tags=["VIP", "vpn"])

    assert tag_names(ticket) == ["printer", "vip", "vpn"]
    entry = ticket.history.get(field="tags")
    assert (entry.old, entry.new, entry.actor) == ("printer", "printer, vip, vpn", alice)
    assert [e.type for e in events] == ["ticket.updated"]
    assert events[0].payload["changes"] == {"tags": [["printer"], ["printer", "vip", "vpn"]]}


def test_add_tags_keeps_a_tag_added_since_the_ticket_was_read(dave, alice, bob):
    # Alice's copy of the ticket was read before Bob tagged it: adding hers must not
    # drop his.
    ticket = open_ticket(dave, tags=["printer"])
    stale = Ticket.objects.prefetch_related("tags").get(pk=ticket.pk)
    assert [tag.name for tag in stale.tags.all()] == ["printer"]
    services.do_update_ticket(ticket, actor=bob, source=Source.WEB, add_tags=["billing"])

    services.do_update_ticket(stale, actor=alice, source=Source.WEB, add_tags=["vip"])

    assert tag_names(ticket) == ["billing", "printer", "vip"]
    assert ticket.history.filter(field="tags").latest("id").old == "billing, printer"


def test_add_tags_with_tags_adds_to_the_new_list(dave, alice):
    ticket = open_ticket(dave, tags=["printer"])

    services.do_update_ticket(
        ticket, actor=alice, source=Source.WEB, tags=["vpn"], add_tags=["vip"]
    )

    assert tag_names(ticket) == ["vip", "vpn"]


def test_adding_tags_already_there_records_nothing(dave, alice, committed):
    ticket = open_ticket(dave, tags=["printer", "vip"])

    with committed() as events:
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, add_tags=["VIP"])

    assert events == []
    assert not ticket.history.filter(field="tags").exists()


def test_adding_tags_past_the_limit_is_refused_and_changes_nothing(dave, alice):
    ticket = open_ticket(dave, tags=[f"t{n}" for n in range(29)])

    with pytest.raises(InvalidInput):
        services.do_update_ticket(ticket, actor=alice, source=Source.WEB, add_tags=["a", "b"])

    assert len(tag_names(ticket)) == 29
    assert not ticket.history.filter(field="tags").exists()


def test_customers_cannot_add_tags(dave):
    ticket = open_ticket(dave)

    with pytest.raises(NotAllowed):
        services.check_update_ticket(dave, ticket, source=Source.WEB, add_tags=["vip"])


def test_bulk_add_tags_adds_to_each_tickets_own_tags(dave, alice, committed):
    tagged, plain = open_ticket(dave, tags=["printer"]), open_ticket(dave)

    with committed() as events:
        result = services.do_bulk_update(
            [tagged, plain], actor=alice, source=Source.WEB, add_tags=["vip"]
        )

    assert result.updated == [tagged.number, plain.number]
    assert (tag_names(tagged), tag_names(plain)) == (["printer", "vip"], ["vip"])
    assert [(e.type, e.payload["number"], e.payload["changes"]) for e in events] == [
        ("ticket.updated", tagged.number, {"tags": [["printer"], ["printer", "vip"]]}),
        ("ticket.updated", plain.number, {"tags": [[], ["vip"]]}),
    ]


def test_bulk_update_does_not_undo_a_change_made_since_the_list_was_read(dave, alice, bob):
    # The bulk saves each ticket whole: from a stale copy it would put the old priority back.
    ticket = open_ticket(dave, tags=["printer"])
    stale = Ticket.objects.get(pk=ticket.pk)
    services.do_update_ticket(
        ticket, actor=bob, source=Source.WEB, priority="urgent", add_tags=["billing"]
    )

    services.do_bulk_update([stale], actor=alice, source=Source.WEB, add_tags=["vip"])

    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert tag_names(ticket) == ["billing", "printer", "vip"]


def test_bulk_reports_a_ticket_deleted_since_the_list_was_read(dave, alice):
    gone, kept = open_ticket(dave), open_ticket(dave)
    Ticket.objects.filter(pk=gone.pk).delete()

    result = services.do_bulk_update([gone, kept], actor=alice, source=Source.WEB, priority="high")

    assert result.updated == [kept.number]
    assert result.failed == {gone.number: "Not found."}
    assert not Ticket.objects.filter(pk=gone.pk).exists()
