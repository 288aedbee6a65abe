"""Helpers of the customer portal tests: URLs, page text, a standard submission."""

from __future__ import annotations

import html
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import Status
from comptoir.tickets.models import Ticket

NEW = reverse("portal_tickets:new")
LIST = reverse("portal_tickets:list")
HTMX = {"HTTP_HX_REQUEST": "true"}
HTMX_LIST = {**HTMX, "HTTP_HX_TARGET": "ticket-list"}


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def anonymised(response, number: int) -> str:
    """The page without what differs by design: CSRF tokens (masked afresh for every
    response) and the number asked for (in the language switcher's "next")."""
    content = response.content.decode().replace(str(number), "N")
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", content)


def detail(ticket: Ticket) -> str:
    return reverse("portal_tickets:detail", args=[ticket.number])


def text_file(name="notes.txt", content=b"hello, world\n", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(client, **overrides):
    data = {"subject": "Printer on fire", "description": "It **smokes**.", **overrides}
    return client.post(NEW, {k: v for k, v in data.items() if v is not None})


def solve_and_close(ticket: Ticket, agent) -> None:
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status=Status.SOLVED)
    services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status=Status.CLOSED)
