"""Attachment downloads: only for those who may read the message, and never inline.

An uploaded file is someone else's content served from our origin; every answer is a
download, sandboxed, with its type pinned, so it can never run as one of our pages.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind
from comptoir.tickets.models import Attachment
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str, content: bytes = b"a,b\n1,2\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def attachment_of(requester, name="report.csv", content=b"a,b\n1,2\n") -> Attachment:
    ticket = open_ticket(requester, uploads=[upload(name, content)])
    return Attachment.objects.get(ticket=ticket)


def url(attachment: Attachment) -> str:
    return reverse("portal_tickets:attachment", args=[attachment.public_id])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_requester_downloads_the_file_as_an_attachment(client, dave):
    attachment = attachment_of(dave, "report.csv")
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response.status_code == 200
    assert body(response) == b"a,b\n1,2\n"
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'


def test_downloads_are_never_sniffed_and_run_sandboxed(client, dave):
    attachment = attachment_of(dave)
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_type_a_browser_could_render_actively_is_sent_as_opaque_bytes(client, dave):
    # text/csv opens in some browsers' viewers and spreadsheet plug-ins; only a short list
    # of passive types keeps its own.
    attachment = attachment_of(dave, "report.csv")
    assert attachment.content_type == "text/csv"
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response["Content-Type"] == "application/octet-stream"


def test_a_stored_active_type_is_never_served_as_such(client, dave):
    attachment = attachment_of(dave, "notes.txt", b"<b>hello</b>")
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_image_keeps_its_type_but_is_still_a_download(client, dave):
    attachment = attachment_of(dave, "screen.png", PNG)
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="screen.png"'


def test_a_name_outside_ascii_is_kept_in_the_download(client, dave):
    attachment = attachment_of(dave, "relevé été.pdf", b"%PDF-1.4\n")
    client.force_login(dave)

    response = client.get(url(attachment))

    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''relev%C3%A9%20%C3%A9t%C3%A9.pdf" in response["Content-Disposition"]


def test_a_colleague_of_a_sharing_organisation_may_download(client, dave, grace):
    attachment = attachment_of(dave)
    client.force_login(grace)

    assert client.get(url(attachment)).status_code == 200


def test_an_agent_who_sees_the_ticket_may_download(client, dave, alice):
    attachment = attachment_of(dave)
    client.force_login(alice)

    assert client.get(url(attachment)).status_code == 200


def test_another_customer_gets_not_found(client, dave, erin):
    attachment = attachment_of(dave)
    client.force_login(erin)

    assert client.get(url(attachment)).status_code == 404


def test_an_unknown_attachment_is_not_found(client, dave):
    client.force_login(dave)

    response = client.get(reverse("portal_tickets:attachment", args=["0000000000000000"]))

    assert response.status_code == 404


def test_customers_cannot_download_a_notes_attachment(client, dave, alice):
    ticket = open_ticket(dave)
    services.check_add_message(
        alice,
        ticket,
        body="Internal",
        kind=MessageKind.NOTE,
        source=Source.WEB,
        uploads=[upload("internal.csv")],
    )
    attachment = Attachment.objects.get(name="internal.csv")

    client.force_login(dave)
    assert client.get(url(attachment)).status_code == 404
    client.force_login(alice)
    assert client.get(url(attachment)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, dave):
    attachment = attachment_of(dave)

    response = client.get(url(attachment))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_file_missing_from_storage_is_not_found_rather_than_an_error(client, dave):
    attachment = attachment_of(dave)
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(dave)

    assert client.get(url(attachment)).status_code == 404
