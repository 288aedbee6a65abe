"""The customer portal's request pages: submit, list, read, reply, solve, reopen.

Dave and Grace work at Acme, which shares tickets; Erin (Globex) must never see theirs.
"""

from __future__ import annotations

import html
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.catalog.models import Product
from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import CUSTOMER_EXPLANATIONS, FieldKind, MessageKind, Status
from comptoir.tickets.models import Attachment, Ticket
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db

NEW = reverse("portal_tickets:new")
LIST = reverse("portal_tickets:list")
HTMX = {"HTTP_HX_REQUEST": "true"}
HTMX_LIST = {**HTMX, "HTTP_HX_TARGET": "ticket-list"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hardware():
    return make_category(
        "Hardware",
        fields=[
            {"key": "serial", "label": "Serial number", "kind": FieldKind.TEXT, "required": True},
            {"key": "units", "label": "Units affected", "kind": FieldKind.NUMBER},
            {
                "key": "region",
                "label": "Region",
                "kind": FieldKind.CHOICE,
                "choices": [
                    {"value": "eu", "label": "Europe"},
                    {"value": "us", "label": "America"},
                ],
            },
            {"key": "bought", "label": "Bought on", "kind": FieldKind.DATE},
        ],
    )


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def anonymised(response, number: int) -> str:
    """The page without what differs by design: CSRF tokens (masked afresh for every
    response) and the number asked for (in the language switcher's "next")."""
    content = response.content.decode().replace(str(number), "N")
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", content)


def detail(ticket: Ticket) -> str:
    return reverse("portal_tickets:detail", args=[ticket.number])


def text_file(name="notes.txt", content=b"hello, world\n", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(client, **overrides):
    data = {"subject": "Printer on fire", "description": "It **smokes**.", **overrides}
    return client.post(NEW, {k: v for k, v in data.items() if v is not None})


def solve_and_close(ticket: Ticket, agent) -> None:
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status=Status.SOLVED)
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status=Status.CLOSED)


# --- Submitting a request -----------------------------------------------------------------


def test_customer_opens_a_request_with_an_attachment(client, dave, hardware):
    client.force_login(dave)

    response = submit(
        client,
        category=hardware.pk,
        cf_serial="SN-42",
        cf_units="3",
        cf_region="eu",
        cf_bought="2026-01-15",
        attachments=[text_file()],
    )

    ticket = Ticket.objects.get(requester=dave)
    assert response.status_code == 302
    assert response.url == detail(ticket)
    assert ticket.subject == "Printer on fire"
    assert ticket.category == hardware
    assert ticket.custom_fields == {
        "serial": "SN-42",
        "units": 3,
        "region": "eu",
        "bought": "2026-01-15",
    }
    assert ticket.channel == "web"
    message = ticket.messages.get()
    assert message.body == "It **smokes**."
    assert message.attachments.get().name == "notes.txt"
    assert f"#{ticket.number}" in page(client.get(response.url))


def test_new_request_offers_active_categories_and_products_only(client, dave, hardware):
    retired = make_category("Retired")
    retired.is_active = False
    retired.save()
    Product.objects.create(name="Widget Pro")
    Product.objects.create(name="Old Widget", is_active=False)
    client.force_login(dave)

    text = page(client.get(NEW))

    assert "Hardware" in text and "Retired" not in text
    assert "Widget Pro" in text and "Old Widget" not in text
    assert "Markdown" in text
    assert "Up to 10 files, 20.0 MB each at most" in text


def test_choosing_a_category_returns_its_fields_as_a_partial(client, dave, hardware):
    client.force_login(dave)

    response = client.get(
        reverse("portal_tickets:custom_fields"), {"category": hardware.pk, "cf_serial": "SN-1"}
    )

    text = page(response)
    assert "<html" not in text
    assert 'name="cf_serial"' in text and 'value="SN-1"' in text
    assert 'type="number"' in text and 'type="date"' in text
    assert '<option value="eu">Europe</option>' in text


def test_values_of_fields_the_new_category_lacks_are_kept_for_switching_back(
    client, dave, hardware
):
    make_category("Billing", fields=[{"key": "invoice", "label": "Invoice", "kind": "text"}])
    client.force_login(dave)

    response = client.get(
        reverse("portal_tickets:custom_fields"),
        {"category": hardware.pk, "cf_invoice": "INV-7", "cf_serial": "SN-1"},
    )

    text = page(response)
    assert '<input type="hidden" name="cf_invoice" value="INV-7">' in text
    assert 'name="cf_serial"' in text and 'value="SN-1"' in text


def test_category_select_asks_htmx_for_the_fields_partial(client, dave, hardware):
    client.force_login(dave)

    text = page(client.get(NEW))

    assert f'hx-get="{reverse("portal_tickets:custom_fields")}"' in text
    assert 'hx-target="#custom-fields"' in text


