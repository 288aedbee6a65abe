"""The conversation over the API: read it, reply, add notes, attach and download files."""

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


def upload(name="notes.txt", content=b"plain text", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_conversation_is_listed_oldest_first(api_as, alice, dave):
    ticket = open_ticket(dave)
    services.check_add_message(alice, ticket, body="Which model?", source=Source.WEB)

    items = api_as(dave).get(f"/tickets/{ticket.number}/messages").json()["items"]

    assert [(m["body"], m["author"]["name"]) for m in items] == [
        ("It smokes.", "Dave Miller"),
        ("Which model?", "Alice Agent"),
    ]
    assert items[1]["body_html"] == "<p>Which model?</p>\n"


def test_customers_never_see_internal_notes(api_as, alice, dave):
    ticket = open_ticket(dave)
    services.check_add_message(
        alice, ticket, body="Customer is grumpy", kind="note", source=Source.WEB
    )

    customer = api_as(dave).get(f"/tickets/{ticket.number}/messages").json()["items"]
    agent = api_as(alice).get(f"/tickets/{ticket.number}/messages").json()["items"]

    assert [m["kind"] for m in customer] == ["reply"]
    assert [m["kind"] for m in agent] == ["reply", "note"]


def test_messages_are_paginated_by_cursor(api_as, dave):
    ticket = open_ticket(dave)
    for n in range(3):
        services.check_add_message(dave, ticket, body=f"Update {n}", source=Source.WEB)
    client = api_as(dave)

    first = client.get(f"/tickets/{ticket.number}/messages", {"limit": 3}).json()
    second = client.get(
        f"/tickets/{ticket.number}/messages", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()

    assert [m["body"] for m in first["items"] + second["items"]] == [
        "It smokes.", "Update 0", "Update 1", "Update 2",
    ]  # fmt: skip
    assert second["next_cursor"] is None


def test_a_customer_replies(api_as, dave):
    ticket = open_ticket(dave)

    response = api_as(dave).post(f"/tickets/{ticket.number}/messages", {"body": "More smoke"})

    assert response.status_code == 201
    assert response.json()["kind"] == "reply" and response.json()["channel"] == "api"
    assert ticket.messages.last().body == "More smoke"


def test_an_agent_replies_and_sets_the_status_at_once(api_as, alice, dave):
    ticket = open_ticket(dave)

    response = api_as(alice).post(
        f"/tickets/{ticket.number}/messages", {"body": "Which model?", "status": "pending"}
    )

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == "pending"


def test_an_agent_adds_an_internal_note(api_as, alice, dave):
    ticket = open_ticket(dave)

    response = api_as(alice).post(
        f"/tickets/{ticket.number}/messages", {"body": "Check the warranty", "kind": "note"}
    )

    assert response.status_code == 201 and response.json()["kind"] == "note"


def test_customers_may_not_add_notes(api_as, dave):
    ticket = open_ticket(dave)

    assert_error(
        api_as(dave).post(f"/tickets/{ticket.number}/messages", {"body": "x", "kind": "note"}),
        403,
        "forbidden",
    )


def test_an_empty_message_is_refused_on_its_field(api_as, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(dave).post(f"/tickets/{ticket.number}/messages", {"body": "   "}), 422, "invalid"
    )

    assert list(error["fields"]) == ["body"]


def test_replying_to_a_closed_ticket_is_a_conflict(api_as, alice, dave):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="closed")

    assert_error(
        api_as(dave).post(f"/tickets/{ticket.number}/messages", {"body": "Hello?"}),
        409,
        "ticket_closed",
    )


def test_files_are_attached_with_the_multipart_variant(api_as, dave):
    ticket = open_ticket(dave)

    response = api_as(dave).multipart(
        f"/tickets/{ticket.number}/messages/multipart",
        {"body": "Photos attached", "files": [upload("a.txt"), upload("b.png", b"\x89PNG..")]},
    )

    assert response.status_code == 201, response.content
    attachments = response.json()["attachments"]
    assert [a["name"] for a in attachments] == ["a.txt", "b.png"]
    assert attachments[0]["url"].endswith(f"/api/v1/attachments/{attachments[0]['id']}")
    assert attachments[0]["size"] == len(b"plain text")


def test_an_attachment_downloads_with_safe_headers(api_as, dave):
    ticket = open_ticket(dave, uploads=[upload("notes.txt")])
    client = api_as(dave)
    attachment = client.get(f"/tickets/{ticket.number}/messages").json()["items"][0]["attachments"][
        0
    ]

    response = client.client.get(attachment["url"], **client._headers())

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"plain text"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_of_another_kind_is_served_as_opaque_bytes(api_as, dave):
    ticket = open_ticket(dave, uploads=[upload("data.csv", b"a,b\n1,2\n", "text/csv")])
    public_id = ticket.attachments.get().public_id

    response = api_as(dave).get(f"/attachments/{public_id}")

    assert response["Content-Type"] == "application/octet-stream"


def test_a_forbidden_kind_of_file_is_refused_on_the_attachments_field(api_as, dave):
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(dave).multipart(
            f"/tickets/{ticket.number}/messages/multipart",
            {"body": "See page", "files": [upload("page.html", b"<html>hi</html>", "text/html")]},
        ),
        422,
        "invalid",
    )

    assert list(error["fields"]) == ["attachments"]
    assert ticket.messages.count() == 1


def test_a_file_over_the_size_limit_is_413(api_as, dave, settings):
    settings.COMPTOIR_MAX_UPLOAD_MB = 1
    ticket = open_ticket(dave)

    error = assert_error(
        api_as(dave).multipart(
            f"/tickets/{ticket.number}/messages/multipart",
            {"body": "Big log", "files": [upload("big.log", b"x" * (1024 * 1024 + 1))]},
        ),
        413,
        "too_large",
    )

    assert list(error["fields"]) == ["attachments"]
    assert ticket.messages.count() == 1
