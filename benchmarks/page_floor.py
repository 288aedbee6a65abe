"""What any page costs before it shows anything: the floor under every page of the desk.

    COMPTOIR_DATA_DIR=var/bench-1m .venv/bin/python benchmarks/page_floor.py

In one process, with Django's test client (as `profile_page.py`), each stage is requested
`--requests` times after a warm-up and its mean CPU milliseconds per request are printed:

- `health`: the anonymous health check, the cheapest request the desk answers;
- `bare (signed in)`: a view that only reads the signed-in user, through every middleware
  (session, CSRF, locale, authentication, preferences, messages, allauth, axes);
- `portal shell` and `agent shell`: the customer's and the agent's page layout with an empty
  content block (the agent's includes its sidebar of views and their counts);
- the real pages given with `--path`, for comparison.

It first prints the CPU time of a fixed loop: figures taken on different days (this
machine's speed varies with its host) compare only through it.

`--profile URL` prints a cProfile of that stage (`/floor/agent/`, or a `--path`).

The difference between a page and its shell is what the page's own content costs; the
shell is what no change to one page can remove. The stages are served by this script's
URLs added in front of the desk's own (no route is added to the desk itself).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from typing import Any

from common import setup_desk_in_process

urlpatterns: list[Any] = []


def calibrate() -> float:
    """The CPU seconds of a fixed pure-Python loop (best of three): runs on different days
    or machines compare through it. The machine of benchmarks/README.md's figures took
    1.1 s on 2026-11-30."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        sum(number * number for number in range(10_000_000))
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agent", default="agent0@bench.example", help="agent's email")
    parser.add_argument("--customer", default="customer1@bench.example", help="customer's email")
    parser.add_argument("--warmup", type=int, default=5, help="requests before measuring")
    parser.add_argument("--requests", type=int, default=200, help="requests per stage")
    parser.add_argument(
        "--path", action="append", default=[], help="a real page to compare (agent's)"
    )
    parser.add_argument(
        "--profile", metavar="URL", help="print a cProfile of one stage's URL, e.g. /floor/agent/"
    )
    parser.add_argument("--top", type=int, default=30, help="functions the profile prints")
    args = parser.parse_args()
    setup_desk_in_process("measure")
    from django.conf import settings
    from django.http import HttpRequest, HttpResponse
    from django.shortcuts import render
    from django.test import Client
    from django.urls import clear_url_caches, path

    from comptoir import urls as desk_urls
    from comptoir.accounts.models import User

    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.user.is_authenticated))

    def portal_shell(request: HttpRequest) -> HttpResponse:
        return render(request, "portal/base.html", {})

    def agent_shell(request: HttpRequest) -> HttpResponse:
        return render(request, "agent/base.html", {})

    urlpatterns[:] = [
        path("floor/bare/", bare),
        path("floor/portal/", portal_shell),
        path("floor/agent/", agent_shell),
        *desk_urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()

    def client_for(email: str | None) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        if email:
            user = User.objects.filter(email=email).first()
            if user is None:
                raise SystemExit(f"no user {email} on this desk")
            client.force_login(user)
        return client

    anonymous, customer, agent = client_for(None), client_for(args.customer), client_for(args.agent)
    stages: list[tuple[str, Client, str]] = [
        ("health", anonymous, "/health/"),
        ("bare (signed in)", agent, "/floor/bare/"),
        ("portal shell", customer, "/floor/portal/"),
        ("agent shell", agent, "/floor/agent/"),
        *[(page, agent, page) for page in args.path],
    ]
    profiles: list[str] = []
    print(f"machine: {calibrate():.2f} s of CPU for the calibration loop (lower is faster)")
    print(f"{'stage':<40} {'CPU ms':>8} {'bytes':>8}")
    for name, client, url in stages:
        size = 0
        for _ in range(args.warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}, not 200")
            size = len(response.content)
        started = time.process_time()
        for _ in range(args.requests):
            client.get(url)
        cpu = (time.process_time() - started) * 1000 / args.requests
        print(f"{name:<40} {cpu:>8.2f} {size:>8,}")
        if url == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(url)
            profiler.disable()
            stats = io.StringIO()
            pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(args.top)
            profiles.append(f"\ncProfile of {url}, {args.requests} requests:\n{stats.getvalue()}")
    print("".join(profiles), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