def test_new_request_page_shows_the_fields_of_a_category_given_in_the_url(client, dave, hardware):
    client.force_login(dave)

    text = page(client.get(NEW, {"category": hardware.pk}))

    assert 'name="cf_serial"' in text


def test_without_javascript_show_fields_redisplays_the_form_with_the_category_fields(
    client, dave, hardware
):
    client.force_login(dave)

    response = submit(client, category=hardware.pk, refresh="1")

    text = page(response)
    assert response.status_code == 200
    assert 'name="cf_serial"' in text
    assert 'value="Printer on fire"' in text
    assert not Ticket.objects.exists()


def test_invalid_custom_field_is_shown_on_its_field_and_everything_typed_stays(
    client, dave, hardware
):
    client.force_login(dave)

    response = submit(
        client,
        category=hardware.pk,
        cf_serial="SN-42",
        cf_units="many",
        cf_region="us",
        cf_bought="2026-01-15",
    )

    text = page(response)
    assert response.status_code == 200
    assert "Units affected must be a number." in text
    assert 'id="id_cf_units_error"' in text
    assert 'aria-describedby="id_cf_units_helptext id_cf_units_error"' in text or (
        'aria-describedby="id_cf_units_error"' in text
    )
    assert 'value="Printer on fire"' in text
    assert "It **smokes**." in text
    assert f'<option value="{hardware.pk}" selected>' in text
    assert 'value="SN-42"' in text and 'value="many"' in text and 'value="2026-01-15"' in text
    assert '<option value="us" selected>' in text
    assert not Ticket.objects.exists()


def test_missing_required_custom_field_is_reported(client, dave, hardware):
    client.force_login(dave)

    text = page(submit(client, category=hardware.pk))

    assert 'id="id_cf_serial_error"' in text
    assert not Ticket.objects.exists()


def test_missing_subject_is_reported_and_the_description_and_category_stay(client, dave, hardware):
    client.force_login(dave)

    response = submit(client, subject="", category=hardware.pk, cf_serial="SN-9")

    text = page(response)
    assert response.status_code == 200
    assert 'id="id_subject_error"' in text
    assert "It **smokes**." in text
    assert 'value="SN-9"' in text
    assert f'<option value="{hardware.pk}" selected>' in text
    assert not Ticket.objects.exists()


def test_forbidden_file_is_refused_and_the_form_asks_to_choose_files_again(client, dave):
    client.force_login(dave)

    response = submit(
        client, attachments=[text_file("setup.exe", b"MZ\x90\x00", "application/octet-stream")]
    )

    text = page(response)
    assert response.status_code == 200
    assert "“setup.exe” is a type of file we do not accept" in text
    assert "please choose them again" in text
    assert 'id="id_attachments_error"' in text
    assert 'value="Printer on fire"' in text and "It **smokes**." in text
    assert not Ticket.objects.exists()


def test_oversize_file_is_refused_with_the_limit(client, dave, settings):
    settings.COMPTOIR_MAX_UPLOAD_MB = 1
    client.force_login(dave)

    response = submit(client, attachments=[text_file("big.log", b"x" * (1024 * 1024 + 1))])

    text = page(response)
    assert "“big.log” is too large" in text and "the limit is 1.0 MB" in text
    assert 'value="Printer on fire"' in text
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_error_elsewhere_asks_to_choose_the_files_again(client, dave):
    client.force_login(dave)

    text = page(submit(client, subject="", attachments=[text_file()]))

    assert "Your files were not sent: please choose them again" in text


def test_a_closed_tickets_follow_up_link_prefills_the_new_request(client, dave, alice):
    ticket = open_ticket(dave, subject="Printer jam")
    solve_and_close(ticket, alice)
    client.force_login(dave)

    text = page(client.get(NEW, {"follow_up": ticket.number}))

    assert f"Follow-up to #{ticket.number}: Printer jam" in text


# --- My requests ------------------------------------------------------------------------


def test_list_shows_my_tickets_and_my_organisations_with_whose_they_are(client, dave, grace, erin):
    open_ticket(dave, subject="Mine")
    open_ticket(grace, subject="Grace's")
    open_ticket(erin, subject="Erin's")
    client.force_login(dave)

    text = page(client.get(LIST))

    assert "Mine" in text and "Grace's" in text
    assert "Erin's" not in text
    assert "Requester" in text and "Grace Hopper" in text and ">You<" in text


def test_list_of_a_customer_whose_organisation_does_not_share_has_no_requester_column(client, erin):
    open_ticket(erin, subject="Erin's")
    client.force_login(erin)

    text = page(client.get(LIST))

    assert "Erin's" in text
    assert "Requester" not in text


def test_list_shows_translated_status_labels(client, dave):
    open_ticket(dave)
    dave.language = "fr"
    dave.save(update_fields=["language"])
    client.force_login(dave)

    text = page(client.get(LIST))

    with translation.override("fr"):
        label = str(Status.NEW.label)
    assert f'<span class="badge status-new">{label}</span>' in text


