"""The one way mentions enter the database: idempotent, edit-aware, cursor-atomic, erasure-respecting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from storage.db import Database, translate_errors
from storage.errors import NotFound
from storage.items import MentionIn
from storage.models import DisplayStatus, Mention, SentimentScore, Source, Tombstone
from storage.types import utcnow

BATCH = 500
_UNSET: Any = object()

_MENTIONS = Mention.__table__  # type: ignore[attr-defined]
_SCORES = SentimentScore.__table__  # type: ignore[attr-defined]
_TOMBSTONES = Tombstone.__table__  # type: ignore[attr-defined]
_SOURCES = Source.__table__  # type: ignore[attr-defined]

_EDITABLE = (
    "kind", "url", "author_name", "author_handle", "title", "text", "original",
    "rating", "language", "published_at", "tags", "consent_ref",
)


@dataclass
class IngestResult:
    """What one ingest call did: counts, plus the ids of mentions that are new or changed."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0
    changed_ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: IngestResult) -> IngestResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.erased += other.erased
        self.changed_ids.extend(other.changed_ids)
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
        now = utcnow()
        for batch in _batches(items):
            result += _ingest_batch(connection, source_id, batch, now)
        if cursor is not _UNSET:
            connection.execute(update(_SOURCES).where(_SOURCES.c.id == source_id).values(state=cursor or {}))
    return result


def _ingest_batch(connection: Connection, source_id: int, batch: list[MentionIn], now: Any) -> IngestResult:
    result = IngestResult()
    latest = {item.external_id: (item, item.content_hash()) for item in batch}
    keys = list(latest)
    hashes = [digest for _, digest in latest.values()]
    erased_keys = set(
        connection.execute(
            select(_TOMBSTONES.c.external_id).where(
                _TOMBSTONES.c.source_id == source_id, _TOMBSTONES.c.external_id.in_(keys)
            )
        ).scalars()
    )
    erased_hashes = set(
        connection.execute(select(_TOMBSTONES.c.content_hash).where(_TOMBSTONES.c.content_hash.in_(hashes))).scalars()
    )
    stored = {
        row.external_id: row
        for row in connection.execute(
            select(_MENTIONS.c.id, _MENTIONS.c.external_id, _MENTIONS.c.content_hash, _MENTIONS.c.status).where(
                _MENTIONS.c.source_id == source_id, _MENTIONS.c.external_id.in_(keys)
            )
        )
    }
    new_rows: list[dict[str, Any]] = []
    edits: list[dict[str, Any]] = []
    for key, (item, digest) in latest.items():
        if key in erased_keys or digest in erased_hashes:
            result.erased += 1
        elif (row := stored.get(key)) is None:
            new_rows.append(_row(item, digest) | {"source_id": source_id, "external_id": key,
                                                  "collected_at": now, "status": DisplayStatus.pending.value})
        elif row.content_hash == digest:
            result.unchanged += 1
        else:
            status = DisplayStatus.pending.value if row.status == DisplayStatus.approved.value else row.status
            edits.append(_row(item, digest) | {"mention_id": row.id, "updated_at": now, "status": status})
    if new_rows:
        inserted = connection.execute(insert(_MENTIONS).returning(_MENTIONS.c.id, sort_by_parameter_order=True), new_rows)
        result.changed_ids.extend(inserted.scalars())
        result.new = len(new_rows)
    if edits:
        # bind names must differ from column names in an executemany UPDATE
        values = {name: bindparam("new_" + name) for name in edits[0] if name != "mention_id"}
        params = [{"new_" + name: value for name, value in edit.items()} for edit in edits]
        connection.execute(update(_MENTIONS).where(_MENTIONS.c.id == bindparam("new_mention_id")).values(values), params)
        edited = [edit["mention_id"] for edit in edits]
        connection.execute(delete(_SCORES).where(_SCORES.c.mention_id.in_(edited)))
        result.changed_ids.extend(edited)
        result.updated = len(edits)
    return result


def _row(item: MentionIn, digest: str) -> dict[str, Any]:
    row = {name: getattr(item, name) for name in _EDITABLE}
    row["kind"] = item.kind.value
    row["content_hash"] = digest
    return row
