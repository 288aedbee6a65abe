"""Live ticket pages over a real WebSocket: the ASGI app under uvicorn, a real client.

A reply goes through the service in the test's thread, as a web request or the email
ingest would send it; its after-commit event must cross to the server's event loop and
reach the sockets of the pages open on that ticket. With ``REDIS_URL`` set, the same path
runs through channels-redis.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from comptoir.accounts.models import Team, User
from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind
from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory, OrganisationFactory, TeamFactory, UserFactory, open_ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECEIVE_TIMEOUT = 10.0


@pytest.fixture
def ticket_socket(server_port: int) -> Iterator[Callable[[User, Ticket], ClientConnection]]:
    """Opens what a ticket page opens: ``/ws/tickets/<public id>/`` with the user's session."""
    with ExitStack() as opened:

        def _open(user: User, ticket: Ticket) -> ClientConnection:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            return opened.enter_context(
                connect(
                    f"ws://127.0.0.1:{server_port}/ws/tickets/{ticket.public_id}/",
                    origin=f"http://127.0.0.1:{server_port}",  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
                    proxy=None,
                    open_timeout=RECEIVE_TIMEOUT,
                )
            )

        yield _open


def receive(socket: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(socket.recv(timeout=RECEIVE_TIMEOUT)))


@pytest.fixture
def desk() -> dict[str, Any]:
    team: Team = TeamFactory(name="Level 1")
    camille = AgentFactory(full_name="Camille Martin")
    sam = AgentFactory(full_name="Sam Patel")
    team.members.add(camille, sam)
    customer = UserFactory(organisation=OrganisationFactory(name="Acme"))
    return {"team": team, "camille": camille, "sam": sam, "customer": customer}


def test_a_reply_through_the_service_reaches_an_open_agent_page(ticket_socket, desk):
    ticket = open_ticket(desk["customer"], team=desk["team"])
    page = ticket_socket(desk["camille"], ticket)
    page.send(json.dumps({"type": "ping"}))
    assert receive(page) == {"type": "pong"}  # the page is in the ticket's group

    # transactional_db: the service's transaction commits for real, so its after-commit
    # event runs the subscriber (immediate task backend) in this thread.
    services.check_add_message(desk["customer"], ticket, body="Still broken.", source=Source.EMAIL)

    assert receive(page) == {"type": "changed"}


def test_an_internal_note_tells_the_customer_page_only_that_something_changed(ticket_socket, desk):
    ticket = open_ticket(desk["customer"], team=desk["team"])
    customer_page = ticket_socket(desk["customer"], ticket)
    customer_page.send(json.dumps({"type": "ping"}))
    assert receive(customer_page) == {"type": "pong"}

    services.check_add_message(
        desk["camille"], ticket, body="Secret workaround", kind=MessageKind.NOTE, source=Source.WEB
    )

    assert receive(customer_page) == {"type": "changed"}  # no content, no author


def test_colleagues_on_the_same_ticket_see_each_other_reply(ticket_socket, desk):
    ticket = open_ticket(desk["customer"], team=desk["team"])
    sam_page = ticket_socket(desk["sam"], ticket)
    camille_page = ticket_socket(desk["camille"], ticket)

    camille_page.send(json.dumps({"type": "presence", "state": "replying"}))

    assert receive(sam_page) == {
        "type": "presence",
        "id": desk["camille"].public_id,
        "user": "Camille Martin",
        "state": "replying",
    }


def test_a_page_of_a_ticket_the_user_may_not_see_is_closed_with_4403(ticket_socket, desk):
    ticket = open_ticket(desk["customer"], team=desk["team"])
    stranger = UserFactory(organisation=OrganisationFactory(name="Globex"))

    socket = ticket_socket(stranger, ticket)

    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=RECEIVE_TIMEOUT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
