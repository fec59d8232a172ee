"""Settings: environment beats secret files beats advocado.toml beats defaults; secrets stay masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advocado.cli import app
from advocado.settings import Settings, describe


def test_defaults_put_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'advocado.db'}"


def test_environment_beats_secret_files_beats_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "advocado.toml").write_text('log_level = "DEBUG"\nhttp_timeout = 5\nfailure_threshold = 9\n')
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "ADVOCADO_HTTP_TIMEOUT").write_text("7")
    monkeypatch.setenv("ADVOCADO_FAILURE_THRESHOLD", "4")
    settings = Settings()
    assert (settings.log_level, settings.http_timeout, settings.failure_threshold) == ("DEBUG", 7.0, 4)


def test_a_config_file_can_be_named_explicitly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere.toml").write_text("allow_private_networks = true\n")
    monkeypatch.setenv("ADVOCADO_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert Settings().allow_private_networks is True


def test_config_show_masks_the_database_password(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_DATABASE_URL", "postgresql+psycopg://advocado:canary-hunter2@db.example/advocado")
    monkeypatch.setenv("COLUMNS", "250")
    result = cli.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "canary-hunter2" not in result.stdout
    assert "advocado:********@db.example" in result.stdout
    assert "canary-hunter2" not in repr(Settings())


def test_every_setting_has_help_text() -> None:
    rows = describe(Settings())
    assert len(rows) == len(Settings.model_fields)
    assert all(help_text for _, _, help_text in rows)


def test_an_invalid_setting_is_a_one_line_error(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_HTTP_TIMEOUT", "soon")
    result = cli.invoke(app, ["config", "show"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid setting http_timeout")
