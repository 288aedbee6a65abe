"""Tickets over the API: list with filters and cursors, open, read, change, merge."""

from __future__ import annotations

import datetime

import pytest

from comptoir.catalog.models import Product
from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.models import Ticket
from tests.api.conftest import assert_error
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def close(ticket, agent):
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status="solved")
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status="closed")


# --- Listing ----------------------------------------------------------------------------


def test_agents_list_tickets_most_recently_updated_first(api_as, alice, dave, erin):
    first, second = open_ticket(dave), open_ticket(erin)
    services.do_update_ticket(first, actor=alice, source=Source.WEB, priority="high")

    assert numbers(api_as(alice).get("/tickets")) == [first.number, second.number]


def test_a_ticket_shows_public_ids_and_numbers_never_database_ids(api_as, alice, dave, team_a):
    ticket = open_ticket(dave, team=team_a, tags=["printer"])

    item = api_as(alice).get("/tickets").json()["items"][0]

    assert item["id"] == ticket.public_id and item["number"] == ticket.number
    assert item["requester"] == {
        "id": dave.public_id,
        "name": "Dave Miller",
        "email": "dave@acme.example",
    }
    assert item["organisation"]["id"] == dave.organisation.public_id
    assert item["team"] == {"id": team_a.public_id, "name": "Team A"}
    assert item["tags"] == ["printer"]
    assert item["url"].endswith(f"/api/v1/tickets/{ticket.number}")
    assert item["created_at"].endswith("Z")
    assert str(ticket.pk) not in {str(v) for v in item.values() if not isinstance(v, dict)} - {
        str(ticket.number)
    }


def test_customers_do_not_see_internal_fields(api_as, alice, dave, team_a):
    ticket = open_ticket(dave, team=team_a, tags=["vip"])
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, assignee=alice)

    item = api_as(dave).get(f"/tickets/{ticket.number}").json()

    assert item["team"] is None and item["tags"] == [] and item["due_at"] is None
    # The assignee's name shows, not their email address.
    assert item["assignee"] == {"id": alice.public_id, "name": "Alice Agent", "email": None}


def test_customers_may_not_filter_on_internal_fields(api_as, dave, team_a):
    open_ticket(dave, team=team_a, tags=["vip"])
    client = api_as(dave)

    assert_error(client.get("/tickets", {"tag": "vip"}), 403, "forbidden")
    assert_error(client.get("/tickets", {"team": team_a.public_id}), 403, "forbidden")


def test_status_filter_may_be_repeated(api_as, alice, dave):
    new, pending, solved = open_ticket(dave), open_ticket(dave), open_ticket(dave)
    services.do_update_ticket(pending, actor=alice, source=Source.WEB, status="pending")
    services.do_update_ticket(solved, actor=alice, source=Source.WEB, status="solved")

    response = api_as(alice).get("/tickets", {"status": ["new", "pending"]})

    assert sorted(numbers(response)) == [new.number, pending.number]


def test_assignee_filter_takes_me_none_or_a_public_id(api_as, alice, admin_user, dave):
    mine, theirs, nobodys = open_ticket(dave), open_ticket(dave), open_ticket(dave)
    services.do_update_ticket(mine, actor=alice, source=Source.WEB, assignee=alice)
    services.do_update_ticket(theirs, actor=alice, source=Source.WEB, assignee=admin_user)
    client = api_as(alice)

    assert numbers(client.get("/tickets", {"assignee": "me"})) == [mine.number]
    assert numbers(client.get("/tickets", {"assignee": "none"})) == [nobodys.number]
    assert numbers(client.get("/tickets", {"assignee": admin_user.public_id})) == [theirs.number]


def test_team_requester_and_organisation_filters(api_as, admin_user, dave, erin, team_a):
    daves = open_ticket(dave, team=team_a)
    erins = open_ticket(erin)
    client = api_as(admin_user)

    assert numbers(client.get("/tickets", {"team": team_a.public_id})) == [daves.number]
    assert numbers(client.get("/tickets", {"team": "none"})) == [erins.number]
    assert numbers(client.get("/tickets", {"requester": "ERIN@globex.example"})) == [erins.number]
    assert numbers(client.get("/tickets", {"requester": dave.public_id})) == [daves.number]
    assert numbers(client.get("/tickets", {"organisation": erin.organisation.public_id})) == [
        erins.number
    ]


