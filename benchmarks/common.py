"""Pieces shared by the load benchmarks: a server on loopback, sign-in, wrk, figures."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPTOIR = ROOT / ".venv" / "bin" / "comptoir"
PYTHON = ROOT / ".venv" / "bin" / "python"
STATUS_LUA = Path(__file__).resolve().parent / "lua" / "status.lua"
# Where a sign-in that did not complete ends: the form again, the "verify your email"
# page of allauth's mandatory verification, the second factor, or an inactive account.
SIGN_IN_DEAD_ENDS = (
    "/accounts/login/",
    "/accounts/confirm-email/",
    "/accounts/2fa/",
    "/accounts/inactive/",
)
SIGNED_IN_ONLY = "/accounts/profile/"  # needs a session, whatever the role


@dataclass
class Load:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    unexpected: int  # responses whose status was not the expected one, 3xx included
    bytes_per_response: float  # bytes wrk read (headers included) / requests
    socket_errors: int


@dataclass
class Result:
    name: str
    load: Load
    queries: int | None


def setup_desk_in_process(purpose: str) -> None:
    """Set Django up in this process on the desk of COMPTOIR_DATA_DIR (or DATABASE_URL), as
    `comptoir serve` would, for the in-process tools; ``purpose`` ends the error message."""
    if not (os.environ.get("COMPTOIR_DATA_DIR") or os.environ.get("DATABASE_URL")):
        raise SystemExit(f"set COMPTOIR_DATA_DIR (or DATABASE_URL) to the desk to {purpose}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import logging

    import django

    django.setup()
    # A refused page is reported by the tool; its 403 or 404 warning would only repeat it.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server not healthy after {timeout}s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch_once(
    url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, int, str]:
    """One request that does not follow redirects: status, body size, Location."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - our loopback server
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status), len(response.read()), ""
    except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
        return error.code, len(error.read()), error.headers.get("Location", "")


