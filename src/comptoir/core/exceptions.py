"""Domain exceptions. Each interface (web, API, WebSocket) translates them once."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the operation. ``message`` is shown to the user;
    ``errors`` maps field names to messages when the fault is in given values."""

    def __init__(
        self, message: str | Promise, *, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.errors = errors or {}


class NotAllowed(DomainError):
    """The actor may not do this."""


class InvalidInput(DomainError):
    """Given values failed validation; ``errors`` says which."""
