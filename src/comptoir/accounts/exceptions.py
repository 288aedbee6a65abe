from comptoir.core.exceptions import DomainError, NotAllowed

__all__ = ["DomainError", "NotAllowed", "NotAnAgent"]


class NotAnAgent(DomainError):
    """Only agents and administrators can join a team."""
