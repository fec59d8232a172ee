"""Alembic migrations, run from the package so an installed Advocado can upgrade itself."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the packaged migrations and at `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; returns whether anything ran."""
    if current_revision(engine) == head_revision():
        return False
    command.upgrade(alembic_config(engine), "head")
    return True
