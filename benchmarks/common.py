"""Pieces shared by the load benchmarks: a server on loopback, sign-in, wrk, figures."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPTOIR = ROOT / ".venv" / "bin" / "comptoir"
PYTHON = ROOT / ".venv" / "bin" / "python"


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: int | None


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


def login(base: str, email: str, password: str) -> str:
    """Sign in through the real form; return the session cookie value."""
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
    opener.open(request).read()
    for cookie in jar:
        if cookie.name == "sessionid":
            return str(cookie.value)
    raise SystemExit(f"login failed for {email}")


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    script_env: dict[str, str] | None = None,
) -> tuple[float, float, float, int]:
    """Load ``url`` with wrk (2 threads); a Lua ``script`` may vary paths or POST bodies."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(script_env or {})},
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return kib / 1024


@contextmanager
def running_server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """`comptoir serve` on a free loopback port; yields its URL, process and start-up time."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(COMPTOIR), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield base, server, wait_healthy(base, timeout=300)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def queries_per_request(
    env: dict[str, str], requests: list[tuple[str, str, str | None]], logins: dict[str, str]
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
    print("| request | requests/s | p50 ms | p99 ms | non-2xx/3xx | queries/request |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.name} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.errors} | {r.queries if r.queries is not None else '-'} |"
        )
