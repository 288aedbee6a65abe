from __future__ import annotations

from comptoir.core.exceptions import DomainError, InvalidInput, NotAllowed

__all__ = [
    "AttachmentRejected",
    "DomainError",
    "InvalidInput",
    "InvalidTransition",
    "NotAllowed",
    "TicketClosed",
    "TicketNotFound",
]


class TicketNotFound(DomainError):
    """No ticket with that number, or none the user may see (the two look the same)."""


class TicketClosed(DomainError):
    """Closed tickets are final: no reply, no change."""


class InvalidTransition(DomainError):
    """The status cannot go from its current value to the requested one."""


class AttachmentRejected(InvalidInput):
    """A file is too large, of a forbidden type, or one too many."""
