"""Running sources: one run per source, every error absorbed into that source's run state.

A run pulls pages from the source's collector and stores each one with `storage.ingest` together
with the cursor after it. Whatever happens, the outcome is written to the source row: the error,
the count of consecutive failed runs, and when the source is next due. A failing source is retried
later with exponential backoff, and is only reported as failing after `failure_threshold` runs in a row.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from collectors.errors import CollectorError, InvalidParams
from collectors.http import Fetcher, HttpOptions
from collectors.registry import Registry, UnknownKind, registry
from storage import Database, IngestResult, Source, StorageError, get_source, ingest, utcnow

log = logging.getLogger(__name__)

FAILURE_BACKOFF_START = timedelta(minutes=5)
FAILURE_BACKOFF_CAP = timedelta(hours=24)


@dataclass
class RunReport:
    """The outcome of one source run, as the CLI summarises it."""

    source_id: int
    kind: str
    name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0
    pages: int = 0
    error: str | None = None
    error_class: str | None = None
    consecutive_failures: int = 0
    failing: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def next_run_after_failure(now: datetime, failures: int, schedule_seconds: int | None) -> datetime:
    """When a source that failed `failures` times in a row is tried again: doubling, capped at a day."""
    start = max(FAILURE_BACKOFF_START, timedelta(seconds=schedule_seconds or 0))
    return now + min(FAILURE_BACKOFF_CAP, start * 2 ** max(0, failures - 1))


async def run_source(
    db: Database, source_id: int, fetcher: Fetcher, *, failure_threshold: int = 3,
    collectors: Registry | None = None, writer: Executor | None = None,
) -> RunReport:
    """Run one source once and record the outcome in its row; never raises for a source's failure.

    With a `writer` (a one-thread executor), database writes run there, so other sources keep
    fetching meanwhile and writes never compete for SQLite's lock.
    """
    with db.read() as session:
        source = get_source(session, source_id)
    report = RunReport(source_id=source_id, kind=source.kind, name=source.name)
    try:
        await _collect_into(db, source, fetcher, collectors or registry(), report, writer)
    except (CollectorError, StorageError) as error:
        report.error, report.error_class = str(error), type(error).__name__
    except Exception as error:  # noqa: BLE001 - a bug in one collector must not stop the others
        log.exception("source %s (%s) crashed", source_id, source.kind)
        report.error, report.error_class = f"internal error: {type(error).__name__}: {error}", "InternalError"
    await _in(writer, _record_outcome, db, source_id, report, failure_threshold)
    return report


async def _in(writer: Executor | None, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    if writer is None:
        return function(*args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(writer, functools.partial(function, *args, **kwargs))


async def _collect_into(db: Database, source: Source, fetcher: Fetcher, collectors: Registry, report: RunReport,
                        writer: Executor | None) -> None:
    try:
        collector_class = collectors.get(source.kind)
    except UnknownKind as error:
        raise InvalidParams(str(error)) from None
    try:
        params = collector_class.Params.model_validate(source.params)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'params'}: {e['msg']}" for e in error.errors())
        raise InvalidParams(f"invalid parameters for {source.kind}: {problems}") from None
    collector = collector_class(params, fetcher)
    async for page in collector.pages(dict(source.state or {})):
        result: IngestResult = await _in(writer, ingest, db, source.id, page.items, cursor=page.cursor)
        report.pages += 1
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.erased += result.erased


def _record_outcome(db: Database, source_id: int, report: RunReport, failure_threshold: int) -> None:
    now = utcnow()
    with db.write() as session:
        source = get_source(session, source_id)
        source.last_run_at = now
        if report.ok:
            source.consecutive_failures = 0
            source.last_error = None
            source.next_run_at = now + timedelta(seconds=source.schedule_seconds) if source.schedule_seconds else None
        else:
            source.consecutive_failures += 1
            source.last_error = f"{report.error_class}: {report.error}"[:2000]
            source.next_run_at = next_run_after_failure(now, source.consecutive_failures, source.schedule_seconds)
        session.add(source)
        report.consecutive_failures = source.consecutive_failures
        report.failing = source.consecutive_failures >= failure_threshold
    if report.error and report.failing:
        log.warning("source %s (%s) failed %d runs in a row: %s", source_id, report.kind,
                    report.consecutive_failures, report.error)


def due_sources(
    db: Database, *, now: datetime | None = None, brand_id: int | None = None, collectors: Registry | None = None,
) -> list[int]:
    """Ids of enabled collector sources whose time has come (never run, unscheduled, or past `next_run_at`).

    Sources of kinds no collector handles (file imports) are never due.
    """
    now = now or utcnow()
    kinds = (collectors or registry()).kinds()
    with db.read() as session:
        query = select(Source).where(Source.enabled == True, Source.kind.in_(kinds))  # type: ignore[attr-defined]  # noqa: E712
        if brand_id is not None:
            query = query.where(Source.brand_id == brand_id)
        return [s.id for s in session.exec(query.order_by(col(Source.id)))
                if s.id is not None and (s.next_run_at is None or s.next_run_at <= now)]


async def run_sources(
    db: Database, source_ids: Sequence[int], options: HttpOptions, *, concurrency: int = 4,
    failure_threshold: int = 3, collectors: Registry | None = None,
    on_done: Callable[[RunReport], Any] | None = None, fetcher: Fetcher | None = None,
) -> list[RunReport]:
    """Run several sources at once (at most `concurrency` together), sharing one polite fetcher."""
    gate = asyncio.Semaphore(max(1, concurrency))
    own_fetcher = fetcher is None
    shared = fetcher or Fetcher(options)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advocado-writer")

    async def one(source_id: int) -> RunReport:
        async with gate:
            report = await run_source(db, source_id, shared, failure_threshold=failure_threshold,
                                      collectors=collectors, writer=writer)
        if on_done is not None:
            on_done(report)
        return report

    try:
        return list(await asyncio.gather(*(one(source_id) for source_id in source_ids)))
    finally:
        writer.shutdown(wait=True)
        if own_fetcher:
            await shared.aclose()

