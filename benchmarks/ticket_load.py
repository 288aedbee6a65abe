"""Load benchmark of the ticketing core at scale: a real `comptoir serve` on loopback,
seeded with many tickets, driven by wrk.

    .venv/bin/python benchmarks/ticket_load.py --tickets 100000
    .venv/bin/python benchmarks/ticket_load.py --reuse var/bench-1m        # seeded before
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/comptoir_bench \\
        .venv/bin/python benchmarks/ticket_load.py --tickets 1000000        # an empty database

Measures the agent's ticket list, a ticket page, ticket search, the customer's list and
ticket creation through the REST API: requests/s, p50 and p99 latency, queries per
request, and the server's memory. Traffic stays on 127.0.0.1; each run is bounded.
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
    PYTHON,
    ROOT,
    Result,
    login,
    print_table,
    queries_per_request,
    rss_mib,
    run_wrk,
    running_server,
)

LUA = Path(__file__).resolve().parent / "lua"
PASSWORD = "bench-password-2026"  # noqa: S105 - the benchmark desk's published password
LOGINS = {
    "agent": "agent0@bench.example",
    "admin": "admin@bench.example",
    "customer": "customer1@bench.example",
}
GET_PAGES = [
    ("agent list: my tickets", "/agent/tickets/?view=mine", "agent"),
    ("agent list: all open", "/agent/tickets/?view=open", "agent"),
    ("customer list", "/portal/tickets/", "customer"),
]


def create_token(env: dict[str, str]) -> str:
    code = (
        "from comptoir.accounts import services; from comptoir.accounts.models import User;"
        "from comptoir.core.choices import Source;"
        "user = User.objects.get(email='agent0@bench.example');"
        "print(services.do_create_api_token(user, name='bench', scope='write', expires_at=None,"
        " actor=user, source=Source.SYSTEM).key)"
    )
    done = subprocess.run(
        [str(COMPTOIR), "manage", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def ticket_range(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "from django.db.models import Max, Min; from comptoir.tickets.models import Ticket;"
        "r = Ticket.objects.aggregate(a=Min('number'), b=Max('number')); print(r['a'], r['b'])"
    )
    done = subprocess.run(
        [str(COMPTOIR), "manage", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    first, last = done.stdout.strip().splitlines()[-1].split()
    return int(first), int(last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed")
    parser.add_argument("--reuse", type=Path, help="a data folder seeded before (SQLite)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per request")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/system-deps.sh wrk")

    data_dir = (
        args.reuse.resolve() if args.reuse else Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    )
    env = {**os.environ, "COMPTOIR_DATA_DIR": str(data_dir), "COMPTOIR_LOG_LEVEL": "WARNING"}
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    if not args.reuse:
        subprocess.run(
            [str(PYTHON), str(ROOT / "benchmarks" / "seed.py"), "--tickets", str(args.tickets)],
            env=env,
            check=True,
        )
    try:
        first, last = ticket_range(env)
        token = create_token(env)
        with running_server(env) as (base, server, startup):
            cookies = {who: login(base, email, PASSWORD) for who, email in LOGINS.items()}
            sample = (first + last) // 2
            measured = [*GET_PAGES, ("ticket page", f"/agent/tickets/{sample}/", "admin"),
                        ("search", "/agent/tickets/?view=open&q=printer", "agent")]  # fmt: skip
            queries = queries_per_request(env, measured, LOGINS)
            idle_rss = rss_mib(server.pid)
            results = []

            def load(name: str, path: str, who: str | None, **options: object) -> None:
                headers = {"Cookie": f"sessionid={cookies[who]}"} if who else {}
                rps, p50, p99, errors = run_wrk(
                    base + path,
                    duration=args.duration,
                    connections=args.connections,
                    headers=headers,
                    **options,  # type: ignore[arg-type]
                )
                results.append(Result(name, rps, p50, p99, errors, queries.get(name)))

            for name, path, who in GET_PAGES:
                load(name, path, who)
            load(
                "ticket page",
                "/",
                "admin",
                script=LUA / "ticket_pages.lua",
                script_env={"FIRST": str(first), "LAST": str(last), "PREFIX": "/agent/tickets/"},
            )
            load(
                "search",
                "/",
                "agent",
                script=LUA / "search.lua",
                script_env={"PREFIX": "/agent/tickets/?view=open&q="},
            )
            load("API: create ticket", "/", None, script=LUA / "api_create.lua",
                 script_env={"TOKEN": token, "CUSTOMERS": "5000"})  # fmt: skip
            loaded_rss = rss_mib(server.pid)
    finally:
        if not args.reuse:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"Comptoir on {database} with {last - first + 1} tickets, {os.cpu_count()} cores, "
        f"wrk -t2 -c{args.connections} -d{args.duration}s"
    )
    print(f"start-up to first healthy answer: {startup:.2f} s")
    print(f"server memory (RSS): {idle_rss:.0f} MiB idle, {loaded_rss:.0f} MiB after load\n")
    print_table(results)


if __name__ == "__main__":
    sys.exit(main())
