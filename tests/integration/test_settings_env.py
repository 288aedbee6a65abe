"""The environment switches the whole stack, in fresh processes (settings import once).

Zero variables is the embedded default; ``DATABASE_URL`` and ``REDIS_URL`` are all it
takes to scale out; a production set of variables passes Django's deployment checks.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.integration.helpers import comptoir_env, run_comptoir

pytestmark = pytest.mark.integration

# Runs inside `comptoir manage shell`; it uses each service for real, so a variable that
# was read but not wired (or a server that was not reached) shows up here.
PROBE = """
import json
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection
from django_tasks import task_backends

def path(obj):
    return f"{type(obj).__module__}.{type(obj).__qualname__}"

with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
cache = caches["default"]
cache.set("probe", "round-trip", 30)
layer = get_channel_layer()
async_to_sync(layer.send)("probe", {"type": "probe.ping"})
print("PROBE", json.dumps({
    "vendor": connection.vendor,
    "database": str(connection.settings_dict["NAME"]),
    "cache": path(cache),
    "cache_round_trip": cache.get("probe"),
    "channel_layer": path(layer),
    "channel_round_trip": async_to_sync(layer.receive)("probe")["type"],
    "task_backend": path(task_backends["default"]),
}))
"""

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
    "COMPTOIR_ALLOWED_HOSTS": "help.example.com",
    "COMPTOIR_HTTPS": "true",
    "COMPTOIR_SITE_URL": "https://help.example.com",
    "COMPTOIR_CSRF_TRUSTED_ORIGINS": "https://help.example.com",
}


def probe(env: dict[str, str]) -> dict[str, Any]:
    result = run_comptoir("manage", "shell", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert len(lines) == 1, result.stdout
    return dict(json.loads(lines[0].removeprefix("PROBE ")))


def test_no_variable_means_sqlite_locmem_in_memory_layer_and_database_queue(
    tmp_path: Path,
) -> None:
    found = probe(comptoir_env(tmp_path))
    assert found == {
        "vendor": "sqlite",
        "database": str(tmp_path / "comptoir.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "cache_round_trip": "round-trip",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "channel_round_trip": "probe.ping",
        "task_backend": "django_tasks_db.backend.DatabaseBackend",
    }


def test_database_and_redis_urls_switch_to_postgresql_redis_and_rq(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    found = probe(comptoir_env(tmp_path, DATABASE_URL=postgres_url, REDIS_URL=redis_url))
    assert found == {
        "vendor": "postgresql",
        "database": postgres_url.rsplit("/", 1)[1],
        "cache": "django.core.cache.backends.redis.RedisCache",
        "cache_round_trip": "round-trip",
        "channel_layer": "channels_redis.core.RedisChannelLayer",
        "channel_round_trip": "probe.ping",
        "task_backend": "django_tasks_rq.backend.RQBackend",
    }
    # Scaled mode keeps nothing in the data folder's database.
    assert not (tmp_path / "comptoir.sqlite3").exists()


@pytest.mark.parametrize("command", [["manage", "check"], ["serve", "--port", "0"]])
def test_malformed_boolean_stops_the_command_with_a_one_line_reason(
    tmp_path: Path, command: list[str]
) -> None:
    result = run_comptoir(*command, env=comptoir_env(tmp_path, COMPTOIR_DEBUG="maybe"))
    assert result.returncode != 0
    assert "COMPTOIR_DEBUG" in result.stderr
    assert "'maybe'" in result.stderr
    # An operator's typo deserves the reason, not a traceback through Django's internals.
    assert "Traceback" not in result.stderr


def test_a_malformed_api_rate_stops_the_command_with_a_one_line_reason(tmp_path: Path) -> None:
    result = run_comptoir("manage", "check", env=comptoir_env(tmp_path, COMPTOIR_API_RATE="lots"))
    assert result.returncode != 0
    assert "COMPTOIR_API_RATE must look like 600/min" in result.stderr
    assert "Traceback" not in result.stderr


def test_documented_production_variables_pass_the_deployment_checks(tmp_path: Path) -> None:
    result = run_comptoir(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=comptoir_env(tmp_path, **PRODUCTION),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_variables_with_postgresql_and_redis_pass_the_deployment_checks(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    env = comptoir_env(tmp_path, DATABASE_URL=postgres_url, REDIS_URL=redis_url, **PRODUCTION)
    result = run_comptoir("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_checks_refuse_the_plain_http_default(tmp_path: Path) -> None:
    # Proves the check above has teeth: without HTTPS, Django's security warnings fail it.
    result = run_comptoir(
        "manage", "check", "--deploy", "--fail-level", "WARNING", env=comptoir_env(tmp_path)
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W008" in output  # SECURE_SSL_REDIRECT
    assert "security.W012" in output  # SESSION_COOKIE_SECURE
