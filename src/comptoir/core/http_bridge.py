"""HTTP requests of the ASGI server, handled by Django's synchronous (WSGI) handler in a
pool of threads.

Django's own ASGI handler runs every synchronous middleware hook and the view through
``sync_to_async``: about twenty thread hand-offs per request with our middleware stack,
which cost more than rendering a small page (measured in ``benchmarks/README.md``). Every
view and middleware of Comptoir is synchronous, so this bridge hands the whole request to
the WSGI handler in one hop and sends its response from the event loop. WebSockets still
go through Channels (``comptoir.asgi``).

Each pool thread keeps its own database connection (``CONN_MAX_AGE``), as under any
threaded WSGI server; ``request_started``/``request_finished`` fire in the thread that
served the request, so Django closes expired connections there.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile
from typing import Any

from django.core.handlers.wsgi import WSGIHandler

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A request body up to this size stays in memory; larger ones (uploads) spool to disk.
SPOOL_BYTES = 1024 * 1024
# A streamed response (a download) is read this much per hand-off to the thread pool.
STREAM_BATCH_BYTES = 256 * 1024


class ClientGone(Exception):
    """The client disconnected before sending its whole request."""


class _Started:
    """WSGI's ``start_response``: the status and headers, and what the application wrote
    through the legacy ``write()`` callable (sent before its iterable, as PEP 3333 says)."""

    status: int = 500
    headers: list[tuple[bytes, bytes]]
    written: list[bytes]

    def __init__(self) -> None:
        self.headers = []
        self.written = []

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        return self.written.append


def build_environ(scope: Scope, body: Any) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope."""
    script_name = scope.get("root_path", "").encode("utf-8").decode("latin-1")
    path_info = scope["path"].encode("utf-8").decode("latin-1")
    if script_name and path_info.startswith(script_name):
        path_info = path_info[len(script_name) :]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] if server[1] is not None else 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            name = f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        # Repeated headers join with a comma (RFC 9110), cookies with a semicolon.
        if name in environ:
            value = f"{environ[name]}{'; ' if name == 'HTTP_COOKIE' else ','}{value}"
        environ[name] = value
    return environ


class DjangoHttp:
    """An ASGI application serving HTTP with Django's WSGI handler in ``threads`` threads."""

    def __init__(self, threads: int) -> None:
        self.handler = WSGIHandler()
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="comptoir-http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        with SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
            try:
                await _read_body(receive, body)
            except ClientGone:
                return
            body.seek(0)
            environ = build_environ(scope, body)
            started = _Started()
            result, chunks, done = await loop.run_in_executor(
                self.executor, self._start, environ, started
            )
        await send(
            {"type": "http.response.start", "status": started.status, "headers": started.headers}
        )
        try:
            while True:
                more = not done
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": more}
                )
                if not more:
                    break
                chunks, done = await loop.run_in_executor(self.executor, _next_batch, result)
        finally:
            if not done:
                await loop.run_in_executor(self.executor, _close, result)

    def _start(
        self, environ: dict[str, Any], started: _Started
    ) -> tuple[Iterator[bytes], list[bytes], bool]:
        """Run Django on the request; return the response's iterator and its first chunks."""
        response: Iterable[bytes] = self.handler(environ, started)
        iterator = _Iterating(response)
        chunks, done = _next_batch(iterator)
        return iterator, [*started.written, *chunks], done


class _Iterating(Iterator[bytes]):
    """A response being read, closed (``request_finished``) once read or abandoned."""

    def __init__(self, response: Iterable[bytes]) -> None:
        self.response = response
        self.iterator = iter(response)

    def __next__(self) -> bytes:
        return next(self.iterator)

    def close(self) -> None:
        close = getattr(self.response, "close", None)
        if close is not None:
            close()


def _next_batch(iterator: Iterator[bytes]) -> tuple[list[bytes], bool]:
    """Up to ``STREAM_BATCH_BYTES`` of the response; ``done`` once it is read and closed."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size < STREAM_BATCH_BYTES:
            chunk = next(iterator)
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
    except StopIteration:
        _close(iterator)
        return chunks, True
    except BaseException:
        _close(iterator)
        raise
    return chunks, False


def _close(iterator: Iterator[bytes]) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


async def _read_body(receive: Receive, body: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        body.write(message.get("body", b""))
        if not message.get("more_body", False):
            return
