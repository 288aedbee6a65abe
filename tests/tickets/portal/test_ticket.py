"""The customer portal: one request — read, reply, solve, reopen, and nobody else's.

Dave and Grace work at Acme, which shares tickets; Erin (Globex) must never see theirs.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import CUSTOMER_EXPLANATIONS, MessageKind, Status
from comptoir.tickets.models import Attachment
from tests.factories import open_ticket
from tests.tickets.portal.helpers import (
    HTMX,
    NEW,
    anonymised,
    detail,
    page,
    solve_and_close,
    text_file,
)


def test_ticket_page_shows_status_explanation_fields_and_conversation(
    client, dave, alice, hardware
):
    ticket = open_ticket(
        dave,
        subject="Printer on fire",
        body="It **smokes**.",
        category=hardware,
        custom_fields={"serial": "SN-42", "region": "eu"},
    )
    services.check_add_message(alice, ticket, body="Unplug it, please.", source=Source.WEB)
    client.force_login(dave)

    text = page(client.get(detail(ticket)))

    assert f"Request #{ticket.number}" in text
    assert '<span class="badge status-open">Open</span>' in text
    assert str(CUSTOMER_EXPLANATIONS[Status.OPEN]) in text
    assert "Serial number" in text and "SN-42" in text
    assert "Region" in text and "Europe" in text
    assert "<strong>smokes</strong>" in text
    assert "Unplug it, please." in text and "Alice Agent" in text and "Support team" in text


def test_ticket_page_shows_attachment_links_with_name_and_size(client, dave):
    ticket = open_ticket(dave, uploads=[text_file("log.txt", b"x" * 2048)])
    attachment = Attachment.objects.get(ticket=ticket)
    client.force_login(dave)

    text = page(client.get(detail(ticket)))

    assert reverse("portal_tickets:attachment", args=[attachment.public_id]) in text
    assert "log.txt" in text and "2.0 KB" in text


def test_customers_never_see_internal_notes_or_their_attachments(client, dave, alice):
    ticket = open_ticket(dave)
    services.check_add_message(
        alice,
        ticket,
        body="Customer is on the legacy plan",
        kind=MessageKind.NOTE,
        source=Source.WEB,
        uploads=[text_file("internal.txt")],
    )
    client.force_login(dave)

    for url in (detail(ticket), reverse("portal_tickets:conversation", args=[ticket.number])):
        text = page(client.get(url))
        assert "legacy plan" not in text
        assert "internal.txt" not in text


def test_ticket_page_wires_the_conversation_for_live_refresh(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    text = page(client.get(detail(ticket)))

    assert f'data-live-ticket="{ticket.public_id}"' in text
    conversation = reverse("portal_tickets:conversation", args=[ticket.number])
    assert f'hx-get="{conversation}" hx-trigger="ticket-changed from:body"' in text
    assert 'hx-swap="outerHTML"' in text


def test_conversation_partial_returns_the_conversation_and_the_status_box(client, dave, alice):
    ticket = open_ticket(dave)
    services.check_add_message(alice, ticket, body="On it.", source=Source.WEB)
    client.force_login(dave)

    text = page(client.get(reverse("portal_tickets:conversation", args=[ticket.number]), **HTMX))

    assert "<html" not in text
    assert '<section id="conversation"' in text and "On it." in text
    assert 'id="ticket-status"' in text and 'hx-swap-oob="true"' in text


def test_a_colleague_of_a_sharing_organisation_sees_and_answers_the_ticket(client, dave, grace):
    ticket = open_ticket(dave, subject="Shared problem")
    client.force_login(grace)

    text = page(client.get(detail(ticket)))
    response = client.post(
        reverse("portal_tickets:reply", args=[ticket.number]), {"body": "Me too"}
    )

    assert "Shared problem" in text and "Dave Miller" in text
    assert response.status_code == 302
    assert ticket.messages.filter(author=grace, body="Me too").exists()


def test_another_customers_ticket_page_is_not_found(client, dave, erin):
    ticket = open_ticket(dave, subject="Secret subject")
    client.force_login(erin)

    response = client.get(detail(ticket))

    assert response.status_code == 404
    assert "Secret subject" not in page(response)


def test_another_customers_conversation_partial_is_not_found(client, dave, erin):
    ticket = open_ticket(dave, body="Secret body")
    client.force_login(erin)

    response = client.get(reverse("portal_tickets:conversation", args=[ticket.number]), **HTMX)

    assert response.status_code == 404
    assert "Secret body" not in page(response)


def test_another_customer_cannot_reply(client, dave, erin):
    ticket = open_ticket(dave)
    client.force_login(erin)

    response = client.post(reverse("portal_tickets:reply", args=[ticket.number]), {"body": "Hi"})

    assert response.status_code == 404
    assert ticket.messages.count() == 1


def test_another_customer_cannot_mark_the_ticket_solved(client, dave, erin):
    ticket = open_ticket(dave)
    client.force_login(erin)

    response = client.post(
        reverse("portal_tickets:status", args=[ticket.number]), {"status": "solved"}
    )

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_an_unknown_number_answers_like_a_hidden_ticket(client, dave, erin):
    hidden = open_ticket(dave)
    client.force_login(erin)

    unknown = client.get(reverse("portal_tickets:detail", args=[hidden.number + 100]))
    forbidden = client.get(detail(hidden))

    assert unknown.status_code == forbidden.status_code == 404
    assert anonymised(unknown, hidden.number + 100) == anonymised(forbidden, hidden.number)
    assert "We cannot find this request" in page(unknown)


def test_a_reply_is_added_and_the_page_jumps_to_it(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    response = client.post(
        reverse("portal_tickets:reply", args=[ticket.number]),
        {"body": "Here is the log", "attachments": [text_file("log.txt")]},
    )

    message = ticket.messages.latest("id")
    assert response.status_code == 302
    assert response.url == f"{detail(ticket)}#message-{message.pk}"
    assert message.body == "Here is the log"
    assert message.attachments.get().name == "log.txt"


def test_an_empty_reply_is_refused_on_its_field(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    response = client.post(reverse("portal_tickets:reply", args=[ticket.number]), {"body": "  "})

    assert response.status_code == 200
    assert 'id="id_body_error"' in page(response)
    assert ticket.messages.count() == 1


def test_mark_solved_then_reopen(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)
    status_url = reverse("portal_tickets:status", args=[ticket.number])

    solved = client.post(status_url, {"status": "solved"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert "marked as solved" in page(solved)
    assert ">Reopen<" in page(solved)

    reopened = client.post(status_url, {"status": "open"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert "open again" in page(reopened)
    assert ticket.history.filter(field="status", actor=dave, source="web").count() == 2


def test_an_unsolved_ticket_offers_this_is_solved_and_not_reopen(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    text = page(client.get(detail(ticket)))

    assert "This is solved" in text and ">Reopen<" not in text


def test_reopening_a_ticket_that_is_not_solved_says_why(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    response = client.post(
        reverse("portal_tickets:status", args=[ticket.number]), {"status": "open"}, follow=True
    )

    assert "Only a solved request can be reopened." in page(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_customer_cannot_set_other_statuses(client, dave):
    ticket = open_ticket(dave)
    client.force_login(dave)

    client.post(reverse("portal_tickets:status", args=[ticket.number]), {"status": "closed"})

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_closed_ticket_has_no_reply_form_and_offers_a_new_request(client, dave, alice):
    ticket = open_ticket(dave)
    solve_and_close(ticket, alice)
    client.force_login(dave)

    text = page(client.get(detail(ticket)))

    assert "can no longer receive replies" in text
    assert reverse("portal_tickets:reply", args=[ticket.number]) not in text
    assert f"{NEW}?follow_up={ticket.number}" in text
    assert "This is solved" not in text and ">Reopen<" not in text


def test_a_reply_to_a_closed_ticket_says_so_and_keeps_the_text(client, dave, alice):
    # The reply form was open in another tab while an agent closed the ticket.
    ticket = open_ticket(dave)
    solve_and_close(ticket, alice)
    client.force_login(dave)

    response = client.post(
        reverse("portal_tickets:reply", args=[ticket.number]),
        {"body": "One more thing: it beeps."},
    )

    text = page(response)
    assert response.status_code == 200
    assert f"Request #{ticket.number} is closed, so it can no longer receive replies" in text
    assert "One more thing: it beeps." in text
    assert "Continue as a new request" in text
    assert ticket.messages.count() == 1


def test_a_merged_ticket_shows_a_banner_linking_to_the_one_it_was_merged_into(client, dave, alice):
    duplicate = open_ticket(dave, subject="Printer smoking")
    target = open_ticket(dave, subject="Printer on fire")
    services.check_merge_tickets(alice, duplicate, target, source=Source.WEB)
    client.force_login(dave)

    text = page(client.get(detail(duplicate)))

    assert (
        f'This request was merged into <a href="{detail(target)}">request #{target.number}</a>'
        in text
    )
    assert f"Go to request #{target.number}" in text


# User, organisation, the tickets the customer follows, the ticket with its tags and
# followers (ticket_for), the category's fields, the messages with their authors, their
# attachments.
DETAIL_QUERIES = 9


@pytest.mark.parametrize("replies", [1, 12])
def test_ticket_page_query_count_does_not_grow_with_the_conversation(
    client, dave, alice, hardware, replies, django_assert_num_queries
):
    ticket = open_ticket(dave, category=hardware, custom_fields={"serial": "SN-1"})
    for index in range(replies):
        author = alice if index % 2 else dave
        services.check_add_message(
            author, ticket, body=f"Reply {index}", source=Source.WEB, uploads=[text_file()]
        )
    client.force_login(dave)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail(ticket))

    assert page(response).count('<article class="entry') == replies + 1
