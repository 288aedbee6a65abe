"""The API sees exactly what the UI sees: other people's tickets, conversations and files
answer 404, the same as tickets that do not exist."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.choices import Source
from comptoir.tickets import services
from tests.api.conftest import assert_error
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def daves_ticket(dave, team_a):
    return open_ticket(
        dave, team=team_a, uploads=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 ...")]
    )


@pytest.fixture(params=["erin", "bob"])
def outsider(request, erin, bob):
    """Erin, a customer of another organisation; Bob, an agent of another team."""
    return {"erin": erin, "bob": bob}[request.param]


def test_an_outsider_does_not_find_the_ticket_in_the_list(api_as, outsider, daves_ticket):
    assert api_as(outsider).get("/tickets").json()["items"] == []


def test_an_outsider_cannot_read_the_ticket(api_as, outsider, daves_ticket):
    assert_error(api_as(outsider).get(f"/tickets/{daves_ticket.number}"), 404, "not_found")


def test_an_outsider_cannot_read_the_conversation(api_as, outsider, daves_ticket):
    assert_error(api_as(outsider).get(f"/tickets/{daves_ticket.number}/messages"), 404, "not_found")


def test_an_outsider_cannot_change_the_ticket(api_as, outsider, daves_ticket):
    response = api_as(outsider).patch(f"/tickets/{daves_ticket.number}", {"status": "solved"})

    assert_error(response, 404, "not_found")
    daves_ticket.refresh_from_db()
    assert daves_ticket.status == "new"


def test_an_outsider_cannot_reply(api_as, outsider, daves_ticket):
    response = api_as(outsider).post(
        f"/tickets/{daves_ticket.number}/messages", {"body": "Let me in"}
    )

    assert_error(response, 404, "not_found")
    assert daves_ticket.messages.count() == 1


def test_an_outsider_cannot_download_the_attachment(api_as, outsider, daves_ticket):
    public_id = daves_ticket.attachments.get().public_id

    assert_error(api_as(outsider).get(f"/attachments/{public_id}"), 404, "not_found")


def test_an_outsider_cannot_merge_the_ticket_into_their_own(api_as, bob, daves_ticket, erin):
    bobs = open_ticket(erin)

    assert_error(
        api_as(bob).post(f"/tickets/{daves_ticket.number}/merge", {"into": bobs.number}),
        404,
        "not_found",
    )


def test_a_colleague_of_a_sharing_organisation_sees_the_ticket(api_as, grace, daves_ticket):
    assert api_as(grace).get(f"/tickets/{daves_ticket.number}").status_code == 200


def test_an_attachment_on_an_internal_note_is_hidden_from_customers(api_as, alice, dave):
    ticket = open_ticket(dave)
    services.check_add_message(
        alice,
        ticket,
        body="Internal scan",
        kind="note",
        source=Source.WEB,
        uploads=[SimpleUploadedFile("scan.pdf", b"%PDF-1.4 ...")],
    )
    public_id = ticket.attachments.get().public_id

    assert_error(api_as(dave).get(f"/attachments/{public_id}"), 404, "not_found")
    assert api_as(alice).get(f"/attachments/{public_id}").status_code == 200
