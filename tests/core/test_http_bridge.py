"""The ASGI-to-Django bridge: requests reach Django whole, responses come back whole,
streamed responses stream and are closed, and a client that leaves costs nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished

from comptoir.core.http_bridge import STREAM_BATCH_BYTES, DjangoHttp, build_environ


def _scope(path: str = "/health/", method: str = "GET", **extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.7", 50123),
        "server": ("127.0.0.1", 8000),
        **extra,
    }


def _call(
    app: DjangoHttp, scope: dict[str, Any], bodies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    incoming = list(bodies)

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _body(sent: list[dict[str, Any]]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_environ_carries_the_request() -> None:
    scope = _scope(
        "/agent/tickets/",
        query_string=b"view=open&q=caf%C3%A9",
        headers=[
            (b"host", b"desk.example"),
            (b"content-type", b"application/json"),
            (b"content-length", b"2"),
            (b"cookie", b"a=1"),
            (b"cookie", b"b=2"),
            (b"accept", b"text/html"),
            (b"accept", b"*/*"),
        ],
        scheme="https",
    )
    environ = build_environ(scope, body=None)

    assert environ["PATH_INFO"] == "/agent/tickets/"
    assert environ["QUERY_STRING"] == "view=open&q=caf%C3%A9"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["HTTP_HOST"] == "desk.example"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["HTTP_ACCEPT"] == "text/html,*/*"
    assert environ["REMOTE_ADDR"] == "127.0.0.7"
    assert environ["wsgi.url_scheme"] == "https"


def test_non_ascii_paths_reach_django_as_wsgi_expects() -> None:
    environ = build_environ(_scope("/portal/café/"), body=None)
    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/portal/café/"


@pytest.mark.django_db(transaction=True)
def test_a_django_page_is_served_whole_and_the_request_finishes() -> None:
    finished: list[bool] = []

    def on_finished(**kwargs: Any) -> None:
        finished.append(True)

    request_finished.connect(on_finished)
    try:
        sent = _call(DjangoHttp(threads=2), _scope(), [{"type": "http.request", "body": b""}])
    finally:
        request_finished.disconnect(on_finished)

    start = sent[0]
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    assert (b"content-type", b"application/json") in start["headers"]
    assert b'"status"' in _body(sent)
    assert sent[-1].get("more_body") is False
    assert finished == [True]


@pytest.mark.django_db(transaction=True)
def test_a_posted_body_arriving_in_pieces_reaches_django() -> None:
    scope = _scope(
        "/accounts/login/",
        method="POST",
        headers=[
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"30"),
        ],
    )
    bodies = [
        {"type": "http.request", "body": b"login=a%40b.example", "more_body": True},
        {"type": "http.request", "body": b"&password=x", "more_body": False},
    ]
    sent = _call(DjangoHttp(threads=1), scope, bodies)

    # Django read the form: without a CSRF token it refuses it, as it must.
    assert sent[0]["status"] == 403


class _Streamed:
    """A WSGI application streaming ``chunks`` pieces of 64 KiB, recording its close."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> _Streamed:
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
            ],
        )
        return self

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            yield b"x" * 65536

    def close(self) -> None:
        self.closed = True


def test_a_streamed_response_is_sent_in_batches_and_closed() -> None:
    app = DjangoHttp(threads=1)
    streamed = _Streamed(chunks=10)
    app.handler = streamed  # type: ignore[assignment]
    sent = _call(app, _scope("/file"), [{"type": "http.request"}])

    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert sum(len(m["body"]) for m in bodies) == 10 * 65536
    assert all(len(m["body"]) <= STREAM_BATCH_BYTES for m in bodies)
    assert len(bodies) > 1
    assert [m["more_body"] for m in bodies][-1] is False
    assert sent[0]["headers"].count((b"set-cookie", b"a=1")) == 1
    assert (b"set-cookie", b"b=2") in sent[0]["headers"]
    assert streamed.closed


def test_a_response_is_closed_when_the_client_is_gone() -> None:
    app = DjangoHttp(threads=1)
    streamed = _Streamed(chunks=20)
    app.handler = streamed  # type: ignore[assignment]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("connection reset")

    with pytest.raises(OSError):
        asyncio.run(app(_scope("/file"), receive, send))
    assert streamed.closed


def test_a_client_leaving_before_its_body_never_reaches_django() -> None:
    app = DjangoHttp(threads=1)
    streamed = _Streamed(chunks=1)
    calls: list[dict[str, Any]] = []
    app.handler = lambda environ, start: calls.append(environ) or streamed(environ, start)  # type: ignore[assignment]
    sent = _call(app, _scope("/file", method="POST"), [{"type": "http.disconnect"}])

    assert sent == []
    assert calls == []


def test_what_an_application_writes_through_write_comes_before_its_iterable() -> None:
    app = DjangoHttp(threads=1)

    def legacy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"first, ")
        return [b"then the rest"]

    app.handler = legacy  # type: ignore[assignment]
    sent = _call(app, _scope("/legacy"), [{"type": "http.request"}])

    assert _body(sent) == b"first, then the rest"
