"""Opening a ticket through the portal and through the API leaves the same ticket, the
same history and the same events; only the recorded channel differs."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts import services as account_services
from comptoir.catalog.models import Product
from comptoir.tickets.models import Ticket
from tests.api.conftest import API
from tests.factories import make_category

pytestmark = pytest.mark.django_db

SUBJECT = "Invoice charged twice"
BODY = "Invoice 2041 was charged twice on my card."


def open_by_web(user, category, product):
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        "/portal/tickets/new/",
        {
            "subject": SUBJECT,
            "description": BODY,
            "category": category.pk,
            "product": product.pk,
            "cf_invoice": "2041",
        },
    )
    assert response.status_code == 302, response.content


def open_by_api(user, category, product):
    key = account_services.check_create_api_token(user, name="sync", scope="write").key
    response = Client().post(
        f"{API}/tickets",
        {
            "subject": SUBJECT,
            "body": BODY,
            "category": category.pk,
            "product": product.public_id,
            "custom_fields": {"invoice": "2041"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("source", "open_ticket_by"), [("web", open_by_web), ("api", open_by_api)])
def test_web_and_api_produce_the_same_ticket_state_history_and_events(
    source, open_ticket_by, dave, committed
):
    category = make_category(
        "Billing", fields=[{"key": "invoice", "label": "Invoice", "kind": "number"}]
    )
    product = Product.objects.create(name="Comptoir Cloud")

    with committed() as events:
        open_ticket_by(dave, category, product)

    ticket = Ticket.objects.get()
    assert {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "requester": ticket.requester,
        "organisation": ticket.organisation,
        "category": ticket.category,
        "product": ticket.product,
        "custom_fields": ticket.custom_fields,
        "assignee": ticket.assignee,
        "team": ticket.team,
        "channel": ticket.channel,
    } == {
        "subject": SUBJECT,
        "status": "new",
        "priority": "normal",
        "type": "question",
        "requester": dave,
        "organisation": dave.organisation,
        "category": category,
        "product": product,
        "custom_fields": {"invoice": 2041},
        "assignee": None,
        "team": None,
        "channel": source,
    }
    assert [(m.kind, m.author, m.body, m.channel) for m in ticket.messages.all()] == [
        ("reply", dave, BODY, source)
    ]
    assert [(h.field, h.old, h.new, h.actor, h.source) for h in ticket.history.all()] == [
        ("created", "", str(ticket.number), dave, source)
    ]
    ticket_events = [e for e in events if e.type.startswith("ticket.")]
    assert [(e.type, e.actor_id, e.source) for e in ticket_events] == [
        ("ticket.created", dave.pk, source)
    ]
    payload = ticket_events[0].payload
    assert {key: payload[key] for key in ("ticket", "number", "requester")} == {
        "ticket": ticket.public_id,
        "number": ticket.number,
        "requester": dave.public_id,
    }
