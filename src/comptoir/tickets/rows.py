"""The rows of the agent's ticket lists, rendered in Python.

A list page shows 50 tickets in up to 13 columns. Written as a template, each cell walked
an ``{% if column.key == ... %}`` chain and resolved a dozen variables: 70 ms of CPU per
page, most of the page's cost (``benchmarks/README.md``). Here each column has one small
function, every translated text is looked up once per page, and every value that comes
from a user goes through ``escape``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from comptoir.tickets.choices import Priority, Status, TicketType
from comptoir.tickets.listing import Column
from comptoir.tickets.models import Ticket

DASH = "—"
_NUMBER = "999999999"  # stands for the ticket number in the reversed URL


# The whole text of a cell that is cut to one line, in its title.
_TITLES: dict[str, Callable[[Ticket], str]] = {
    "requester": lambda t: str(t.requester),
    "organisation": lambda t: t.organisation.name if t.organisation else "",
    "assignee": lambda t: str(t.assignee) if t.assignee else "",
    "team": lambda t: t.team.name if t.team else "",
    "category": lambda t: str(t.category) if t.category else "",
}


class _Labels(dict[str, str]):
    """A choice field's labels, translated once per page and escaped; an unknown value
    shows as itself."""

    def __init__(self, choices: Iterable[tuple[str, Any]]) -> None:
        super().__init__((value, escape(str(label))) for value, label in choices)

    def __missing__(self, value: str) -> str:
        return escape(value)


class _DateFormat:
    """``date_format(value, name)`` with the active language's format parsed once:
    Django parses it again for every value, half the cost of a row."""

    def __init__(self, name: str) -> None:
        pieces = re_formatchars.split(str(get_format(name)))
        self.pieces = [
            (True, piece) if index % 2 else (False, re_escaped.sub(r"\1", piece))
            for index, piece in enumerate(pieces)
            if piece
        ]

    def __call__(self, local: datetime) -> str:
        formatter = DateFormat(local)
        return "".join(
            str(getattr(formatter, piece)()) if is_code else piece for is_code, piece in self.pieces
        )


class RowRenderer:
    """Renders the ``<tr>`` of tickets for one page, in the active language and time zone."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = list(columns)
        self.url_pattern = reverse("agent_tickets:detail", args=[int(_NUMBER)])
        self.select_label = gettext("Select ticket #%(number)s")
        self.unassigned = escape(gettext("Unassigned"))
        self.full_date = _DateFormat("DATETIME_FORMAT")
        self.short_date = _DateFormat("SHORT_DATETIME_FORMAT")
        self.labels = {column.key: escape(str(column.label)) for column in self.columns}
        statuses, priorities, types = (
            _Labels(choices.choices) for choices in (Status, Priority, TicketType)
        )
        self.cells: dict[str, Callable[[Ticket, str], str]] = {
            "number": lambda t, url: f'<a href="{url}" class="ticket-number">#{t.number}</a>',
            "subject": self._subject,
            "requester": lambda t, url: escape(str(t.requester)),
            "organisation": lambda t, url: escape(t.organisation.name) if t.organisation else DASH,
            "status": lambda t, url: (
                f'<span class="badge status-{escape(t.status)}">{statuses[t.status]}</span>'
            ),
            "priority": lambda t, url: (
                f'<span class="badge priority-{escape(t.priority)}">{priorities[t.priority]}</span>'
            ),
            "type": lambda t, url: types[t.type],
            "category": lambda t, url: escape(str(t.category)) if t.category else DASH,
            "assignee": lambda t, url: (
                escape(str(t.assignee))
                if t.assignee
                else f'<span class="muted">{self.unassigned}</span>'
            ),
            "team": lambda t, url: escape(t.team.name) if t.team else DASH,
            "updated": lambda t, url: self._time(t.updated_at, natural=True),
            "created": lambda t, url: self._time(t.created_at),
            "due": self._due,
        }

    @staticmethod
    def _subject(ticket: Ticket, url: str) -> str:
        names = getattr(ticket, "tag_names", None)
        if names is None:
            names = [tag.name for tag in ticket.tags.all()]
        tags = "".join(f' <span class="tag">{escape(name)}</span>' for name in names)
        return f'<a href="{url}" class="ticket-subject">{escape(ticket.subject)}</a>{tags}'

    def _due(self, ticket: Ticket, url: str) -> str:
        if ticket.due_at is None:
            return DASH
        overdue = getattr(ticket, "overdue", False)
        return self._time(ticket.due_at, css="overdue" if overdue else "")

    def _time(self, value: datetime, *, natural: bool = False, css: str = "") -> str:
        """A ``<time>``: relative (with the full date in its title), or the short date."""
        local = timezone.localtime(value)
        attributes = f' datetime="{local.isoformat()}"'
        if natural:
            attributes += f' title="{escape(self.full_date(local))}"'
            shown = naturaltime(value)
        else:
            shown = self.short_date(local)
        if css:
            attributes += f' class="{css}"'
        return f"<time{attributes}>{escape(shown)}</time>"

    def row(self, ticket: Ticket) -> str:
        url = self.url_pattern.replace(_NUMBER, str(ticket.number))
        label = escape(self.select_label % {"number": ticket.number})
        cells = [
            f'<tr data-row data-href="{url}">'
            f'<td class="select"><input type="checkbox" name="tickets" value="{ticket.number}"'
            f' form="bulk-form" aria-label="{label}"></td>'
        ]
        for column in self.columns:
            key = column.key
            title = f' title="{escape(_TITLES[key](ticket))}"' if column.clip else ""
            cells.append(
                f'<td class="col-{key}" data-label="{self.labels[key]}"{title}>'
                f"{self.cells[key](ticket, url)}</td>"
            )
        cells.append("</tr>")
        return "".join(cells)

    def render(self, tickets: Iterable[Ticket]) -> SafeString:
        return mark_safe("\n".join(self.row(ticket) for ticket in tickets))  # noqa: S308 - escaped above
