"""The customer portal: submitting a request.

Dave and Grace work at Acme, which shares tickets; Erin (Globex) must never see theirs.
"""

from __future__ import annotations

from django.urls import reverse

from comptoir.catalog.models import Product
from comptoir.tickets.models import Attachment, Ticket
from tests.factories import make_category, open_ticket
from tests.tickets.portal.helpers import (
    NEW,
    detail,
    page,
    solve_and_close,
    submit,
    text_file,
)


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
