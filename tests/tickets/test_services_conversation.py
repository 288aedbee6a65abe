from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind, Status
from comptoir.tickets.exceptions import AttachmentRejected, InvalidInput, NotAllowed, TicketClosed
from comptoir.tickets.models import Attachment
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def reply(actor, ticket, body="Thanks", **kwargs):
    return services.check_add_message(actor, ticket, body=body, source=Source.WEB, **kwargs)


def test_agents_first_public_reply_opens_a_new_ticket(dave, alice, committed):
    ticket = open_ticket(dave)
    with committed() as events:
        reply(alice, ticket, "Have you tried turning it off and on?")

    assert ticket.status == Status.OPEN
    assert [e.type for e in events] == ["ticket.message_added", "ticket.updated"]


def test_customer_reply_reopens_a_solved_ticket(dave, alice):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")

    reply(dave, ticket, "Still broken")

    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None
    assert ticket.history.filter(field="status", old="solved", new="open", actor=dave).exists()


def test_customer_reply_to_a_pending_ticket_puts_it_back_to_open(dave, alice):
    ticket = open_ticket(dave)
    reply(alice, ticket, "Which model?", status=Status.PENDING)
    assert ticket.status == Status.PENDING

    reply(dave, ticket, "LaserJet 4")

    assert ticket.status == Status.OPEN


def test_a_reply_to_a_closed_ticket_is_refused(dave, alice):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="closed")

    with pytest.raises(TicketClosed):
        reply(dave, ticket)
    assert ticket.messages.count() == 1


def test_notes_are_for_agents_only(dave, alice):
    ticket = open_ticket(dave)

    with pytest.raises(NotAllowed):
        reply(dave, ticket, kind=MessageKind.NOTE)
    note = reply(alice, ticket, "Customer is on the old plan", kind=MessageKind.NOTE)

    assert note.is_note
    assert ticket.status == Status.NEW  # a note does not answer the customer


def test_strangers_cannot_reply(dave, erin):
    ticket = open_ticket(dave)

    with pytest.raises(NotAllowed):
        reply(erin, ticket)


def test_colleague_in_a_sharing_organisation_can_reply(dave, grace):
    ticket = open_ticket(dave)

    reply(grace, ticket, "I see the same")

    assert ticket.messages.count() == 2


def test_attachments_are_stored_with_a_checked_name_and_hash(dave, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(dave)
    upload = SimpleUploadedFile("../../etc/report.pdf", b"%PDF-1.4 data", content_type="text/html")

    message = reply(dave, ticket, "See attached", uploads=[upload])

    attachment = message.attachments.get()
    assert attachment.name == "report.pdf"
    assert attachment.content_type == "application/pdf"  # from the name, never the browser's claim
    assert attachment.size == 13
    assert len(attachment.sha256) == 64
    assert "report" not in attachment.file.name  # stored under an opaque id, no extension


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00"),
        ("page.html", b"<html><script>x</script>"),
        ("photo.jpg", b"MZ\x90\x00 disguised program"),
        ("notes.txt", b"<!DOCTYPE html><html>"),
        ("drawing.svg", b"<svg onload=alert(1)>"),
        ("empty.txt", b""),
    ],
)
def test_dangerous_or_empty_files_are_refused_and_nothing_is_stored(
    dave, name, content, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(dave)

    with pytest.raises(AttachmentRejected) as caught:
        reply(dave, ticket, uploads=[SimpleUploadedFile(name, content)])

    assert caught.value.errors["attachments"]
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()


def test_oversize_files_are_refused_with_the_limit_named(dave, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.COMPTOIR_MAX_UPLOAD_MB = 1
    ticket = open_ticket(dave)

    with pytest.raises(AttachmentRejected, match=r"1\.0"):
        reply(dave, ticket, uploads=[SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))])


def test_merged_ticket_points_to_its_target(dave, alice):
    old, new = open_ticket(dave, subject="Old"), open_ticket(dave, subject="New")
    services.check_merge_tickets(alice, old, new, source=Source.WEB)

    with pytest.raises((InvalidInput, TicketClosed)):
        reply(dave, old)
