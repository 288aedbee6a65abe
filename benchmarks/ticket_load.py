"""Load benchmark of the ticketing core at scale: a real `comptoir serve` on loopback,
seeded with many tickets, driven by wrk.

    .venv/bin/python benchmarks/ticket_load.py --tickets 100000
    .venv/bin/python benchmarks/ticket_load.py --reuse var/bench-1m        # seeded before
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/comptoir_bench \\
        .venv/bin/python benchmarks/ticket_load.py --tickets 1000000        # an empty database

Measures the agent's ticket list, a ticket page, ticket search, the customer's list and
ticket creation through the REST API: requests/s, p50 and p99 latency, queries per
request, bytes per response, and the server's memory. Each page is requested once before
its load and must answer 200 (the API creation 201), and every response of the load with
another status (3xx included) is counted; the script exits 1 if any was. Traffic stays
on 127.0.0.1; each run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
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
    exit_status,
    login,
    print_table,
    queries_per_request,
    require_status,
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
    # The workspace's layout with little in it: what any agent page costs at least.
    ("agent overview", "/agent/", "agent"),
    ("agent list: my tickets", "/agent/tickets/?view=mine", "agent"),
    ("agent list: all open", "/agent/tickets/?view=open", "agent"),
    ("customer list", "/portal/tickets/", "customer"),
]
API_PROBE = {
    "subject": "Load test probe",
    "body": "The printer on floor 1 stopped printing.",
    "requester": "customer0@bench.example",
}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed")
    parser.add_argument("--reuse", type=Path, help="a data folder seeded before (SQLite)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per request")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--processes", type=int, default=1, help="server processes (more than 1 needs REDIS_URL)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/system-deps.sh wrk")

    data_dir = (
        args.reuse.resolve() if args.reuse else Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    )
    env = {
        **os.environ,
        "COMPTOIR_DATA_DIR": str(data_dir),
        "COMPTOIR_LOG_LEVEL": "WARNING",
        # One token creates every ticket: measure creation, not the per-user rate limit.
        "COMPTOIR_API_RATE": os.environ.get("COMPTOIR_API_RATE", "1000000/min"),
    }
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
        with running_server(env, processes=args.processes) as (base, server, startup):
            cookies = {who: login(base, email, PASSWORD) for who, email in LOGINS.items()}
            sample = (first + last) // 2
            measured = [*GET_PAGES, ("ticket page", f"/agent/tickets/{sample}/", "admin"),
                        ("search", "/agent/tickets/?view=open&q=printer", "agent")]  # fmt: skip
            queries = queries_per_request(env, measured, LOGINS)
            idle_rss = rss_mib(server.pid)
            results = []

            def load(
                name: str,
                path: str,
                who: str | None,
                *,
                probe: str,
                expect: int = 200,
                probe_body: bytes | None = None,
                headers: dict[str, str] | None = None,
                **options: object,
            ) -> None:
                """wrk on ``path``, after one request to ``probe`` (the page a Lua script
                varies, or ``path`` itself) has answered ``expect`` without a redirect."""
                headers = {**(headers or {})}
                if who:
                    headers["Cookie"] = f"sessionid={cookies[who]}"
                require_status(name, base + probe, expect, headers=headers, data=probe_body)
                figures = run_wrk(
                    base + path,
                    duration=args.duration,
                    connections=args.connections,
                    headers=headers,
                    expect=expect,
                    **options,  # type: ignore[arg-type]
                )
                results.append(Result(name, figures, queries.get(name)))

            for name, path, who in GET_PAGES:
                load(name, path, who, probe=path)
            load(
                "ticket page",
                "/",
                "admin",
                probe=f"/agent/tickets/{sample}/",
                script=LUA / "ticket_pages.lua",
                script_env={"FIRST": str(first), "LAST": str(last), "PREFIX": "/agent/tickets/"},
            )
            load(
                "search",
                "/",
                "agent",
                probe="/agent/tickets/?view=open&q=printer",
                script=LUA / "search.lua",
                script_env={"PREFIX": "/agent/tickets/?view=open&q="},
            )
            load(
                "API: create ticket",
                "/",
                None,
                probe="/api/v1/tickets",
                expect=201,
                probe_body=json.dumps(API_PROBE).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                script=LUA / "api_create.lua",
                script_env={"TOKEN": token, "CUSTOMERS": "5000"},
            )
            loaded_rss = rss_mib(server.pid)
    finally:
        if not args.reuse:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"Comptoir on {database} with {last - first + 1} tickets, {os.cpu_count()} cores, "
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.processes} server process(es)"
    )
    print(f"start-up to first healthy answer: {startup:.2f} s")
    print(f"server memory (RSS): {idle_rss:.0f} MiB idle, {loaded_rss:.0f} MiB after load\n")
    print_table(results)
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
