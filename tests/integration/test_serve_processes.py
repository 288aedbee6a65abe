"""`comptoir serve --processes N`: several server processes on one port, for the scaled
set-up (PostgreSQL + Redis), and a clear refusal on the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.helpers import Browser, ServerProcess, comptoir_env, run_comptoir

pytestmark = pytest.mark.integration

PASSWORD = "integration-agent-2026"
CREATE_AGENT = (
    "from comptoir.accounts.services import do_create_user; "
    f"do_create_user('agent@example.com', password='{PASSWORD}', role='agent', "
    "email_verified=True)"
)


def _server_children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` and that run Python (uvicorn's workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            children.append(int(stat.parent.name))
    return children


def test_several_processes_need_redis(tmp_path: Path) -> None:
    done = run_comptoir("serve", "--processes", "2", env=comptoir_env(tmp_path))

    assert done.returncode != 0
    assert "--processes above 1 needs REDIS_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_processes_share_sessions_through_postgresql_and_redis(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    env = comptoir_env(tmp_path, DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    assert run_comptoir("manage", "migrate", env=env).returncode == 0
    assert run_comptoir("manage", "shell", "-c", CREATE_AGENT, env=env).returncode == 0
    server = ServerProcess(tmp_path, tmp_path / "serve.log", env=env, args=("--processes", "3"))
    server.start()
    try:
        assert server.process is not None
        assert len(_server_children(server.process.pid)) == 3, server.log()
        browser = Browser(server.base_url)
        browser.log_in("agent@example.com", PASSWORD)
        # Connections land on any of the processes: each one knows the session.
        statuses = {
            Browser(server.base_url, browser.cookies).get("/agent/", follow=False).status
            for _ in range(30)
        }
        assert statuses == {200}
    finally:
        returncode = server.stop()
    assert returncode in {0, -15}, server.log()
