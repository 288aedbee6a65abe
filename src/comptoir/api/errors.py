"""One error shape for the whole API, and the translation of every failure into it.

Every error answers ``{"error": {"code": ..., "message": ..., "fields": {...}}}``:
``code`` is stable and meant for programs, ``message`` is for people (in the user's
language), ``fields`` maps an input name to its problems. Domain exceptions are
translated here once, as the web layer translates them into form errors.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from comptoir.core.exceptions import DomainError, InvalidInput, NotAllowed
from comptoir.tickets.exceptions import InvalidTransition, TicketClosed, TicketNotFound

logger = logging.getLogger(__name__)

FieldErrors = Mapping[str, Sequence[str]]


class ApiError(Exception):
    """An error the API answers as it is: status, code, message and field errors."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: FieldErrors | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def not_found() -> ApiError:
    # Unknown and invisible look the same, so ids cannot be probed.
    return ApiError(404, "not_found", _("Not found."))


def error_body(code: str, message: str, fields: FieldErrors | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": {
                name: [str(m) for m in messages] for name, messages in (fields or {}).items()
            },
        }
    }


def error_response(
    status: int, code: str, message: str, fields: FieldErrors | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


# --- Domain exceptions ----------------------------------------------------------------

# Most specific first: TicketClosed is a DomainError, AttachmentRejected an InvalidInput.
_DOMAIN_STATUS: tuple[tuple[type[DomainError], int, str], ...] = (
    (TicketNotFound, 404, "not_found"),
    (NotAllowed, 403, "forbidden"),
    (TicketClosed, 409, "ticket_closed"),
    (InvalidTransition, 409, "invalid_transition"),
    (InvalidInput, 422, "invalid"),
    (DomainError, 409, "conflict"),
)


def domain_error(exc: DomainError) -> ApiError:
    for cls, status, code in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return ApiError(status, code, str(exc.message), fields=exc.errors)
    raise AssertionError("DomainError is the last entry")  # pragma: no cover


# --- Request validation (pydantic, through ninja) ---------------------------------------

# Where ninja reads a value; the first item of every error location.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
# Body parameters are always named ``payload`` in our operations.
_BODY_PARAM = "payload"


def _field_name(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == _BODY_PARAM:
        parts = parts[1:]
    if not parts or parts == [_BODY_PARAM]:
        return "__all__"
    return ".".join(str(part) for part in parts)


def _validation_message(error: Mapping[str, Any]) -> str:
    """A translated message for the common pydantic error types, else pydantic's own."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_type", "string_too_short"} and context.get("min_length") == 1:
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(max)d characters.") % {"max": context.get("max_length", 0)}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number of at least %(min)s.") % {
            "min": context.get("ge", context.get("gt"))
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a number of at most %(max)s.") % {
            "max": context.get("le", context.get("lt"))
        }
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": context.get("expected", "")}
    if kind.startswith(("datetime", "date_")):
        return _("Enter a date and time in ISO 8601 format (2025-01-31T09:00:00Z).")
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("This value has the wrong type.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in {"string_type", "bool_type", "bool_parsing"}:
        return _("This value has the wrong type.")
    return str(error.get("msg", _("This value is not valid.")))


def validation_error(errors: Sequence[Mapping[str, Any]]) -> ApiError:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_validation_message(error))
    return ApiError(422, "invalid", _("Some fields need attention."), fields=fields)


# --- HTTP-level errors ----------------------------------------------------------------


def _http_error(exc: HttpError) -> ApiError:
    status = exc.status_code
    if isinstance(exc.__cause__, RequestDataTooBig):
        return too_large()
    if isinstance(exc, Throttled):
        return ApiError(429, "throttled", _("Too many requests. Please slow down."))
    if isinstance(exc, AuthenticationError) or status == 401:
        return ApiError(
            401,
            "unauthorized",
            _("Authentication is required."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    if status == 403:
        return ApiError(403, "forbidden", _("You are not allowed to do this."))
    if status == 404:
        return not_found()
    if status == 400:
        return ApiError(400, "bad_request", _("The request body is not valid JSON."))
    return ApiError(status, "error", str(exc))


def too_large(message: str | None = None, fields: FieldErrors | None = None) -> ApiError:
    return ApiError(
        413, "too_large", message or _("The request is too large."), fields=fields or {}
    )


def to_api_error(exc: Exception) -> ApiError | None:
    """The API error for ``exc``, or ``None`` for an unexpected failure."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, DomainError):
        return domain_error(exc)
    if isinstance(exc, ValidationError):
        return validation_error(exc.errors)
    if isinstance(exc, HttpError):
        return _http_error(exc)
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, RequestDataTooBig):
        return too_large()
    if isinstance(exc, PermissionDenied):
        return ApiError(403, "forbidden", _("You are not allowed to do this."))
    return None


def register_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers: every failure answers in the one error shape."""

    def handle(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        error = to_api_error(exc if isinstance(exc, Exception) else exc())
        if error is None:
            logger.exception("unexpected error in API %s %s", request.method, request.path)
            error = ApiError(500, "server_error", _("Something went wrong on our side."))
        response = api.create_response(
            request, error_body(error.code, error.message, error.fields), status=error.status
        )
        for name, value in error.headers.items():
            response[name] = value
        return response

    for exc_class in (Exception, ApiError, DomainError, ValidationError, HttpError, Http404):
        api.add_exception_handler(exc_class, handle)


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL's view so the answers ninja gives outside an operation (an unsupported
    method, the API root) use the error shape too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            error = not_found()
            return error_response(error.status, error.code, error.message)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                405, "method_not_allowed", _("This method is not allowed here.")
            )
            response["Allow"] = allowed
        return response

    return wrapper


def unknown_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    error = not_found()
    return error_response(error.status, error.code, error.message)
