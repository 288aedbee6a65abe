"""Task-queue housekeeping on demand, for operators who prefer cron to the workers' hourly
run (or a desk whose worker was stopped for a while)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from comptoir.core.housekeeping import database_backend, run_housekeeping


class Command(BaseCommand):
    help = (
        "Prune finished background-task results past their retention "
        "(COMPTOIR_TASK_RESULTS_DAYS) and queue again the tasks a stopped worker left "
        "running (COMPTOIR_TASK_STALE_MINUTES). Database queue only: RQ expires its own "
        "results. Workers already do this hourly; safe to run at any time."
    )

    def handle(self, *args: Any, verbosity: int, **options: Any) -> None:
        backend = database_backend()
        if backend is None:
            self.stdout.write(
                "The task backend is not the database queue: nothing to do "
                "(RQ expires its own results)."
            )
            return
        report = run_housekeeping(backend_name=backend.alias)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Pruned {report.pruned} finished task results; queued again "
                    f"{report.requeued} tasks left running by a stopped worker; marked "
                    f"{report.abandoned} failed."
                )
            )