def test_list_shows_the_last_update_in_the_users_time_zone(client, dave):
    ticket = open_ticket(dave)
    dave.timezone = "Pacific/Auckland"
    dave.save(update_fields=["timezone"])
    client.force_login(dave)

    text = page(client.get(LIST))

    local = timezone.localtime(ticket.updated_at, zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert f'<time datetime="{local.isoformat()}"' in text
    assert "now" in text  # naturaltime: "now", "2 minutes ago"...


def test_open_tab_hides_solved_requests_and_the_solved_tab_shows_them(client, dave, alice):
    open_ticket(dave, subject="Still broken")
    solved = open_ticket(dave, subject="All good now")
    services.do_update_ticket(solved, actor=alice, source=Source.WEB, status=Status.SOLVED)
    client.force_login(dave)

    open_page = page(client.get(LIST))
    solved_page = page(client.get(LIST, {"status": "solved"}))
    all_page = page(client.get(LIST, {"status": "all"}))

    assert "Still broken" in open_page and "All good now" not in open_page
    assert "All good now" in solved_page and "Still broken" not in solved_page
    assert "All good now" in all_page and "Still broken" in all_page


# Session, user and organisation, the ids of the tickets the customer follows (see
# tickets_visible_to), then one query for the page of tickets and requesters.
LIST_QUERIES = 4


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_the_number_of_tickets(
    client, dave, grace, count, django_assert_num_queries
):
    for index in range(count):
        open_ticket(grace if index % 2 else dave, subject=f"Ticket {index}")
    client.force_login(dave)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert page(response).count('class="ticket-subject"') == min(count, 25)


def test_search_finds_a_request_by_subject(client, dave, committed):
    with committed():  # the search index is updated after commit
        open_ticket(dave, subject="Invoice charged twice")
        open_ticket(dave, subject="Printer on fire")
    client.force_login(dave)

    text = page(client.get(LIST, {"q": "invoice"}))

    assert "Invoice charged twice" in text and "Printer on fire" not in text


def test_search_finds_a_request_by_number(client, dave, committed):
    with committed():
        wanted = open_ticket(dave, subject="Invoice charged twice")
        open_ticket(dave, subject="Printer on fire")
    client.force_login(dave)

    text = page(client.get(LIST, {"q": f"#{wanted.number}", "status": "all"}))

    assert "Invoice charged twice" in text and "Printer on fire" not in text


def test_search_never_reaches_another_customers_requests(client, dave, erin, committed):
    with committed():
        open_ticket(erin, subject="Invoice from Globex")
    client.force_login(dave)

    text = page(client.get(LIST, {"q": "invoice", "status": "all"}))

    assert "Invoice from Globex" not in text
    assert "No request matches “invoice”" in text


def test_htmx_search_and_tabs_get_only_the_list_partial(client, dave, committed):
    with committed():
        open_ticket(dave, subject="Invoice charged twice")
    client.force_login(dave)

    response = client.get(LIST, {"q": "invoice", "status": "all"}, **HTMX_LIST)

    text = page(response)
    assert "<html" not in text
    assert "Invoice charged twice" in text
    assert 'form="ticket-search"' in text
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client, dave):
    client.force_login(dave)

    response = client.get(LIST, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX_LIST)

    assert "<html" in page(response)


def test_a_fragment_asked_for_after_sign_out_reloads_the_page(client, dave):
    ticket = open_ticket(dave)

    response = client.get(reverse("portal_tickets:conversation", args=[ticket.number]), **HTMX)

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_search_box_and_tabs_swap_the_list_and_push_the_url(client, dave):
    client.force_login(dave)

    text = page(client.get(LIST))

    assert 'hx-target="#ticket-list"' in text and 'hx-push-url="true"' in text
    assert 'id="ticket-list"' in text


def test_next_page_link_carries_the_cursor_and_the_filters(client, dave, committed):
    with committed():
        for index in range(26):
            open_ticket(dave, subject=f"Request {index:02d}")
    client.force_login(dave)

    first = client.get(LIST, {"q": "request"})
    next_url = first.context["next_url"]
    second = page(client.get(LIST + next_url))

    assert "cursor=" in next_url and "q=request" in next_url and "status=open" in next_url
    assert "Request 00" in second  # the oldest comes last
    assert "Request 25" not in second


def test_a_broken_cursor_shows_the_first_page_instead_of_an_error(client, dave):
    open_ticket(dave, subject="Still here")
    client.force_login(dave)

    response = client.get(LIST, {"cursor": "not-a-cursor"})

    assert response.status_code == 200
    assert "Still here" in page(response)


@pytest.mark.parametrize("url_name", ["list", "new"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(f"portal_tickets:{url_name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_visitor_is_sent_to_sign_in_from_a_ticket_page(client, dave):
    ticket = open_ticket(dave)

    response = client.get(detail(ticket))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- One request ------------------------------------------------------------------------


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