def test_priority_type_tag_category_and_channel_filters(api_as, alice, dave):
    billing = make_category("Billing")
    urgent = open_ticket(dave, priority="urgent", type="incident", tags=["printer"])
    filed = open_ticket(dave, category=billing)
    phoned = open_ticket(dave, channel="phone")
    client = api_as(alice)

    assert numbers(client.get("/tickets", {"priority": "urgent"})) == [urgent.number]
    assert numbers(client.get("/tickets", {"type": "incident"})) == [urgent.number]
    assert numbers(client.get("/tickets", {"tag": "printer"})) == [urgent.number]
    assert numbers(client.get("/tickets", {"category": billing.pk})) == [filed.number]
    assert numbers(client.get("/tickets", {"channel": "phone"})) == [phoned.number]


def test_updated_after_and_created_after_filters(api_as, alice, dave):
    old, new = open_ticket(dave), open_ticket(dave)
    Ticket.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=3),
        updated_at=old.updated_at - datetime.timedelta(days=3),
    )
    since = (new.created_at - datetime.timedelta(days=1)).isoformat()
    client = api_as(alice)

    assert numbers(client.get("/tickets", {"updated_after": since})) == [new.number]
    assert numbers(client.get("/tickets", {"created_after": since})) == [new.number]


def test_text_search_goes_through_ticket_search(api_as, alice, dave, committed):
    with committed():  # the search index follows committed events
        printer = open_ticket(dave, subject="Printer on fire")
        open_ticket(dave, subject="Invoice charged twice")

    assert numbers(api_as(alice).get("/tickets", {"q": "printer"})) == [printer.number]


def test_a_cursor_walk_visits_every_ticket_once_in_order(api_as, alice, dave):
    opened = [open_ticket(dave, subject=f"Ticket {n}") for n in range(5)]
    client = api_as(alice)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/tickets", params).json()
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == [ticket.number for ticket in reversed(opened)]


def test_listing_costs_the_same_queries_for_one_or_many_tickets(
    api_as, alice, dave, team_a, django_assert_max_num_queries
):
    client = api_as(alice)
    client.get("/users/me")  # last_used written once; later requests only read the token
    open_ticket(dave, team=team_a, tags=["a"])
    with django_assert_max_num_queries(3):
        assert len(client.get("/tickets").json()["items"]) == 1

    for n in range(5):
        open_ticket(dave, team=team_a, tags=[f"t{n}"], category=make_category(f"C{n}"))
    with django_assert_max_num_queries(3):
        assert len(client.get("/tickets").json()["items"]) == 6


def test_a_page_holds_at_most_200_tickets(api_as, alice):
    error = assert_error(api_as(alice).get("/tickets", {"limit": 201}), 422, "invalid")

    assert list(error["fields"]) == ["limit"]


# --- Opening ----------------------------------------------------------------------------


def test_a_customer_opens_a_ticket_for_themselves(api_as, dave):
    response = api_as(dave).post("/tickets", {"subject": "Printer on fire", "body": "Smoke!"})

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.requester == dave and ticket.channel == "api"
    assert body["status"] == "new" and body["requester"]["id"] == dave.public_id
    assert ticket.messages.get().body == "Smoke!"


def test_an_agent_opens_a_ticket_for_a_customer_with_agent_fields(api_as, alice, dave, team_a):
    product = Product.objects.create(name="LaserJet")
    response = api_as(alice).post(
        "/tickets",
        {
            "subject": "Call about toner",
            "body": "Customer phoned.",
            "requester": "dave@acme.example",
            "priority": "high",
            "type": "task",
            "team": team_a.public_id,
            "assignee": alice.public_id,
            "tags": ["Toner"],
            "product": product.public_id,
        },
    )

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.requester, ticket.priority, ticket.type) == (dave, "high", "task")
    assert (ticket.team, ticket.assignee, ticket.product) == (team_a, alice, product)
    assert list(ticket.tags.values_list("name", flat=True)) == ["toner"]
    assert ticket.status == "open"  # someone owns it


def test_a_customer_may_not_set_agent_fields(api_as, dave):
    response = api_as(dave).post(
        "/tickets", {"subject": "Urgent!", "body": "Please", "priority": "urgent"}
    )

    assert_error(response, 403, "forbidden")
    assert not Ticket.objects.exists()


def test_an_agent_must_name_a_known_requester(api_as, alice):
    client = api_as(alice)

    missing = assert_error(client.post("/tickets", {"subject": "S", "body": "B"}), 422, "invalid")
    unknown = assert_error(
        client.post("/tickets", {"subject": "S", "body": "B", "requester": "who@nowhere.example"}),
        422,
        "invalid",
    )

    assert "requester" in missing["fields"] and "requester" in unknown["fields"]


