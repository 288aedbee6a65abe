"""Helpers for tests that talk to real processes and servers.

Every wait here is a bounded poll: it returns as soon as the condition holds and fails
with a message (and the server's log) when the bound passes, so a slow machine only
makes the suite slower, never flaky.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn, TypeVar

import pytest

T = TypeVar("T")

# The `comptoir` console script installed next to the interpreter running the tests.
COMPTOIR = str(Path(sys.executable).with_name("comptoir"))
# Servers the scaled-mode tests use; CI provides them, a laptop may not.
POSTGRES_ADMIN_URL = os.environ.get(
    "COMPTOIR_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("COMPTOIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

# Bounds, generous on purpose: they are only reached when something is broken.
STARTUP_TIMEOUT = 120.0
SHUTDOWN_TIMEOUT = 30.0
COMMAND_TIMEOUT = 180.0
POLL_TIMEOUT = 120.0


def wait_until(
    probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.1
) -> T:
    """Call ``probe`` until it returns something truthy, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unavailable(reason: str) -> NoReturn:
    """Skip on a laptop without the server; fail in CI, which must run every test."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so every integration test must run)")
    pytest.skip(reason)


def comptoir_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a fresh install: no Comptoir, database or Redis variable set
    except the data folder and ``overrides``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COMPTOIR_")
        and name not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SECRET_KEY_FILE"}
    }
    env.update(COMPTOIR_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **overrides)
    return env


def run_comptoir(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMPTOIR, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Browser:
    """A minimal HTTP client with cookies, for pages of a server on 127.0.0.1."""

    base_url: str
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _open(self, request: urllib.request.Request, *, follow: bool) -> Response:
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.ProxyHandler({}),  # never through a proxy from the environment
            urllib.request.HTTPCookieProcessor(self.cookies),
        ]
        if not follow:
            handlers.append(_NoRedirect())
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=30) as reply:
                return Response(reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers.items()), error.read())

    def _request(self, path: str, body: bytes | None = None) -> urllib.request.Request:
        assert self.base_url.startswith("http://127.0.0.1:")
        return urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 - checked above

    def get(self, path: str, *, follow: bool = True) -> Response:
        return self._open(self._request(path), follow=follow)

    def post(self, path: str, data: dict[str, str], *, follow: bool = True) -> Response:
        body = urllib.parse.urlencode(data).encode()
        return self._open(self._request(path, body), follow=follow)

    def log_in(self, email: str, password: str) -> None:
        form = self.get("/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert match, "the login page has no CSRF token"
        reply = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": match.group(1), "login": email, "password": password},
            follow=False,
        )
        assert reply.status == 302, f"login refused ({reply.status})"


class ServerProcess:
    """``comptoir serve`` in a child process, its output kept in a log file."""

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ):
        self.args = args
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = env if env is not None else comptoir_env(data_dir)
        self.log_path = log_path
        self._log: IO[str] | None = None
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> ServerProcess:
        self._log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [COMPTOIR, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until(self._healthy, timeout=STARTUP_TIMEOUT, what=f"{self.base_url}/health/")
        except BaseException:
            self.stop()
            raise
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"comptoir serve exited with {self.process.returncode}:\n{self.log()}"
            )
        try:
            return Browser(self.base_url).get("/health/").status == 200
        except OSError:  # not listening yet
            return False

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")[-5000:]

    def stop(self) -> int:
        """SIGTERM, then SIGKILL if the server has not exited within the bound."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)
        if self._log is not None:
            self._log.close()
        return self.process.returncode
