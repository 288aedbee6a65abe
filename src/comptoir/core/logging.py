"""Structured logging: one JSON object per line (``COMPTOIR_LOG_FORMAT=json``), a request
id on every record, and secrets redacted before anything is written."""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|cookie|csrf", re.I)
_SECRET_IN_TEXT = re.compile(
    r"(?P<key>(?:password|passwd|secret|token|api[_-]?key)\s*[=:]\s*)(?P<value>[^\s&,;'\"]+)",
    re.I,
)
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """Replace values stored under secret-looking keys, recursively."""
    if isinstance(value, dict):
        return {
            key: REDACTED if _SECRET_KEYS.search(str(key)) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact(item) for item in value)
    if isinstance(value, str):
        return _SECRET_IN_TEXT.sub(lambda m: m.group("key") + REDACTED, value)
    return value


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactSecretsFilter(logging.Filter):
    """Masks ``password=...``-like text in messages and secret-named extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = redact(str(record.msg))
        for key in list(vars(record)):
            if key not in _STANDARD_ATTRS:
                value = getattr(record, key)
                setattr(record, key, REDACTED if _SECRET_KEYS.search(key) else redact(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        data.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRS and not key.startswith("_")
        )
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)
