from __future__ import annotations

import json
import logging

from comptoir.core.logging import (
    REDACTED,
    JsonFormatter,
    RedactSecretsFilter,
    RequestIdFilter,
    redact,
    request_id_var,
)


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("comptoir.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_secrets_in_messages_are_redacted():
    record = _record("login attempt password=%s token: abc123", "hunter2")

    RedactSecretsFilter().filter(record)

    assert "hunter2" not in record.msg
    assert "abc123" not in record.msg
    assert record.msg.count(REDACTED) == 2


def test_secret_named_extra_fields_are_redacted():
    record = _record("call", api_key="k-123", payload={"password": "p", "name": "ok"})

    RedactSecretsFilter().filter(record)

    assert record.api_key == REDACTED
    assert record.payload == {"password": REDACTED, "name": "ok"}


def test_redact_leaves_plain_values_alone():
    assert redact({"email": "a@b.c", "count": 3}) == {"email": "a@b.c", "count": 3}


def test_json_lines_carry_the_request_id_and_extras():
    token = request_id_var.set("req-42")
    try:
        record = _record("hello %s", "world", ticket="T-1")
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)

    assert line["message"] == "hello world"
    assert line["request_id"] == "req-42"
    assert line["ticket"] == "T-1"
    assert line["level"] == "INFO"


def test_responses_echo_a_request_id(client, db):
    response = client.get("/health/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"

    generated = client.get("/health/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert generated["X-Request-ID"] != "bad id with spaces"
    assert len(generated["X-Request-ID"]) == 32
