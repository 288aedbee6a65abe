"""WebSocket endpoint of an open ticket page: live refresh and agents' presence.

Everyone who may see the ticket joins ``ticket.<public_id>`` and hears "changed" when
the ticket's subscriber pushes ``ticket_changed``; the page then re-reads what changed
through its own scoped views. Agents also join ``ticket.<public_id>.presence``, where
they say whether they are viewing or replying. Customers never join it: which agent is
looking at a ticket is internal, and a customer's own presence is not relayed either.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from comptoir.accounts.models import User
from comptoir.tickets import queries
from comptoir.tickets.subscribers import ticket_group

PRESENCE_STATES = frozenset({"viewing", "replying", "left"})
# Close codes the page script reads: do not retry.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403


def presence_group(public_id: str) -> str:
    return f"{ticket_group(public_id)}.presence"


def _visible_ticket(user: User, public_id: str) -> bool:
    return queries.tickets_visible_to(user).filter(public_id=public_id).exists()


class TicketConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """``ws/tickets/<public_id>/``: for agents and customers who may see the ticket."""

    groups_joined: list[str]
    user: User | None = None
    presence_state: str | None = None

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        if user is None or not user.is_authenticated or not user.is_active:
            await self._refuse(CLOSE_NOT_SIGNED_IN)
            return
        if not await database_sync_to_async(_visible_ticket)(user, public_id):
            await self._refuse(CLOSE_FORBIDDEN)
            return
        self.user = user
        self.groups_joined.append(ticket_group(public_id))
        if user.is_agent:
            self.groups_joined.append(presence_group(public_id))
        # Join before accepting: a change pushed as soon as the page hears "open" is not lost.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        if user.is_agent:
            # Ask the agents already here to say what they are doing, to this page only.
            await self._to_presence({"type": "presence.sync", "reply_to": self.channel_name})

    async def _refuse(self, code: int) -> None:
        # Accept, then close with a code: a handshake refused outright reaches the browser
        # as a bare 1006, and the page would keep retrying.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if (
            self.user is not None
            and self.user.is_agent
            and self.presence_state not in (None, "left")
        ):
            await self._announce("left")
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or self.user is None:
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif (
            content.get("type") == "presence"
            and content.get("state") in PRESENCE_STATES
            and self.user.is_agent
        ):
            await self._announce(str(content["state"]))

    async def _announce(self, state: str) -> None:
        assert self.user is not None
        self.presence_state = state
        await self._to_presence(self._presence_message(state))

    def _presence_message(self, state: str) -> dict[str, Any]:
        assert self.user is not None
        return {
            "type": "presence.update",
            "sender": self.user.public_id,
            "user": self.user.display_name,
            "state": state,
        }

    async def _to_presence(self, message: dict[str, Any]) -> None:
        presence = [group for group in self.groups_joined if group.endswith(".presence")]
        for group in presence:
            await self.channel_layer.group_send(group, message)

    # --- Group messages, named after their type ---------------------------------------

    async def ticket_changed(self, message: dict[str, Any]) -> None:
        # Content-free on purpose: the page re-reads through its own scoped views.
        await self.send_json({"type": "changed"})

    async def presence_update(self, message: dict[str, Any]) -> None:
        if self.user is None or not self.user.is_agent:
            return
        if message["sender"] == self.user.public_id:
            return  # neither this page nor the agent's other tabs report on themselves
        await self.send_json(
            {
                "type": "presence",
                "id": message["sender"],  # keys the notice: two agents may share a name
                "user": message["user"],
                "state": message["state"],
            }
        )

    async def presence_sync(self, message: dict[str, Any]) -> None:
        if message["reply_to"] == self.channel_name or self.presence_state in (None, "left"):
            return
        assert self.presence_state is not None
        await self.channel_layer.send(
            message["reply_to"], self._presence_message(self.presence_state)
        )
