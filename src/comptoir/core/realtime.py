"""Live updates: pushing messages to WebSocket groups from any thread or process.

Groups are named after the object they follow (``user.<public_id>``,
``ticket.<public_id>``). Services never push directly: an event subscriber does,
after commit, so a web reply and a chat line reach browsers the same way.

With Redis, any process can publish. With the in-memory layer of the embedded
default, the layer lives on the ASGI server's event loop, and the task worker
runs in a thread of the same process: a push from that thread is handed to the
server's loop (recorded at ASGI start-up), since asyncio queues are not
thread-safe.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

_server_loop: asyncio.AbstractEventLoop | None = None
PUSH_TIMEOUT = 5.0


def user_group(public_id: str) -> str:
    return f"user.{public_id}"


def set_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop
    _server_loop = loop


def push(group: str, message_type: str, data: dict[str, Any]) -> None:
    """Send ``data`` to every connection in ``group``; consumers handle ``message_type``."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": message_type, **data}
    loop = _server_loop
    if loop is not None and loop.is_running() and not _on_loop(loop):
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.result(timeout=PUSH_TIMEOUT)
        return
    async_to_sync(layer.group_send)(group, message)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
