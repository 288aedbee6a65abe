"""The customer portal: the list of my requests, its search and paging.

Dave and Grace work at Acme, which shares tickets; Erin (Globex) must never see theirs.
"""

from __future__ import annotations

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import Status
from tests.factories import open_ticket
from tests.tickets.portal.helpers import (
    HTMX,
    HTMX_LIST,
    LIST,
    detail,
    page,
)


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
