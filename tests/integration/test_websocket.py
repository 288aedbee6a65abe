"""Live notices over a real WebSocket: the ASGI app under uvicorn, a real client.

The service call happens in the test's thread, as a web request or a task worker
would make it; the notice must cross to the server's event loop and reach only the
person it concerns, in their language. With ``REDIS_URL`` set the same path runs
through channels-redis.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from comptoir.accounts.choices import Language
from comptoir.accounts.models import Team, User
from comptoir.accounts.services import do_add_team_member
from comptoir.core.choices import Source
from tests.factories import AgentFactory, TeamFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECEIVE_TIMEOUT = 10.0
NOTICE = "You were added to the team %(team)s."


@pytest.fixture
def open_socket(server_port: int) -> Iterator[Callable[..., ClientConnection]]:
    with ExitStack() as opened:

        def _open(user: User | None = None, *, origin: str | None = None) -> ClientConnection:
            headers = {}
            if user is not None:
                client = Client()
                client.force_login(user)
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
            return opened.enter_context(
                connect(
                    f"ws://127.0.0.1:{server_port}/ws/notifications/",
                    origin=Origin(origin or f"http://127.0.0.1:{server_port}"),
                    additional_headers=headers,
                    proxy=None,
                    open_timeout=RECEIVE_TIMEOUT,
                )
            )

        yield _open


def receive(socket: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(socket.recv(timeout=RECEIVE_TIMEOUT)))


def add_to_team(team: Team, user: User) -> None:
    # transactional_db: the service's transaction really commits, so its on-commit
    # event runs the subscriber (immediate task backend) in this thread.
    do_add_team_member(team, user, actor=None, source=Source.WEB)


def test_agent_is_told_live_when_added_to_a_team(
    open_socket: Callable[..., ClientConnection],
) -> None:
    agent = AgentFactory(language=Language.ENGLISH)
    team = TeamFactory(name="Escalations")
    socket = open_socket(agent)

    add_to_team(team, agent)

    assert receive(socket) == {
        "type": "notify",
        "level": "info",
        "text": "You were added to the team Escalations.",
    }


def test_notice_is_worded_in_the_recipients_language(
    open_socket: Callable[..., ClientConnection],
) -> None:
    agent = AgentFactory(language=Language.FRENCH)
    team = TeamFactory(name="Facturation")
    socket = open_socket(agent)

    add_to_team(team, agent)

    with translation.override("fr"):
        french = translation.gettext(NOTICE)
    assert french != NOTICE, "the French catalogue has no translation of the notice"
    assert receive(socket)["text"] == french % {"team": "Facturation"}


def test_anonymous_connection_is_refused(open_socket: Callable[..., ClientConnection]) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_socket(None)
    assert refused.value.response.status_code == 403


def test_connection_from_a_foreign_origin_is_refused(
    open_socket: Callable[..., ClientConnection],
) -> None:
    # A signed-in browser visiting another site must not lend that site its session.
    agent = AgentFactory()
    with pytest.raises(InvalidStatus) as refused:
        open_socket(agent, origin="http://evil.example")
    assert refused.value.response.status_code == 403


def test_a_user_never_receives_another_users_notice(
    open_socket: Callable[..., ClientConnection],
) -> None:
    alice = AgentFactory(language=Language.ENGLISH)
    bob = AgentFactory(language=Language.ENGLISH)
    alice_socket = open_socket(alice)
    bob_socket = open_socket(bob)

    add_to_team(TeamFactory(name="Bob's team"), bob)
    assert receive(bob_socket)["text"] == "You were added to the team Bob's team."

    # Alice's own notice is sent after Bob's: had Bob's reached her channel too, it
    # would be the first thing she reads. No waiting for an absence is needed.
    add_to_team(TeamFactory(name="Alice's team"), alice)
    assert receive(alice_socket)["text"] == "You were added to the team Alice's team."
