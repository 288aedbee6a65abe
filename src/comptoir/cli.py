"""The ``comptoir`` command.

comptoir serve [--host H] [--port P] [--processes N] [--no-worker]
                                                      web + WebSocket + task worker
comptoir worker [--burst]                             a task worker process (--burst: run
                                                      what is waiting, then exit)
comptoir demo                                         seed the demo desk, print logins
comptoir manage <django command> [args...]            any Django management command
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from comptoir.core.env import ConfigError

if TYPE_CHECKING:
    from comptoir.core.housekeeping import HousekeepingWorker

logger = logging.getLogger("comptoir.cli")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()


def _prepare(verbosity: int = 0) -> None:
    """Bring the database schema and the static files up to date."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    collect_static_if_changed(verbosity)


def _resume_background_work() -> None:
    """Work a stopped process left queued outside the task queue: tickets waiting for the
    search index."""
    from comptoir.tickets.search import resume_pending

    resume_pending()


def static_fingerprint() -> str:
    """A digest of every source static file's path, size and modification time."""
    import hashlib
    from pathlib import Path

    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = Path(storage.path(path)).stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def collect_static_if_changed(verbosity: int = 0) -> bool:
    """Run collectstatic only when the source files changed since the last run: hashing and
    compressing every file costs seconds at each start otherwise."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    stamp = Path(settings.STATIC_ROOT) / ".comptoir-fingerprint"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    fingerprint = static_fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=verbosity)
    stamp.write_text(fingerprint)
    return True


def _task_backend_is_database() -> bool:
    from comptoir.core.housekeeping import database_backend

    return database_backend() is not None


def database_worker(
    worker_id: str, *, startup_delay: bool, burst: bool = False
) -> HousekeepingWorker:
    """A worker of every queue of the database backend, which also prunes finished results
    and runs again the tasks a dead worker left running (core/housekeeping.py)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

    from comptoir.core.housekeeping import HousekeepingWorker

    return HousekeepingWorker(
        queue_names=["*"],
        interval=0.5,
        # The library's batch mode: run every task waiting, then return.
        batch=burst,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=startup_delay,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def start_embedded_worker() -> tuple[threading.Thread, HousekeepingWorker]:
    """Run the database task worker in a daemon thread of this process."""
    from django.utils.crypto import get_random_string

    worker = database_worker(f"embedded-{get_random_string(12)}", startup_delay=False)
    thread = threading.Thread(
        target=_run_embedded_worker, args=(worker,), name="comptoir-worker", daemon=True
    )
    thread.start()
    return thread, worker


def _run_embedded_worker(worker: HousekeepingWorker) -> None:
    """The worker loop, kept alive while another process holds the SQLite write lock past
    the busy timeout (a long `comptoir demo` or migration): the library's loop raises on
    that, and the thread would die with every later task left queued until a restart."""
    from django.db import OperationalError, connections
    from django_tasks_db.utils import is_locked_database_exception

    try:
        while worker.running:
            try:
                worker.run()
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                logger.warning("The database stayed locked; the task worker tries again.")
                connections.close_all()
    finally:
        # The thread's own connections, which nothing else would ever close.
        connections.close_all()


def serve(host: str, port: int, *, with_worker: bool, processes: int = 1) -> None:
    _setup_django()
    import uvicorn
    from django.conf import settings

    from comptoir.core import runtime

    if processes < 1:
        raise ConfigError("--processes must be at least 1")
    if processes > 1 and not settings.REDIS_URL:
        # Live updates and caches live in each process's memory on the embedded default.
        raise ConfigError(
            "--processes above 1 needs REDIS_URL: the processes share live updates, "
            "caches and sessions through Redis"
        )
    _prepare()
    _resume_background_work()
    worker: HousekeepingWorker | None = None
    if with_worker:
        if _task_backend_is_database():
            thread, worker = start_embedded_worker()
            runtime.embedded_worker = thread
        else:
            logger.warning(
                "Tasks go to Redis: run `comptoir worker` in another process to process them."
            )
    print(  # noqa: T201
        f"Comptoir is starting on http://{host}:{port}/ with {processes} process"
        f"{'es' if processes > 1 else ''} (data in {settings.DATA_DIR})"
    )
    config = uvicorn.Config(
        "comptoir.asgi:application",
        host=host,
        port=port,
        lifespan="on",
        log_config=None,
        proxy_headers=True,
        ws="websockets-sansio",
        timeout_graceful_shutdown=10,
        workers=processes,
    )
    try:
        if processes == 1:
            uvicorn.Server(config).run()
        else:
            # Each process imports the application and serves the shared socket; this one
            # supervises them (and runs the embedded worker, if any).
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        if worker is not None:
            worker.running = False


def run_worker(*, burst: bool = False) -> None:
    """Work the task queue until stopped or, with ``burst``, until nothing is waiting (for
    cron, scripts, and a desk served with ``--no-worker`` that needs its queue drained)."""
    _setup_django()
    from django.core.management import call_command
    from django.utils.crypto import get_random_string

    _resume_background_work()
    if _task_backend_is_database():
        # Built here rather than through `manage db_worker`, whose command builds the
        # library's plain Worker; the random start-up delay spreads several workers' polls.
        worker = database_worker(
            f"worker-{get_random_string(24)}", startup_delay=not burst, burst=burst
        )
        worker.configure_signals()
        worker.run()
    else:
        call_command("rqworker", "default", with_scheduler=False, burst=burst)


def demo(tickets: int | None) -> None:
    _setup_django()
    _prepare()
    from comptoir.demo import seed

    desk = seed() if tickets is None else seed(tickets=tickets)
    for line in desk.summary():
        print(line)  # noqa: T201


def manage(args: Sequence[str]) -> None:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["comptoir manage", *args])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comptoir", description="Comptoir help desk")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve the help desk (HTTP and WebSocket)")
    serve_parser.add_argument("--host", default=os.environ.get("COMPTOIR_HOST", "127.0.0.1"))
    serve_parser.add_argument(
        "--port", type=int, default=int(os.environ.get("COMPTOIR_PORT", "8000"))
    )
    serve_parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("COMPTOIR_PROCESSES", "1")),
        help="server processes sharing the port (1; more needs REDIS_URL)",
    )
    serve_parser.add_argument(
        "--no-worker", action="store_true", help="do not run background tasks in this process"
    )
    worker_parser = commands.add_parser("worker", help="run background tasks")
    worker_parser.add_argument(
        "--burst", action="store_true", help="run the tasks waiting, then exit"
    )
    demo_parser = commands.add_parser("demo", help="create the demo help desk and print its logins")
    demo_parser.add_argument(
        "--tickets", type=int, help="how many tickets a new demo desk gets (300)"
    )
    manage_parser = commands.add_parser("manage", help="run a Django management command")
    manage_parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve(args.host, args.port, with_worker=not args.no_worker, processes=args.processes)
        elif args.command == "worker":
            run_worker(burst=args.burst)
        elif args.command == "demo":
            demo(args.tickets)
        elif args.command == "manage":
            manage(args.args)
    except ConfigError as exc:
        # A mistyped variable deserves one line that names it, not a traceback.
        sys.exit(f"comptoir: configuration error: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