def require_status(
    name: str,
    url: str,
    expected: int,
    *,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> None:
    """Stop before loading ``url`` when a single request does not answer ``expected``."""
    status, size, location = fetch_once(url, headers=headers, data=data)
    if status != expected:
        where = f" to {location}" if location else ""
        raise SystemExit(
            f"{name}: {url} answered {status}{where} ({size} bytes), not {expected}; "
            "a load run would time that answer, not the page"
        )


def login(base: str, email: str, password: str) -> str:
    """Sign in through the real form; return the session cookie value.

    Stops unless the sign-in really ended signed in: a user without a verified email
    address lands on the confirm-email page with an anonymous session, and every page
    loaded with that cookie is a redirect to the login form.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the local server we started
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request) as response:
        response.read()
        landed = urllib.parse.urlsplit(response.geturl()).path
    if landed.startswith(SIGN_IN_DEAD_ENDS):
        hint = ""
        if landed.startswith("/accounts/confirm-email/"):
            hint = (
                ": the user has no verified email address; repair a seeded desk with "
                "`COMPTOIR_DATA_DIR=<its folder> .venv/bin/python benchmarks/seed.py --fix-logins`"
            )
        raise SystemExit(f"sign-in of {email} ended on {landed}, not signed in{hint}")
    session = next((str(cookie.value) for cookie in jar if cookie.name == "sessionid"), None)
    if session is None:
        raise SystemExit(f"sign-in of {email} set no session cookie")
    status, _, location = fetch_once(
        base + SIGNED_IN_ONLY, headers={"Cookie": f"sessionid={session}"}
    )
    if status != 200:
        raise SystemExit(
            f"sign-in of {email} did not hold: {SIGNED_IN_ONLY} answered {status} "
            f"{location}, not 200"
        )
    return session


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


STATUS_CHECK = re.compile(
    r"status check: expected \d+, unexpected (\d+), example (\d+), requests (\d+), bytes (\d+)"
)
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def run_wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    script_env: dict[str, str] | None = None,
    expect: int = 200,
) -> Load:
    """Load ``url`` with wrk (2 threads); a Lua ``script`` may vary paths or POST bodies.

    Every response whose status is not ``expect`` is counted, 3xx included (wrk itself
    counts only 4xx and 5xx), by ``lua/status.lua`` appended to the script.
    """
    lua = STATUS_LUA.read_text()
    if script is not None:
        lua = script.read_text() + "\n" + lua
    with tempfile.TemporaryDirectory(prefix="comptoir-wrk-") as folder:
        combined = Path(folder) / "load.lua"
        combined.write_text(lua)
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
        ]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", str(combined), url]
        output = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **(script_env or {}), "EXPECT_STATUS": str(expect)},
        ).stdout
    check = STATUS_CHECK.search(output)
    if check is None:
        raise SystemExit(f"wrk printed no status check for {url}:\n{output}")
    unexpected, example, requests, size = (int(group) for group in check.groups())
    if unexpected:
        print(f"{url}: {unexpected} of {requests} answers not {expect} (e.g. {example})")
    sockets = SOCKET_ERRORS.search(output)
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        p99_ms=to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        requests=requests,
        unexpected=unexpected,
        bytes_per_response=size / requests if requests else 0.0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and of its child processes (the server's processes)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if int(stat.parent.name) != pid and parent != pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        found = re.search(r"VmRSS:\s+(\d+)", status)
        total += int(found.group(1)) if found else 0
    return total / 1024


@contextmanager
def running_server(
    env: dict[str, str], *, processes: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """`comptoir serve` on a free loopback port; yields its URL, process and start-up time.
    With Redis (``REDIS_URL``) a `comptoir worker` runs beside it, as in production."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(COMPTOIR), "serve", "--port", str(port), "--processes", str(processes)]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ]
    if env.get("REDIS_URL"):
        children.append(
            subprocess.Popen(
                [str(COMPTOIR), "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        yield base, children[0], wait_healthy(base, timeout=300)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def queries_per_request(
    env: dict[str, str],
    requests: Sequence[tuple[str, str, str | None]],
    logins: dict[str, str],
) -> dict[str, int]:
    """Queries each request issues, measured in a separate process with Django's test
    client (second request of each, so per-process caches are warm as on a live server)."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection\n"
        "from comptoir.accounts.models import User\n"
        f"requests = {requests!r}\n"
        f"logins = {logins!r}\n"
        "out = {}\n"
        "for name, path, who in requests:\n"
        "    client = Client(HTTP_HOST='127.0.0.1')\n"
        "    if who: client.force_login(User.objects.get(email=logins[who]))\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as ctx: response = client.get(path)\n"
        "    assert response.status_code == 200, (path, response.status_code)\n"
        "    out[name] = len(ctx)\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [str(PYTHON), "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "comptoir.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def print_table(results: list[Result]) -> None:
    print(
        "| request | requests/s | p50 ms | p99 ms | unexpected status | bytes/response "
        "| queries/request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        load = r.load
        print(
            f"| {r.name} | {load.requests_per_second:.0f} | {load.p50_ms:.1f} | "
            f"{load.p99_ms:.1f} | {load.unexpected} | {load.bytes_per_response:,.0f} | "
            f"{r.queries if r.queries is not None else '-'} |"
        )
    for r in results:
        if r.load.socket_errors:
            print(f"{r.name}: {r.load.socket_errors} socket errors (connect, read, write, timeout)")


def exit_status(results: list[Result]) -> int:
    """1 when any request got an unexpected status: such a run timed redirects or
    errors, so its figures must not pass for page timings."""
    failed = [f"{r.name} ({r.load.unexpected})" for r in results if r.load.unexpected]
    if failed:
        print(
            f"\nunexpected statuses in: {', '.join(failed)}; these figures are not valid",
            file=sys.stderr,
        )
        return 1
    return 0
