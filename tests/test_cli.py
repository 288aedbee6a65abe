from __future__ import annotations

import pytest

from comptoir import cli


def test_static_files_are_collected_only_when_they_changed(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    assert cli.collect_static_if_changed() is True
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert cli.collect_static_if_changed() is False  # nothing changed: no work at start-up

    monkeypatch.setattr(cli, "static_fingerprint", lambda: "something changed")
    assert cli.collect_static_if_changed() is True


def test_unknown_commands_are_refused_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["fly"])

    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_manage_passes_commands_through_to_django(capsys):
    cli.main(["manage", "check", "--fail-level", "ERROR"])

    assert "System check identified no issues" in capsys.readouterr().out
