"""Time and profile one page in-process, with Django's test client: no server, no wrk.

    COMPTOIR_DATA_DIR=var/bench-20k .venv/bin/python benchmarks/profile_page.py \\
        "/agent/tickets/?view=open" --user agent0@bench.example
    COMPTOIR_DATA_DIR=var/bench-20k .venv/bin/python benchmarks/profile_page.py \\
        ticket --user admin@bench.example --profile --sort tottime --top 30

The path is any GET URL of the desk, or the keyword `ticket` for the agent page of the
newest ticket. The user (`--user`, default agent0@bench.example) is signed in with
`force_login`, the page is requested `--warmup` times, once more with its queries
counted (`--sql` prints them), then `--requests` times to report the mean wall-clock and CPU
(`time.process_time`) milliseconds per request and the response size. With `--profile`
the same requests run again under cProfile, and the top `--top` functions are printed,
sorted by `--sort`.

The data folder comes from COMPTOIR_DATA_DIR (or the database from DATABASE_URL), as for
`comptoir serve`. Anything but a 200 stops the tool: a redirect to the login page is not
the page. One process and no network, so the figures say what a page costs to build,
not what a client waits for under load; `ticket_load.py` measures that.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time

from common import setup_desk_in_process

SORT_KEYS = ["cumulative", "tottime", "calls", "pcalls", "filename", "name"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a GET path such as /agent/tickets/, or `ticket`")
    parser.add_argument("--user", default="agent0@bench.example", help="email to sign in as")
    parser.add_argument("--warmup", type=int, default=3, help="requests before measuring")
    parser.add_argument("--requests", type=int, default=20, help="requests measured")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument("--sql", action="store_true", help="print the page's queries")
    parser.add_argument("--sort", choices=SORT_KEYS, default="cumulative", help="profile order")
    parser.add_argument("--top", type=int, default=25, help="functions the profile prints")
    args = parser.parse_args()
    setup_desk_in_process("profile")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from comptoir.accounts.models import User
    from comptoir.tickets.models import Ticket

    path = args.path
    if path == "ticket":
        newest = Ticket.objects.order_by("-number").values_list("number", flat=True).first()
        if newest is None:
            raise SystemExit("this desk has no tickets")
        path = f"/agent/tickets/{newest}/"
    user = User.objects.filter(email=args.user).first()
    if user is None:
        raise SystemExit(f"no user {args.user} on this desk")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def get() -> int:
        response = client.get(path)
        if response.status_code != 200:
            location = response.headers.get("Location", "")
            raise SystemExit(
                f"GET {path} as {args.user} answered {response.status_code}"
                f"{' to ' + location if location else ''}, not 200; nothing to report"
            )
        return len(response.content)

    for _ in range(args.warmup):
        get()
    with CaptureQueriesContext(connection) as captured:
        size = get()
    sql = list(captured.captured_queries)  # now: the next request's start clears the log
    queries = len(sql)
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        get()
    wall = (time.perf_counter() - wall_started) * 1000 / args.requests
    cpu = (time.process_time() - cpu_started) * 1000 / args.requests

    print(f"GET {path} as {args.user}: 200, {size:,} bytes, {queries} queries")
    if args.sql:
        for number, query in enumerate(sql, 1):
            print(f"  {number}. [{query['time']} s] {query['sql']}")
    print(
        f"{args.requests} requests after {args.warmup} warm-up: "
        f"{wall:.1f} ms wall, {cpu:.1f} ms CPU per request (mean)"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            get()
        profiler.disable()
        print(f"\ncProfile of {args.requests} requests, top {args.top} by {args.sort}:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
