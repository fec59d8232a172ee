"""The database itself: SQLite pragmas, locking, migrations matching the models."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from storage import Database, DatabaseLocked, MentionIn, add_brand, add_source, erase_mention, ingest
from storage.migrate import current_revision, head_revision


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 20_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_produce_exactly_the_models(any_db: Database) -> None:
    with any_db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert current_revision(any_db.engine) == head_revision()


def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    Database(url).dispose()
    from storage.migrate import upgrade

    again = Database(url, upgrade=False)
    assert upgrade(again.engine) is False
    again.dispose()


def _add_brand(database: Database) -> None:
    with database.write() as session:
        add_brand(session, "Blocked")


def _ingest(database: Database) -> None:
    ingest(database, 1, [MentionIn(external_id="1", text="x")])


def _erase(database: Database) -> None:
    with database.write() as session:
        erase_mention(session, 1)


@pytest.mark.parametrize("write", [_add_brand, _ingest, _erase], ids=["write-session", "ingest", "erase"])
def test_a_writer_blocked_past_the_busy_timeout_gets_a_storage_error(tmp_path: Path, write: Callable[[Database], None]) -> None:
    path = tmp_path / "locked.db"
    setup = Database(f"sqlite:///{path}")
    with setup.write() as session:
        add_source(session, add_brand(session, "Acme"), "import")
    ingest(setup, 1, [MentionIn(external_id="1", text="x")])
    setup.dispose()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    blocked = Database(f"sqlite:///{path}", upgrade=False, busy_timeout_ms=50)
    try:
        with pytest.raises(DatabaseLocked, match="locked"):
            write(blocked)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        blocked.dispose()


def test_writers_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    Database(url).dispose()
    failures: list[BaseException] = []

    def add_brands(prefix: str) -> None:
        database = Database(url, upgrade=False)
        try:
            for i in range(25):
                with database.write() as session:
                    add_brand(session, f"{prefix}{i}")
        except BaseException as error:  # collected for the assertion below
            failures.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=add_brands, args=(p,)) for p in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with sqlite3.connect(tmp_path / "busy.db") as check:
        assert check.execute("SELECT count(*) FROM brands").fetchone()[0] == 75
