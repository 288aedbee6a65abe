"""Load benchmark of a real `comptoir serve` on loopback, driven by wrk.

Starts the server from an empty data folder (SQLite by default; PostgreSQL when
DATABASE_URL is set), measures the time to the first healthy answer, seeds the demo
desk, signs an agent and a customer in, then runs wrk against each page and reports
requests/s, p50 and p99 latency, queries per request and the server's memory.

    .venv/bin/python benchmarks/http_load.py [--duration 10] [--connections 16]

Traffic stays on 127.0.0.1; every run is bounded by --duration per page.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPTOIR = ROOT / ".venv" / "bin" / "comptoir"
PAGES = [
    ("health", "/health/", None),
    ("portal home (anonymous)", "/portal/", None),
    ("login page", "/accounts/login/", None),
    ("portal home (customer)", "/portal/", "customer"),
    ("agent overview", "/agent/", "agent"),
]
LOGINS = {"customer": "dave@acme.example", "agent": "camille@comptoir.example"}
DEMO_PASSWORD = "help-desk-2026"  # noqa: S105 - the demo desk's published password


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


def login(base: str, email: str) -> str:
    """Sign in through the real form; return the session cookie value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": email, "password": DEMO_PASSWORD}
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
    url: str, cookie: str | None, duration: int, connections: int
) -> tuple[float, float, float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def count_queries(env: dict[str, str]) -> dict[str, int]:
    """Queries per request, measured in a separate process with Django's test client."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection\n"
        "from comptoir.accounts.models import User\n"
        f"pages = {[(name, path, who) for name, path, who in PAGES]!r}\n"
        f"logins = {LOGINS!r}\n"
        "out = {}\n"
        "for name, path, who in pages:\n"
        "    client = Client(HTTP_HOST='127.0.0.1')\n"
        "    if who: client.force_login(User.objects.get(email=logins[who]))\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as ctx: client.get(path)\n"
        "    out[name] = len(ctx)\n"
        "print(json.dumps(out))\n"
    )
    import json

    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "comptoir.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/system-deps.sh wrk")

    data_dir = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    env = {**os.environ, "COMPTOIR_DATA_DIR": str(data_dir), "COMPTOIR_LOG_LEVEL": "WARNING"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    server = subprocess.Popen(
        [str(COMPTOIR), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        startup = wait_healthy(base, timeout=120)
        subprocess.run([str(COMPTOIR), "demo"], env=env, check=True, capture_output=True)
        cookies = {who: login(base, email) for who, email in LOGINS.items()}
        idle_rss = rss_mib(server.pid)
        queries = count_queries(env)
        results = []
        for name, path, who in PAGES:
            rps, p50, p99, errors = run_wrk(
                base + path, cookies.get(who) if who else None, args.duration, args.connections
            )
            results.append(Result(name, rps, p50, p99, errors, queries.get(name)))
        loaded_rss = rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"Comptoir on {database}, {os.cpu_count()} cores, wrk -t2 -c{args.connections} -d{args.duration}s"
    )
    print(f"start-up from an empty folder to first healthy answer: {startup:.2f} s")
    print(f"server memory (RSS): {idle_rss:.0f} MiB idle, {loaded_rss:.0f} MiB after load\n")
    print("| page | requests/s | p50 ms | p99 ms | non-2xx/3xx | queries/request |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.name} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.errors} | {r.queries if r.queries is not None else '-'} |"
        )


if __name__ == "__main__":
    sys.exit(main())
