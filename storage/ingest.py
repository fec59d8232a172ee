"""The one way mentions enter the database: idempotent, edit-aware, cursor-atomic, erasure-respecting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, bindparam, delete, insert, select, update

from storage.db import Database, translate_errors
from storage.errors import NotFound
from storage.items import MentionIn
from storage.models import DisplayStatus, Mention, SentimentScore, Source, Tombstone
from storage.types import utcnow

BATCH = 2000
_UNSET: Any = object()

_MENTIONS = Mention.__table__  # type: ignore[attr-defined]
_SCORES = SentimentScore.__table__  # type: ignore[attr-defined]
_TOMBSTONES = Tombstone.__table__  # type: ignore[attr-defined]
_SOURCES = Source.__table__  # type: ignore[attr-defined]



@dataclass
class IngestResult:
    """What one ingest call did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0

    def __iadd__(self, other: IngestResult) -> IngestResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.erased += other.erased
        return self


def _batches(items: Iterable[MentionIn]) -> Iterator[list[MentionIn]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def ingest(
    db: Database, source_id: int, items: Iterable[MentionIn], *, cursor: dict[str, Any] | None = _UNSET
) -> IngestResult:
    """Store `items` for one source in a single transaction, together with the source's cursor.

    An item already stored under the same (source, external id) is left alone when its content
    hash is unchanged and updated when it changed (its old sentiment scores are dropped, and an
    approved item goes back to moderation). An erased item is never stored again. Passing
    `cursor` replaces the source's saved state in the same transaction, so a crash can only
    replay items, never skip them.
    """
    result = IngestResult()
    with translate_errors(), db.engine.begin() as connection:
        if connection.execute(select(_SOURCES.c.id).where(_SOURCES.c.id == source_id)).first() is None:
            raise NotFound(f"no source with id {source_id}")
        # Erasures are rare, so all of them are read once instead of once per batch.
        erased = _Erased(
            keys=set(connection.execute(
                select(_TOMBSTONES.c.external_id).where(_TOMBSTONES.c.source_id == source_id)).scalars()),
            hashes=set(connection.execute(select(_TOMBSTONES.c.content_hash)).scalars()),
        )
        # A source with no mentions yet (a first import, a first collection) has nothing to compare
        # against: only keys this call already wrote need looking up. Writers are serialised
        # (BEGIN IMMEDIATE on SQLite; on PostgreSQL a concurrent first run of the same source fails
        # on the unique key and is retried by the next run).
        is_empty = connection.execute(
            select(_MENTIONS.c.id).where(_MENTIONS.c.source_id == source_id).limit(1)).first() is None
        written: set[str] | None = set() if is_empty else None
        now = utcnow()
        for batch in _batches(items):
            result += _ingest_batch(connection, source_id, batch, erased, now, written)
        if cursor is not _UNSET:
            connection.execute(update(_SOURCES).where(_SOURCES.c.id == source_id).values(state=cursor or {}))
    return result


@dataclass(frozen=True)
class _Erased:
    keys: set[str]
    hashes: set[str]


def _ingest_batch(
    connection: Connection, source_id: int, batch: list[MentionIn], erased: _Erased, now: Any,
    written: set[str] | None,
) -> IngestResult:
    """One batch; `written` is None when stored rows must be looked up, else the keys this call wrote
    into a source that was empty when the call began."""
    result = IngestResult()
    latest = {item.external_id: (item, item.content_hash()) for item in batch}
    keys = list(latest)
    stored = {}
    if written is None or not written.isdisjoint(keys):
        stored = {
            row.external_id: row
            for row in connection.execute(
                select(_MENTIONS.c.id, _MENTIONS.c.external_id, _MENTIONS.c.content_hash, _MENTIONS.c.status).where(
                    _MENTIONS.c.source_id == source_id, _MENTIONS.c.external_id.in_(keys)
                )
            )
        }
    if written is not None:
        written.update(keys)
    new_rows: list[dict[str, Any]] = []
    edits: list[dict[str, Any]] = []
    for key, (item, digest) in latest.items():
        if key in erased.keys or digest in erased.hashes:
            result.erased += 1
        elif (row := stored.get(key)) is None:
            new_rows.append(_row(item, digest))
        elif row.content_hash == digest:
            result.unchanged += 1
        else:
            status = DisplayStatus.pending.value if row.status == DisplayStatus.approved.value else row.status
            edits.append(_row(item, digest, mention_id=row.id, updated_at=now, status=status))
    if new_rows:
        _insert_many(connection, new_rows, {"source_id": source_id, "collected_at": now,
                                             "status": DisplayStatus.pending.value})
        result.new = len(new_rows)
    if edits:
        # bind names must differ from column names in an executemany UPDATE
        values: dict[str, Any] = {name: bindparam("new_" + name) for name in edits[0] if name != "mention_id"}
        params = [{"new_" + name: value for name, value in edit.items()} for edit in edits]
        connection.execute(update(_MENTIONS).where(_MENTIONS.c.id == bindparam("new_mention_id")).values(values), params)
        edited = [edit["mention_id"] for edit in edits]
        connection.execute(delete(_SCORES).where(_SCORES.c.mention_id.in_(edited)))
        result.updated = len(edits)
    return result


def _insert_many(connection: Connection, rows: list[dict[str, Any]], shared: dict[str, Any]) -> None:
    """Insert new mentions; `shared` holds the values every row has in common.

    On SQLite: a driver-level executemany with the column types' own bind processing, `shared`
    converted once.

    Through `connection.execute(insert(...), rows)` SQLAlchemy re-derives every row's parameters
    and the ingest path ran at a fifth of a raw executemany (bench/ingest.py); this keeps the same
    conversions (UTC datetimes, JSON lists) and lets the driver do the loop.
    """
    dialect = connection.dialect
    if dialect.name != "sqlite":
        # psycopg adapts JSON through SQLAlchemy's own execution path (a list would become an
        # ARRAY), and insertmanyvalues is already fast there.
        connection.execute(insert(_MENTIONS), [row | shared for row in rows])
        return
    names = [*rows[0], *shared]
    compiled = insert(_MENTIONS).compile(dialect=dialect, column_keys=names)

    def processor(name: str) -> Any:
        column_type = _MENTIONS.c[name].type
        # dialect_impl: the dialect's own type (SQLite's DATETIME text format), exactly what a
        # SQLAlchemy statement binds, so stored values compare correctly with query parameters.
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and isinstance(column_type, JSON):
            return lambda value: "[]" if value == [] else process(value)  # most mentions have no tags
        return process

    shared = {name: process(value) if (process := processor(name)) else value for name, value in shared.items()}
    per_row = [(name, process) for name in rows[0] if (process := processor(name))]
    for row in rows:
        for name, process in per_row:
            row[name] = process(row[name])
        row.update(shared)
    if compiled.positional:
        ordered = itemgetter(*(compiled.positiontup or []))
        connection.exec_driver_sql(str(compiled), [ordered(row) for row in rows])
    else:
        connection.exec_driver_sql(str(compiled), rows)


def _row(item: MentionIn, digest: str, **extra: Any) -> dict[str, Any]:
    row = item.__dict__ | extra
    row["kind"] = item.kind.value
    row["content_hash"] = digest
    return row
