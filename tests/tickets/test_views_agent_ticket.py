"""The agent's ticket page: what it shows, and each action it offers."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind, Status
from comptoir.tickets.models import HistoryEntry, Message, Ticket
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket, *args: str) -> str:
    return reverse(f"agent_tickets:{name}", args=[ticket.number, *args])


def history(ticket: Ticket) -> list[tuple[str, str, str, str]]:
    return list(
        HistoryEntry.objects.filter(ticket=ticket)
        .exclude(field="created")
        .values_list("field", "old", "new", "source")
    )


@pytest.fixture
def ticket(dave, team_a):
    return open_ticket(dave, subject="Printer on fire", team=team_a)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


# --- Reading ---------------------------------------------------------------------------


def test_the_page_shows_the_conversation_with_notes_labelled(signed_in, ticket, alice):
    services.check_add_message(
        alice, ticket, body="Checked the logs", kind=MessageKind.NOTE, source=Source.WEB
    )

    page = signed_in.get(url("detail", ticket)).content.decode()

    assert "Printer on fire" in page
    assert "It smokes." in page
    assert "Checked the logs" in page
    assert 'class="entry note"' in page
    assert "Internal note" in page


def test_attachments_link_to_the_checked_download(signed_in, ticket, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    message = services.check_add_message(
        alice, ticket, body="See log", source=Source.WEB,
        uploads=[SimpleUploadedFile("log.txt", b"boom")],
    )  # fmt: skip
    attachment = message.attachments.get()

    page = signed_in.get(url("detail", ticket)).content.decode()

    assert reverse("portal_tickets:attachment", args=[attachment.public_id]) in page
    assert "log.txt" in page


def test_history_names_who_when_how_and_shows_labels_not_codes(signed_in, ticket, alice):
    # Codes are stored; people read the (translated) labels of the choices.
    services.check_update_ticket(alice, ticket, source=Source.EMAIL, status="on_hold")

    rows = signed_in.get(url("detail", ticket)).context["history"]

    status_row = next(row for row in rows if row.entry.field == "status")
    assert (status_row.field, status_row.old, status_row.new) == ("Status", "New", "On hold")
    assert status_row.entry.actor == alice
    assert status_row.source == "Email"


def test_the_requester_panel_lists_their_other_tickets(signed_in, ticket, dave):
    other = open_ticket(dave, subject="Second problem")

    page = signed_in.get(url("detail", ticket)).content.decode()

    assert "dave@acme.example" in page
    assert "Acme" in page
    assert url("detail", other) in page


def test_parts_of_the_page_refresh_alone_and_cheaply(
    signed_in, ticket, django_assert_max_num_queries
):
    for part, template in [
        ("conversation", "_conversation.html"),
        ("history", "_history.html"),
        ("summary", "_summary.html"),
    ]:
        with django_assert_max_num_queries(8):  # session, user, ticket, its part
            response = signed_in.get(url("detail", ticket), {"part": part})
        assert response.templates[0].name == f"tickets/agent/partials/{template}"
        assert b"<html" not in response.content


def test_the_page_costs_the_same_queries_however_long_the_conversation(
    signed_in, ticket, alice, grace, django_assert_num_queries
):
    services.do_add_follower(ticket, grace, actor=alice, source=Source.WEB)
    signed_in.get(url("detail", ticket))  # warm the session and the sidebar counts
    with CaptureQueriesContext(connection) as short:
        signed_in.get(url("detail", ticket))
    for n in range(10):
        kind = MessageKind.NOTE if n % 2 else MessageKind.REPLY
        services.check_add_message(alice, ticket, body=f"m{n}", kind=kind, source=Source.WEB)

    with django_assert_num_queries(len(short.captured_queries)):
        signed_in.get(url("detail", ticket))


def test_the_side_panels_refresh_with_the_ticket_as_it_is_now(signed_in, ticket, bob, team_b):
    services.do_update_ticket(ticket, actor=None, source=Source.SYSTEM, priority="urgent")

    response = signed_in.get(url("detail", ticket), {"part": "panels"})

    assert response.templates[0].name == "tickets/agent/partials/_panels.html"
    assert response.context["properties_form"].initial["priority"] == "urgent"
    assert b"<html" not in response.content


def test_unknown_numbers_are_not_found(signed_in):
    assert signed_in.get(reverse("agent_tickets:detail", args=[999_999])).status_code == 404


def test_an_agent_of_another_team_gets_not_found_and_cannot_act(client, bob, ticket):
    client.force_login(bob)

    assert client.get(url("detail", ticket)).status_code == 404
    assert client.post(url("properties", ticket), {"priority": "urgent"}).status_code == 404
    assert client.post(url("message", ticket), {"kind": "reply", "body": "hi"}).status_code == 404
    assert client.post(url("assign", ticket), {"me": "1"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == "normal" and ticket.assignee is None
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    "name",
    ["detail", "message", "subject", "properties", "assign", "tags", "follower_add", "merge",
     "problem", "custom_fields"],
)  # fmt: skip
def test_customers_are_refused_every_agent_url(client, dave, ticket, name):
    client.force_login(dave)
    response = client.post(url(name, ticket)) if name != "detail" else client.get(url(name, ticket))
    assert response.status_code in (403, 405)
    assert client.get(url("detail", ticket)).status_code == 403


# --- Writing -----------------------------------------------------------------------------


def test_a_reply_is_sent_and_can_solve_the_ticket_at_once(signed_in, ticket, alice):
    response = signed_in.post(
        url("message", ticket), {"kind": "reply", "body": "Unplug it.", "status": "solved"}
    )

    assert response.status_code == 302
    message = ticket.messages.last()
    assert (message.body, message.kind, message.author) == ("Unplug it.", "reply", alice)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ("status", "new", "solved", "web") in history(ticket)


def test_a_note_stays_internal(signed_in, ticket):
    signed_in.post(url("message", ticket), {"kind": "note", "body": "Customer is VIP"})

    assert ticket.messages.last().kind == MessageKind.NOTE


def test_a_reply_with_files_stores_them(signed_in, ticket, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    signed_in.post(
        url("message", ticket),
        {"kind": "reply", "body": "Here", "attachments": [SimpleUploadedFile("a.txt", b"a")]},
    )

    assert ticket.messages.last().attachments.get().name == "a.txt"


def test_a_reply_refused_because_the_ticket_closed_keeps_its_text(signed_in, ticket, alice):
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="closed")

    response = signed_in.post(
        url("message", ticket), {"kind": "reply", "body": "A long careful answer"}
    )

    assert response.status_code == 400
    assert "A long careful answer" in response.content.decode()
    assert "This ticket is closed." in response.content.decode()
    assert ticket.messages.count() == 1


def test_an_empty_reply_is_refused_on_its_field(signed_in, ticket):
    response = signed_in.post(url("message", ticket), {"kind": "reply", "body": "  "})

    assert response.status_code == 400
    assert response.context["message_form"].errors["body"]


def test_a_refused_reply_keeps_the_other_forms_fresh(signed_in, ticket):
    response = signed_in.post(url("message", ticket), {"kind": "reply", "body": ""})

    assert not response.context["properties_form"].is_bound
    assert response.context["subject_form"].initial == {"subject": "Printer on fire"}


def test_the_subject_can_be_renamed(signed_in, ticket):
    signed_in.post(url("subject", ticket), {"subject": "Printer smoking"})

    ticket.refresh_from_db()
    assert ticket.subject == "Printer smoking"
    assert ("subject", "Printer on fire", "Printer smoking", "web") in history(ticket)


def test_an_empty_subject_is_refused_and_shown_again(signed_in, ticket):
    response = signed_in.post(url("subject", ticket), {"subject": "   "})

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.subject == "Printer on fire"


def properties(ticket: Ticket, **changes: str) -> dict[str, str]:
    """The properties form as shown (with its hidden initial values), then changed."""
    current = {
        "status": ticket.status, "priority": ticket.priority, "type": ticket.type,
        "category": str(ticket.category_id or ""), "product": "", "due_at": "",
    }  # fmt: skip
    data = {f"initial-{key}": value for key, value in current.items()}
    data.update(current)
    data.update(changes)
    return data


def test_properties_change_only_what_the_agent_changed(signed_in, ticket, bob):
    # Meanwhile a colleague raised the priority: submitting the status must not undo it.
    services.do_update_ticket(ticket, actor=bob, source=Source.WEB, priority="high")
    stale = properties(ticket, status="pending")
    stale["priority"] = stale["initial-priority"] = "normal"

    signed_in.post(url("properties", ticket), stale)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("pending", "high")
    assert ("status", "new", "pending", "web") in history(ticket)


def test_properties_set_type_due_date_and_category_fields(signed_in, ticket):
    category = make_category(
        "Billing", fields=[{"key": "invoice", "label": "Invoice", "kind": "text", "required": True}]
    )

    signed_in.post(
        url("properties", ticket),
        properties(
            ticket, type="incident", due_at="2030-01-02T10:30", category=str(category.pk),
            cf_invoice="F-2041",
        ),
    )  # fmt: skip

    ticket.refresh_from_db()
    assert ticket.type == "incident"
    # The agent typed their own local time (Alice's zone is Europe/Paris).
    assert ticket.due_at == datetime.datetime(2030, 1, 2, 9, 30, tzinfo=datetime.UTC)
    assert ticket.category == category
    assert ticket.custom_fields == {"invoice": "F-2041"}


def test_custom_field_errors_land_on_their_field_and_keep_the_input(signed_in, ticket):
    category = make_category(
        "Billing",
        fields=[
            {"key": "invoice", "label": "Invoice", "kind": "text", "required": True},
            {"key": "amount", "label": "Amount", "kind": "number"},
        ],
    )

    response = signed_in.post(
        url("properties", ticket),
        properties(ticket, category=str(category.pk), cf_amount="lots", priority="high"),
    )

    assert response.status_code == 400
    form = response.context["properties_form"]
    assert "cf_invoice" in form.errors and "cf_amount" in form.errors
    assert 'value="lots"' in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.category, ticket.priority) == (None, "normal")


def test_choosing_a_category_shows_its_fields(signed_in, ticket):
    category = make_category(
        "Hardware", fields=[{"key": "serial", "label": "Serial number", "kind": "text"}]
    )

    response = signed_in.get(url("custom_fields", ticket), {"category": category.pk})

    assert 'name="cf_serial"' in response.content.decode()


def test_an_illegal_status_change_is_refused_on_the_field(signed_in, ticket, alice):
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    ticket.refresh_from_db()

    response = signed_in.post(url("properties", ticket), properties(ticket, status="pending"))

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_assign_to_me(signed_in, ticket, alice):
    signed_in.post(url("assign", ticket), {"me": "1"})

    ticket.refresh_from_db()
    assert ticket.assignee == alice
    assert ("assignee", "", "Alice Agent", "web") in history(ticket)


def test_assign_a_team_and_one_of_its_agents(signed_in, ticket, bob, team_b):
    signed_in.post(
        url("assign", ticket),
        {
            "team": team_b.public_id, "assignee": bob.public_id,
            "initial-team": ticket.team.public_id, "initial-assignee": "",
        },
    )  # fmt: skip

    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (team_b, bob)


def test_assigning_an_agent_outside_the_team_is_refused_on_the_field(signed_in, ticket, bob):
    response = signed_in.post(
        url("assign", ticket),
        {
            "team": ticket.team.public_id, "assignee": bob.public_id,
            "initial-team": ticket.team.public_id, "initial-assignee": "",
        },
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["assign_form"].errors["assignee"]


def test_tags_are_replaced_by_what_the_agent_typed(signed_in, ticket):
    signed_in.post(url("tags", ticket), {"tags": "VIP, refund  printer"})

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["printer", "refund", "vip"]
    assert any(field == "tags" for field, *_rest in history(ticket))


def test_followers_are_added_by_email_and_removed(signed_in, ticket, grace):
    signed_in.post(url("follower_add", ticket), {"email": "GRACE@acme.example"})
    assert list(ticket.followers.all()) == [grace]

    signed_in.post(url("follower_remove", ticket, grace.public_id))
    assert not ticket.followers.exists()
    assert [row[0] for row in history(ticket)] == ["followers", "followers"]


def test_an_unknown_follower_email_is_refused_and_kept(signed_in, ticket):
    response = signed_in.post(url("follower_add", ticket), {"email": "nobody@nowhere.example"})

    assert response.status_code == 400
    assert 'value="nobody@nowhere.example"' in response.content.decode()


def test_merging_asks_to_confirm_with_both_subjects_first(signed_in, ticket, dave, team_a):
    target = open_ticket(dave, subject="Printer still on fire", team=team_a)

    response = signed_in.post(url("merge", ticket), {"target": target.number})

    page = response.content.decode()
    assert response.templates[0].name == "tickets/agent/merge_confirm.html"
    assert "Printer on fire" in page and "Printer still on fire" in page
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_confirmed_merge_moves_the_conversation(signed_in, ticket, dave, team_a):
    target = open_ticket(dave, subject="Printer still on fire", team=team_a)

    response = signed_in.post(url("merge", ticket), {"target": target.number, "confirm": "True"})

    assert response.url == url("detail", target)
    ticket.refresh_from_db()
    assert ticket.merged_into == target and ticket.status == Status.CLOSED
    assert Message.objects.filter(ticket=target).count() == 3
    assert ("merged_into", "", f"#{target.number}", "web") in history(ticket)


def test_merging_into_an_invisible_ticket_says_it_does_not_exist(signed_in, ticket, erin, team_b):
    hidden = open_ticket(erin, team=team_b)

    response = signed_in.post(url("merge", ticket), {"target": hidden.number, "confirm": "True"})

    assert response.status_code == 400
    assert response.context["merge_form"].errors["target"] == ["No ticket with this number."]
    hidden.refresh_from_db()
    assert not hidden.messages.exclude(body="It smokes.").exists()


def test_an_incident_links_to_its_problem(signed_in, ticket, dave, alice, team_a):
    problem = open_ticket(dave, subject="Printers down", team=team_a, type="problem")

    signed_in.post(url("problem", ticket), {"problem": problem.number})

    ticket.refresh_from_db()
    assert ticket.problem == problem and ticket.type == "incident"
    assert ("problem", "", f"#{problem.number}", "web") in history(ticket)
    assert url("detail", ticket) in signed_in.get(url("detail", problem)).content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_a_problem_reads_its_incidents_from_their_own_index(signed_in, dave, team_a):
    problem = open_ticket(dave, subject="Printers down", team=team_a, type="problem")
    with CaptureQueriesContext(connection) as captured:
        signed_in.get(url("detail", problem))
    [incidents] = [
        q["sql"]
        for q in captured.captured_queries
        if '"problem_id" =' in q["sql"] and 'ORDER BY "tickets_ticket"."number" DESC' in q["sql"]
    ]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {incidents}")
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    # Not a walk of every ticket number backwards (280 ms a page at a million tickets).
    assert "ticket_problem_number" in plan
    assert "TEMP B-TREE" not in plan


def test_linking_to_a_ticket_that_is_not_a_problem_is_refused(signed_in, ticket, dave, team_a):
    other = open_ticket(dave, team=team_a)

    response = signed_in.post(url("problem", ticket), {"problem": other.number})

    assert response.status_code == 400
    assert response.context["problem_form"].errors["problem"]
