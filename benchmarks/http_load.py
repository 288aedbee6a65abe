"""Load benchmark of the spine: a real `comptoir serve` on loopback, driven by wrk.

Starts the server from an empty data folder (SQLite by default; PostgreSQL when
DATABASE_URL is set), measures the time to the first healthy answer, seeds the demo
desk, signs an agent and a customer in, then runs wrk against each page and reports
requests/s, p50 and p99 latency, bytes per response, queries per request and the
server's memory. Every page must answer 200 once before its load, and the script exits 1
if any response of the load had another status (3xx included).

    .venv/bin/python benchmarks/http_load.py [--duration 10] [--connections 16]

Traffic stays on 127.0.0.1; every run is bounded by --duration per page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import (
    COMPTOIR,
    Result,
    exit_status,
    login,
    print_table,
    queries_per_request,
    require_status,
    rss_mib,
    run_wrk,
    running_server,
)

PAGES = [
    ("health", "/health/", None),
    ("portal home (anonymous)", "/portal/", None),
    ("login page", "/accounts/login/", None),
    ("portal home (customer)", "/portal/", "customer"),
    ("agent overview", "/agent/", "agent"),
]
LOGINS = {"customer": "dave@acme.example", "agent": "camille@comptoir.example"}
DEMO_PASSWORD = "help-desk-2026"  # noqa: S105 - the demo desk's published password


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/system-deps.sh wrk")

    data_dir = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    env = {**os.environ, "COMPTOIR_DATA_DIR": str(data_dir), "COMPTOIR_LOG_LEVEL": "WARNING"}
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    try:
        with running_server(env) as (base, server, startup):
            subprocess.run([str(COMPTOIR), "demo"], env=env, check=True, capture_output=True)
            cookies = {who: login(base, email, DEMO_PASSWORD) for who, email in LOGINS.items()}
            idle_rss = rss_mib(server.pid)
            queries = queries_per_request(env, PAGES, LOGINS)
            results = []
            for name, path, who in PAGES:
                headers = {"Cookie": f"sessionid={cookies[who]}"} if who else {}
                require_status(name, base + path, 200, headers=headers)
                figures = run_wrk(
                    base + path,
                    duration=args.duration,
                    connections=args.connections,
                    headers=headers,
                )
                results.append(Result(name, figures, queries.get(name)))
            loaded_rss = rss_mib(server.pid)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"Comptoir on {database}, {os.cpu_count()} cores, wrk -t2 -c{args.connections} -d{args.duration}s"
    )
    print(f"start-up from an empty folder to first healthy answer: {startup:.2f} s")
    print(f"server memory (RSS): {idle_rss:.0f} MiB idle, {loaded_rss:.0f} MiB after load\n")
    print_table(results)
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
