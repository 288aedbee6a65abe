from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from comptoir.tickets.models import CustomField
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db


def test_administrators_define_categories_with_their_fields(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/tickets/category/add/",
        {
            "name": "Returns", "name_fr": "Retours", "description": "", "description_fr": "",
            "position": 3, "is_active": "on",
            "fields-TOTAL_FORMS": 1, "fields-INITIAL_FORMS": 0,
            "fields-0-position": 0, "fields-0-key": "reason", "fields-0-label": "Reason",
            "fields-0-label_fr": "Motif", "fields-0-kind": "choice",
            "fields-0-choices": '[{"value": "broken", "label": "Broken", "label_fr": "Cassé"}]',
            "fields-0-help_text": "", "fields-0-help_text_fr": "",
        },
    )  # fmt: skip

    assert response.status_code == 302
    field = CustomField.objects.get(key="reason")
    assert field.choice_options() == [("broken", "Broken")]


def test_a_choice_field_without_options_is_refused():
    category = make_category()
    field = CustomField(category=category, key="x", label="X", kind="choice", choices=[])

    with pytest.raises(ValidationError):
        field.full_clean()


def test_tickets_are_read_only_in_the_admin(client, admin_user, dave):
    ticket = open_ticket(dave)
    client.force_login(admin_user)

    assert client.get("/admin/tickets/ticket/").status_code == 200
    assert client.get("/admin/tickets/ticket/add/").status_code == 403
    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"subject": "hacked"})
    ticket.refresh_from_db()
    assert ticket.subject == "Printer on fire"
    assert response.status_code in (200, 403)


def test_customers_and_agents_cannot_open_the_admin(client, dave, alice):
    for user in (dave, alice):
        client.force_login(user)
        assert client.get("/admin/").status_code == 302
