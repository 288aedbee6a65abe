from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# What each status may become. Closed is final; a solved ticket reopens or closes.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Statuses in which the ticket still needs work from someone.
UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

# What a customer reads next to each status, in plain words.
CUSTOMER_EXPLANATIONS = {
    Status.NEW: _("We have received your request and will look at it shortly."),
    Status.OPEN: _("Our team is working on your request."),
    Status.PENDING: _("We are waiting for your answer. Reply to continue."),
    Status.ON_HOLD: _(
        "We are waiting on a third party (a supplier or another team). We will come back to you."
    ),
    Status.SOLVED: _(
        "We believe this is solved. Reply within a few days if it is not, and the request reopens."
    ),
    Status.CLOSED: _("This request is closed. Open a new request if you need more help."),
}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")
    COMPLAINT = "complaint", _("Complaint")


class Channel(models.TextChoices):
    """How a ticket reached the desk."""

    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    FORUM = "forum", _("Forum")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("field kind", "Number")
    CHOICE = "choice", _("Choice")
    DATE = "date", _("Date")
