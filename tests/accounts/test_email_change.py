"""A customer changes their address through allauth's email page: the desk records it as
a profile change, and their tickets are found by the new address."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from comptoir.tickets.search import search_tickets
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_a_new_primary_address_is_recorded_and_searchable(
    client: Any, dave: Any, alice: Any, committed: Any
) -> None:
    EmailAddress.objects.update_or_create(
        user=dave, email=dave.email, defaults={"verified": True, "primary": True}
    )
    EmailAddress.objects.create(user=dave, email="dave.new@acme.example", verified=True)
    with committed():
        ticket = open_ticket(dave, "Printer jams", "Page 3 jams every time.")
    client.force_login(dave)

    with committed() as events:
        response = client.post(
            reverse("account_email"), {"action_primary": "", "email": "dave.new@acme.example"}
        )

    assert response.status_code == 302
    dave.refresh_from_db()
    assert dave.email == "dave.new@acme.example"
    [event] = [e for e in events if e.type == "user.profile_updated"]
    assert event.payload["changes"] == {"email": ["dave@acme.example", "dave.new@acme.example"]}
    found = search_tickets(alice, "dave.new@acme.example").values_list("number", flat=True)
    assert set(found) == {ticket.number}
    assert not search_tickets(alice, "dave@acme.example").exists()
