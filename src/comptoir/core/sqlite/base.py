"""Django's SQLite backend, with the writers of one process queued on a lock.

SQLite has one writer. A transaction that finds the database locked sleeps in SQLite's
busy handler (1, 2, 5, ... up to 100 ms at a time) and tries again, so under a burst of
writes — tickets created through the API while the embedded worker records their events —
the lock passes from one writer to the next only when someone happens to wake up: 6
tickets/s with requests timing out at a million tickets (``benchmarks/README.md``). Here
every transaction of this process first takes a process-wide lock, handed over the moment
the previous writer commits; SQLite's own locking still guards against other processes
(``comptoir manage`` commands, a second server).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

DEFAULT_WAIT = 20.0  # seconds, as SQLite's busy timeout in settings


class FairLock:
    """A re-entrant lock handed to its waiters in arrival order: Python's own lets a
    thread that just released it take it again, and under a burst some writers waited
    past the clients' time-out."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._waiters: deque[tuple[int, threading.Event]] = deque()

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return True
            turn = threading.Event()
            self._waiters.append((me, turn))
        if turn.wait(timeout):
            return True
        with self._guard:
            if self._owner == me:  # handed over just as the wait ended
                return True
            self._waiters.remove((me, turn))
            return False

    def release(self) -> None:
        with self._guard:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a lock this thread does not hold")
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                self._owner, turn = self._waiters.popleft()
                self._depth = 1
                turn.set()
            else:
                self._owner = None


# One per process: every connection of every thread writes the same database file.
WRITE_LOCK = FairLock()


class DatabaseWrapper(base.DatabaseWrapper):
    holds_write_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        wait = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_WAIT))
        if not WRITE_LOCK.acquire(timeout=wait):
            raise OperationalError("database is locked (another transaction of this process)")
        self.holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self.holds_write_lock:
            self.holds_write_lock = False
            WRITE_LOCK.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
