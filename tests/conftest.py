"""Shared fixtures: a clean environment for every test, and databases to run against."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from advocado import context
from storage import Database

POSTGRES_URL = os.environ.get("ADVOCADO_TEST_DATABASE_URL")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No ADVOCADO_* variable, secrets directory or advocado.toml leaks in from the machine."""
    for name in list(os.environ):
        if name.startswith("ADVOCADO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVOCADO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVOCADO_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()


def _reset_postgres(url: str) -> None:
    engine = Database(url, upgrade=False).engine
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database: a SQLite file, then PostgreSQL when ADVOCADO_TEST_DATABASE_URL is set."""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("ADVOCADO_TEST_DATABASE_URL is not set, so the PostgreSQL variant is skipped")
        _reset_postgres(POSTGRES_URL)
        database = Database(POSTGRES_URL)
    else:
        database = Database(f"sqlite:///{tmp_path / 'test.db'}")
    yield database
    database.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database file."""
    database = Database(f"sqlite:///{tmp_path / 'test.db'}")
    yield database
    database.dispose()


@pytest.fixture
def cli() -> CliRunner:
    """Runs `advocado` commands in-process against the test's own data directory."""
    return CliRunner()


@pytest.fixture
def fixtures_dir() -> Path:
    """The shared captured responses; tests that need them skip when they are absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    return FIXTURES
