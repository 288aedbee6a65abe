"""Rebuild the ticket search index: after an upgrade, a restore or a bulk import."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.tickets.search import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search documents of every ticket, in batches. "
        "Idempotent: safe to rerun, or to interrupt and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Tickets per statement and transaction (default 5000).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Batches indexed in parallel on PostgreSQL, up to one per core "
            "(default 1; SQLite always runs one).",
        )

    def handle(
        self, *args: Any, batch_size: int, jobs: int, verbosity: int, **options: Any
    ) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"{done}/{total} tickets indexed ({rate:.0f}/s)")

        done = reindex_all(batch_size=max(1, batch_size), jobs=max(1, jobs), progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {done} tickets in {time.monotonic() - started:.1f}s.")
        )
