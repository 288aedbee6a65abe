"""WebSocket endpoint for a signed-in user's live notices."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from comptoir.core.realtime import user_group


class NotificationsConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Joins ``user.<public_id>``; anonymous connections are refused at the handshake."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group = user_group(user.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The channel is one-way: clients only listen.
        if content == {"type": "ping"}:
            await self.send_json({"type": "pong"})

    async def notify(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "notify", "level": message["level"], "text": message["text"]})
