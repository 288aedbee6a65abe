"""Every failure answers ``{"error": {"code", "message", "fields"}}``, with the right
status, and bad input never becomes a server error."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.core.choices import Source
from comptoir.tickets import services
from tests.api.conftest import API, assert_error
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_a_body_that_is_not_json_is_400(api_as, dave):
    client = api_as(dave)

    response = client.client.post(
        f"{API}/tickets", "{not json", content_type="application/json", **client._headers()
    )

    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", "W10", "WyJ4IiwieSJd", "WyIyMDI1LTAxLTAxVDAwOjAwOjAwWiIsInh5eiJd",
     "WyIyMDI1LTAxLTAxVDAwOjAwOjAwWiIsOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"],
)  # fmt: skip
def test_a_bad_cursor_is_400_on_the_cursor_field(api_as, alice, cursor):
    # Garbage, an empty list, a date that is not one, an id that is not a number, an id
    # too large for the database.
    error = assert_error(api_as(alice).get("/tickets", {"cursor": cursor}), 400, "bad_cursor")

    assert list(error["fields"]) == ["cursor"]


def test_a_wrongly_typed_query_parameter_is_422_on_its_name(api_as, alice):
    error = assert_error(api_as(alice).get("/tickets", {"limit": "many"}), 422, "invalid")

    assert error["fields"] == {"limit": ["Enter a whole number."]}


def test_validation_messages_follow_the_users_language(api_as, alice):
    alice.language = "fr"
    alice.save(update_fields=["language"])

    error = assert_error(api_as(alice).post("/tickets", {}), 422, "invalid")

    assert set(error["fields"]) == {"subject", "body"}
    assert error["fields"]["subject"] == ["Ce champ est obligatoire."]


def test_a_domain_refusal_is_403(api_as, dave):
    ticket = open_ticket(dave)

    assert_error(
        api_as(dave).patch(f"/tickets/{ticket.number}", {"type": "incident"}), 403, "forbidden"
    )


@pytest.mark.parametrize("path", ["/nothing-here", "/", "/tickets/abc", "/tickets/99999999999999"])
def test_unknown_addresses_are_404(api_as, alice, path):
    assert_error(api_as(alice).get(path), 404, "not_found")


def test_an_unsupported_method_is_405_with_the_allowed_ones(api_as, dave):
    ticket = open_ticket(dave)

    response = api_as(dave).delete(f"/tickets/{ticket.number}")

    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}


def test_a_state_conflict_is_409(api_as, alice, dave):
    ticket = open_ticket(dave)
    services.do_update_ticket(ticket, actor=alice, source=Source.WEB, status="solved")

    assert_error(
        api_as(alice).patch(f"/tickets/{ticket.number}", {"status": "pending"}),
        409,
        "invalid_transition",
    )


def test_a_body_over_the_request_limit_is_413(api_as, dave, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    ticket = open_ticket(dave)

    response = api_as(dave).post(f"/tickets/{ticket.number}/messages", {"body": "x" * 2048})

    assert_error(response, 413, "too_large")


def test_the_docs_and_schema_answer_without_credentials():
    client = Client()

    assert client.get(f"{API}/openapi.json").status_code == 200
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui" in docs.content  # served by us, not a CDN


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
ticket_fields = st.sampled_from(
    ["subject", "body", "requester", "priority", "type", "team", "assignee", "tags",
     "custom_fields", "category", "product", "due_at", "status", "into", "kind"]
)  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=st.dictionaries(ticket_fields, json_values, max_size=5) | json_values)
def test_no_payload_makes_the_server_fail(api_as, alice, dave, payload):
    client = api_as(alice)
    ticket = open_ticket(dave)

    for response in (
        client.post("/tickets", payload),
        client.patch(f"/tickets/{ticket.number}", payload),
        client.post(f"/tickets/{ticket.number}/messages", payload),
        client.post(f"/tickets/{ticket.number}/merge", payload),
    ):
        assert response.status_code < 500, (payload, response.content)
        assert "error" in response.json() or response.status_code in (200, 201)


@pytest.mark.parametrize(
    "params",
    [{"status": "sleeping"}, {"category": "-1"}, {"category": str(2**70)},
     {"updated_after": "yesterday"}, {"limit": "0"}, {"assignee": "x" * 500},
     {"q": "\x00"}, {"requester": "@"}],
)  # fmt: skip
def test_no_filter_makes_the_server_fail(api_as, alice, params):
    response = api_as(alice).get("/tickets", params)

    assert response.status_code in (200, 422), response.content
    json.loads(response.content)
