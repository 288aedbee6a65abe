"""The OpenAPI document: valid OpenAPI 3, every route documented with its security and
its responses, and every documented GET answering JSON that matches its schema."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from comptoir.core.choices import Source
from comptoir.tickets import services
from tests.api.conftest import API
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db

ROUTES = {
    ("get", "/tickets"),
    ("post", "/tickets"),
    ("get", "/tickets/{number}"),
    ("patch", "/tickets/{number}"),
    ("post", "/tickets/{number}/merge"),
    ("get", "/tickets/{number}/messages"),
    ("post", "/tickets/{number}/messages"),
    ("post", "/tickets/{number}/messages/multipart"),
    ("get", "/attachments/{public_id}"),
    ("get", "/users"),
    ("get", "/users/me"),
    ("get", "/users/{public_id}"),
    ("get", "/organisations"),
    ("get", "/organisations/{public_id}"),
    ("get", "/teams"),
    ("get", "/teams/{public_id}"),
}


@pytest.fixture
def spec():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method, path.removeprefix(API), operation


def test_the_schema_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Comptoir API" and spec["info"]["version"] == "1"


def test_every_route_is_documented(spec):
    assert {(method, path) for method, path, _ in operations(spec)} == ROUTES


def test_every_route_requires_a_token_or_the_session(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["type"] == "apiKey" and schemes["SessionAuth"]["in"] == "cookie"

    for method, path, operation in operations(spec):
        assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], (method, path)


def test_every_route_documents_its_success_and_its_errors(spec):
    for method, path, operation in operations(spec):
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert len(success) == 1, (method, path)
        assert responses[success[0]].get("content"), (method, path)
        for code in ("401", "403", "404", "422", "429"):
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)


def test_writes_document_conflicts_and_uploads_document_size(spec):
    for method, path, operation in operations(spec):
        if method != "get":
            assert "409" in operation["responses"], path
    upload = spec["paths"][f"{API}/tickets/{{number}}/messages/multipart"]["post"]
    assert "413" in upload["responses"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_every_documented_get_returns_json_matching_its_schema(
    spec, client, admin_user, alice, team_a, dave, acme, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(
        dave,
        team=team_a,
        tags=["printer"],
        category=make_category("Billing"),
        uploads=[SimpleUploadedFile("notes.txt", b"plain text")],
    )
    services.check_add_message(alice, ticket, body="A note", kind="note", source=Source.WEB)
    ids = {
        "/attachments/": ticket.attachments.get().public_id,
        "/users/": dave.public_id,
        "/organisations/": acme.public_id,
        "/teams/": team_a.public_id,
    }
    client.force_login(admin_user)
    checked = 0

    for method, path, operation in operations(spec):
        if method != "get":
            continue
        prefix = next((p for p in ids if path.startswith(p)), None)
        url = path.format(number=ticket.number, public_id=ids.get(prefix or "", ""))
        response = client.get(API + url)
        assert response.status_code == 200, (url, response.content)
        content = operation["responses"]["200"]["content"]
        if "application/json" not in content:
            assert response["Content-Disposition"].startswith("attachment")
            continue
        schema = {**content["application/json"]["schema"], "components": spec["components"]}
        OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER).validate(
            response.json()
        )
        checked += 1

    assert checked == len([r for r in ROUTES if r[0] == "get"]) - 1


def test_paths_show_their_parameters_without_converters(spec):
    for _method, path, _operation in operations(spec):
        assert not re.search(r"\{\w+:", path), path