def test_custom_field_errors_come_back_per_field(api_as, dave):
    category = make_category(
        "Billing",
        fields=[{"key": "invoice", "label": "Invoice", "kind": "number", "required": True}],
    )

    error = assert_error(
        api_as(dave).post(
            "/tickets",
            {
                "subject": "Charged twice",
                "body": "See invoice",
                "category": category.pk,
                "custom_fields": {"invoice": "abc"},
            },
        ),
        422,
        "invalid",
    )

    assert list(error["fields"]) == ["cf_invoice"]


def test_unknown_and_mistyped_fields_are_refused_by_name(api_as, dave):
    error = assert_error(
        api_as(dave).post("/tickets", {"subject": "S", "bodyy": "typo", "priority": "soon"}),
        422,
        "invalid",
    )

    assert set(error["fields"]) == {"body", "bodyy", "priority"}


# --- Reading and changing ----------------------------------------------------------------


def test_get_one_ticket_by_number(api_as, dave):
    ticket = open_ticket(dave)

    response = api_as(dave).get(f"/tickets/{ticket.number}")

    assert response.status_code == 200
    assert response.json()["subject"] == "Printer on fire"


def test_an_unknown_ticket_is_404(api_as, alice):
    assert_error(api_as(alice).get("/tickets/999999"), 404, "not_found")


def test_patch_changes_only_the_fields_given(api_as, alice, dave):
    ticket = open_ticket(dave, type="incident")

    response = api_as(alice).patch(f"/tickets/{ticket.number}", {"priority": "urgent"})

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.type, ticket.subject) == (
        "urgent",
        "incident",
        "Printer on fire",
    )
    changed = list(ticket.history.exclude(field="created").values_list("field", "source"))
    assert changed == [("priority", "api")]


def test_patch_with_null_clears_a_reference(api_as, alice, dave, team_a):
    ticket = open_ticket(dave, team=team_a, assignee=alice)

    response = api_as(alice).patch(f"/tickets/{ticket.number}", {"assignee": None})

    assert response.status_code == 200
    assert response.json()["assignee"] is None
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.team == team_a


def test_patch_refuses_null_where_a_value_is_needed(api_as, alice, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(alice).patch(f"/tickets/{ticket.number}", {"subject": None, "status": None}),
        422,
        "invalid",
    )

    assert set(error["fields"]) == {"subject", "status"}


def test_a_customer_marks_their_ticket_solved(api_as, dave):
    ticket = open_ticket(dave)

    response = api_as(dave).patch(f"/tickets/{ticket.number}", {"status": "solved"})

    assert response.status_code == 200 and response.json()["status"] == "solved"


def test_a_customer_may_not_change_the_priority(api_as, dave):
    ticket = open_ticket(dave)

    assert_error(
        api_as(dave).patch(f"/tickets/{ticket.number}", {"priority": "urgent"}), 403, "forbidden"
    )


def test_a_closed_ticket_cannot_change(api_as, alice, dave):
    ticket = open_ticket(dave)
    close(ticket, alice)

    error = assert_error(
        api_as(alice).patch(f"/tickets/{ticket.number}", {"priority": "low"}), 409, "ticket_closed"
    )

    assert "closed" in error["message"]


def test_an_impossible_status_change_is_a_conflict(api_as, alice, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(alice).patch(f"/tickets/{ticket.number}", {"status": "closed"}),
        409,
        "invalid_transition",
    )

    assert list(error["fields"]) == ["status"]


# --- Merging ------------------------------------------------------------------------------


def test_an_agent_merges_a_ticket_into_another(api_as, alice, dave):
    duplicate, original = open_ticket(dave), open_ticket(dave)

    response = api_as(alice).post(f"/tickets/{duplicate.number}/merge", {"into": original.number})

    assert response.status_code == 200 and response.json()["number"] == original.number
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into == original
    assert (
        api_as(alice).get(f"/tickets/{duplicate.number}").json()["merged_into"] == original.number
    )


def test_merging_into_an_unknown_ticket_names_the_field(api_as, alice, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(alice).post(f"/tickets/{ticket.number}/merge", {"into": 999999}), 422, "invalid"
    )

    assert list(error["fields"]) == ["into"]


def test_merging_a_ticket_into_itself_names_the_field(api_as, alice, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(alice).post(f"/tickets/{ticket.number}/merge", {"into": ticket.number}),
        422,
        "invalid",
    )

    assert list(error["fields"]) == ["into"]


def test_customers_may_not_merge(api_as, dave):
    first, second = open_ticket(dave), open_ticket(dave)

    assert_error(
        api_as(dave).post(f"/tickets/{first.number}/merge", {"into": second.number}),
        403,
        "forbidden",
    )
