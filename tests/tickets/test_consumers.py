"""The live ticket socket: who may connect, what "changed" carries, who hears presence."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser

from comptoir.routing import websocket_urlpatterns
from comptoir.tickets.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_SIGNED_IN
from comptoir.tickets.subscribers import ticket_group
from tests.factories import AgentFactory, open_ticket

# Each scenario runs with async_to_sync from the test's thread: the consumer's database
# calls (thread-sensitive) run in that thread, inside the test's transaction.
# Real transactions: consumers reach the database through database_sync_to_async, which
# closes connections left outside autocommit, as the test-wide transaction of plain
# `django_db` would be (PostgreSQL then loses the test's connection).
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 2


@pytest.fixture(autouse=True)
def _in_memory_layer(settings: Any) -> None:
    # Each test gets its own layer: nothing lingers between tests.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """What ``channels.testing.WebsocketCommunicator`` does, without importing
    ``channels.testing``, whose package imports daphne (not a dependency of ours)."""

    def __init__(self, application: Any, path: str) -> None:
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": path,
                "query_string": b"",
                "headers": [],
                "subprotocols": [],
            },
        )

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 1) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


async def connect(user: Any, public_id: str) -> WebsocketCommunicator:
    """A socket to the ticket, as ``user`` (the scope's user, as the auth middleware sets it)."""
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/tickets/{public_id}/"
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def closed_with(communicator: WebsocketCommunicator) -> int:
    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message["type"] == "websocket.close", message
    return int(message["code"])


async def hear(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return dict(await communicator.receive_json_from(timeout=TIMEOUT))


async def present(communicator: WebsocketCommunicator, state: str) -> None:
    await communicator.send_json_to({"type": "presence", "state": state})


def test_an_agent_who_may_see_the_ticket_is_accepted(alice, dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        socket = await connect(alice, ticket.public_id)

        await socket.send_json_to({"type": "ping"})

        assert await hear(socket) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_the_requester_is_accepted(dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        socket = await connect(dave, ticket.public_id)

        await socket.send_json_to({"type": "ping"})

        assert await hear(socket) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_a_stranger_is_refused(erin, dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        socket = await connect(erin, ticket.public_id)

        assert await closed_with(socket) == CLOSE_FORBIDDEN

    run(scenario)


def test_an_agent_of_another_team_is_refused(bob, dave, team_a):
    ticket = open_ticket(dave, team=team_a)

    async def scenario() -> None:
        socket = await connect(bob, ticket.public_id)

        assert await closed_with(socket) == CLOSE_FORBIDDEN

    run(scenario)


def test_an_unknown_ticket_looks_like_a_forbidden_one(alice):
    async def scenario() -> None:
        socket = await connect(alice, "0000000000000000")

        assert await closed_with(socket) == CLOSE_FORBIDDEN

    run(scenario)


def test_anonymous_visitors_are_refused(dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        socket = await connect(AnonymousUser(), ticket.public_id)

        assert await closed_with(socket) == CLOSE_NOT_SIGNED_IN

    run(scenario)


def test_ticket_changed_reaches_agents_and_customers_without_content(alice, dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        agent, customer = (
            await connect(alice, ticket.public_id),
            await connect(dave, ticket.public_id),
        )

        await get_channel_layer().group_send(
            ticket_group(ticket.public_id),
            {
                "type": "ticket_changed",
                "ticket": ticket.public_id,
                "event": "ticket.updated",
                "actor_id": 1,
            },
        )

        assert await hear(agent) == {"type": "changed"}
        assert await hear(customer) == {"type": "changed"}
        await agent.disconnect()
        await customer.disconnect()

    run(scenario)


def test_presence_reaches_other_agents_but_not_the_sender(alice, dave, team_a):
    colleague = AgentFactory(full_name="Camille Martin")
    team_a.members.add(colleague)
    ticket = open_ticket(dave, team=team_a)

    async def scenario() -> None:
        alice_socket = await connect(alice, ticket.public_id)
        camille_socket = await connect(colleague, ticket.public_id)

        await present(camille_socket, "replying")

        heard = await hear(alice_socket)
        assert heard == {
            "type": "presence",
            "id": colleague.public_id,
            "user": "Camille Martin",
            "state": "replying",
        }
        assert await camille_socket.receive_nothing(timeout=0.3)
        await alice_socket.disconnect()
        await camille_socket.disconnect()

    run(scenario)


def test_customers_never_hear_which_agent_is_looking(alice, dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        customer = await connect(dave, ticket.public_id)
        agent = await connect(alice, ticket.public_id)

        await present(agent, "viewing")
        await present(agent, "replying")
        # A change sent after the presence messages arrives first: nothing came before it.
        await get_channel_layer().group_send(
            ticket_group(ticket.public_id), {"type": "ticket_changed", "ticket": ticket.public_id}
        )

        assert await hear(customer) == {"type": "changed"}
        await customer.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_customers_presence_is_not_relayed(alice, dave):
    ticket = open_ticket(dave)

    async def scenario() -> None:
        agent = await connect(alice, ticket.public_id)
        customer = await connect(dave, ticket.public_id)

        await present(customer, "replying")

        assert await agent.receive_nothing(timeout=0.3)
        await agent.disconnect()
        await customer.disconnect()

    run(scenario)


def test_an_agent_arriving_hears_what_colleagues_are_doing(alice, dave, team_a):
    colleague = AgentFactory(full_name="Camille Martin")
    team_a.members.add(colleague)
    ticket = open_ticket(dave, team=team_a)

    async def scenario() -> None:
        camille_socket = await connect(colleague, ticket.public_id)
        await present(camille_socket, "replying")

        alice_socket = await connect(alice, ticket.public_id)

        assert (await hear(alice_socket))["state"] == "replying"
        await alice_socket.disconnect()
        await camille_socket.disconnect()

    run(scenario)


def test_closing_the_page_tells_colleagues_the_agent_left(alice, dave, team_a):
    colleague = AgentFactory(full_name="Camille Martin")
    team_a.members.add(colleague)
    ticket = open_ticket(dave, team=team_a)

    async def scenario() -> None:
        alice_socket = await connect(alice, ticket.public_id)
        camille_socket = await connect(colleague, ticket.public_id)
        await present(camille_socket, "viewing")
        assert (await hear(alice_socket))["state"] == "viewing"

        await camille_socket.disconnect()

        assert (await hear(alice_socket))["state"] == "left"
        await alice_socket.disconnect()

    run(scenario)


def test_unknown_presence_states_are_ignored(alice, dave, team_a):
    colleague = AgentFactory()
    team_a.members.add(colleague)
    ticket = open_ticket(dave, team=team_a)

    async def scenario() -> None:
        alice_socket = await connect(alice, ticket.public_id)
        other = await connect(colleague, ticket.public_id)

        await other.send_json_to({"type": "presence", "state": "<script>"})

        assert await alice_socket.receive_nothing(timeout=0.3)
        await alice_socket.disconnect()
        await other.disconnect()

    run(scenario)
