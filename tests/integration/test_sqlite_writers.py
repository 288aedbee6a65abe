"""Writers of one process on the embedded SQLite database: queued on the backend's lock,
every transaction commits, none fails with "database is locked". Run in a real process on
a real database file (the test database is in memory, with other locking rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.helpers import comptoir_env, run_comptoir

pytestmark = pytest.mark.integration

WRITERS = """
import threading
from django.db import connections, transaction
from comptoir.accounts.models import Organisation
errors = []
def write(number):
    try:
        for step in range(25):
            with transaction.atomic():
                Organisation.objects.create(name=f"Writer {number}-{step}")
    except BaseException as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()
threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print("errors", errors)
print("rows", Organisation.objects.filter(name__startswith="Writer ").count())
"""


def test_concurrent_writers_of_one_process_all_commit(tmp_path: Path) -> None:
    # The lock must never lose a write nor leave a writer waiting for ever (its benefit,
    # speed under contention, is measured in benchmarks/, not here).
    env = comptoir_env(tmp_path)
    assert run_comptoir("manage", "migrate", env=env).returncode == 0

    done = run_comptoir("manage", "shell", "-c", WRITERS, env=env)

    assert done.returncode == 0, done.stderr
    assert "errors []" in done.stdout, done.stdout
    assert "rows 200" in done.stdout
