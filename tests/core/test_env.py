from __future__ import annotations

import stat

import pytest

from comptoir.core.env import ConfigError, env_bool, env_int, env_list, env_str, secret_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), ("on", True), ("no", False), ("0", False), ("", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)

    assert env_bool("X_FLAG") is expected


def test_env_bool_refuses_to_guess(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")

    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_names_the_variable_in_its_error(monkeypatch):
    monkeypatch.setenv("X_PORT", "eighty")

    with pytest.raises(ConfigError, match="X_PORT"):
        env_int("X_PORT", 80)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")

    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_env_str_reads_a_secret_from_the_file_variable(monkeypatch, tmp_path):
    secret = tmp_path / "db_password"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_PASSWORD", "ignored")
    monkeypatch.setenv("X_PASSWORD_FILE", str(secret))

    assert env_str("X_PASSWORD") == "s3cret"


def test_secret_key_is_generated_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)

    first = secret_key(tmp_path)
    second = secret_key(tmp_path)

    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")

    assert secret_key(tmp_path) == "from-env"
    assert not (tmp_path / "secret_key").exists()
