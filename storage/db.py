"""Opening the database: SQLite tuned for safe concurrent writes by default, PostgreSQL when configured."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.errors import DatabaseLocked, StorageError

BUSY_TIMEOUT_MS = 20_000
_READ_ONLY = "advocado_read_only"


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite on Python 3.11 begins transactions itself, too late and DEFERRED; hand that to
        # the "begin" listener below (SQLAlchemy's documented recipe for SQLite transactions).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return on_connect


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads and then writes fails with SQLITE_BUSY at once, ignoring
    # busy_timeout; writers take the lock up front. Read-only sessions stay deferred so they never
    # wait on a writer under WAL.
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_database_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One database: its engine, write transactions and read sessions.

    `write()` yields a session inside a transaction that commits on success and rolls back on
    any exception; `read()` yields a session that never takes the write lock.
    """

    def __init__(self, url: str, *, upgrade: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.url = url
        self.engine = create_database_engine(url, busy_timeout_ms=busy_timeout_ms)
        self._reader = self.engine.execution_options(**{_READ_ONLY: True})
        if upgrade:
            from storage.migrate import upgrade as run_upgrade

            run_upgrade(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction."""
        with translate_errors(), Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with translate_errors(), Session(self._reader) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors a user can act on into the storage error tree."""
    try:
        yield
    except OperationalError as error:
        if "locked" in str(error.orig).lower():
            raise DatabaseLocked(f"the database is locked by another writer: {error.orig}") from error
        raise StorageError(f"database error: {error.orig}") from error
