"""What this process is running besides requests, for the health check to report."""

from __future__ import annotations

import threading

# The task worker thread `comptoir serve` starts on the embedded default, if any.
embedded_worker: threading.Thread | None = None


def worker_state() -> str:
    """``embedded`` (thread alive), ``stopped`` (thread died) or ``external`` (none here:
    tasks are run by `comptoir worker` processes)."""
    if embedded_worker is None:
        return "external"
    return "embedded" if embedded_worker.is_alive() else "stopped"
