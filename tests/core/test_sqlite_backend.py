"""The SQLite backend queues this process's writers on a first-come lock."""

from __future__ import annotations

import threading
import time

import pytest

from comptoir.core.sqlite.base import FairLock


def test_the_lock_is_handed_over_in_arrival_order() -> None:
    lock = FairLock()
    order: list[int] = []
    assert lock.acquire(timeout=1)

    def wait(number: int) -> None:
        assert lock.acquire(timeout=5)
        order.append(number)
        lock.release()

    threads = []
    for number in range(5):
        thread = threading.Thread(target=wait, args=(number,))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # each one queued before the next arrives
    lock.release()
    for thread in threads:
        thread.join(timeout=5)

    assert order == [0, 1, 2, 3, 4]


def test_the_lock_is_reentrant_and_times_out_for_others() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    assert lock.acquire(timeout=1)  # the same thread again
    results: list[bool] = []
    other = threading.Thread(target=lambda: results.append(lock.acquire(timeout=0.1)))
    other.start()
    other.join()
    lock.release()
    lock.release()

    assert results == [False]
    assert lock.acquire(timeout=0.1)  # free again, and no stale waiter in the queue
    lock.release()


def test_only_the_owner_may_release() -> None:
    lock = FairLock()
    with pytest.raises(RuntimeError):
        lock.release()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_database_uses_the_queued_backend() -> None:
    from django.db import connections, transaction

    from comptoir.core.sqlite.base import DatabaseWrapper

    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("the scaled setup runs PostgreSQL")
    assert isinstance(connection, DatabaseWrapper)
    with transaction.atomic():
        assert connection.holds_write_lock
    assert not connection.holds_write_lock
