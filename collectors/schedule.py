"""Running sources on their schedules with APScheduler 3.x, inside one asyncio loop.

The schedules live in the `sources` table (`schedule_seconds`, `next_run_at`), so the job store is
the in-memory one, rebuilt from the database at start and re-synced every minute: the database is
the persistent store, and no second scheduler can ever share (and corrupt) APScheduler's own table.
Jobs coalesce, never overlap, and get a misfire grace of minutes instead of APScheduler's 1 s.
All jobs share one fetcher, so per-host limits hold across sources.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import select

from collectors.http import Fetcher, HttpOptions
from collectors.runner import RunReport, run_source
from storage import Database, Source, get_source, utcnow

log = logging.getLogger(__name__)

RESYNC_SECONDS = 60
MAX_MISFIRE_GRACE = 3600


def misfire_grace(schedule_seconds: int) -> int:
    """Half the interval, between 5 minutes and an hour: late runs still happen, stale ones are skipped."""
    return int(min(MAX_MISFIRE_GRACE, max(300, schedule_seconds // 2)))


def job_id(source_id: int) -> str:
    return f"source-{source_id}"


class SourceScheduler:
    """Keeps one interval job per enabled, scheduled source and runs them through `run_source`."""

    def __init__(self, db: Database, options: HttpOptions, *, failure_threshold: int = 3,
                 fetcher: Fetcher | None = None, scheduler: AsyncIOScheduler | None = None) -> None:
        self.db = db
        self.failure_threshold = failure_threshold
        self.fetcher = fetcher or Fetcher(options)
        self.scheduler = scheduler or AsyncIOScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
        self.scheduler.add_listener(self._on_trouble, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        self.reports: list[RunReport] = []

    def start(self) -> None:
        """Add the jobs and start; call from inside the running event loop."""
        self.sync()
        self.scheduler.add_job(self.sync, IntervalTrigger(seconds=RESYNC_SECONDS), id="resync", replace_existing=True)
        self.scheduler.start()

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        await self.fetcher.aclose()

    def sync(self) -> None:
        """Make the jobs match the sources table: new, changed, disabled and removed sources."""
        with self.db.read() as session:
            sources = list(session.exec(select(Source).where(Source.enabled == True, Source.schedule_seconds != None)))  # noqa: E711,E712
        wanted = {job_id(s.id): s for s in sources if s.id is not None and s.schedule_seconds}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("source-") and job.id not in wanted:
                job.remove()
        now = utcnow()
        for key, source in wanted.items():
            interval = int(source.schedule_seconds or 0)
            existing = self.scheduler.get_job(key)
            if existing is not None and existing.trigger.interval == timedelta(seconds=interval):
                continue
            first_run: datetime = max(now, source.next_run_at) if source.next_run_at else now
            self.scheduler.add_job(
                self.run_due, IntervalTrigger(seconds=interval, start_date=first_run, timezone="UTC"), args=[source.id],
                id=key, name=f"{source.kind} {source.name}".strip(), replace_existing=True,
                next_run_time=first_run, misfire_grace_time=misfire_grace(interval))

    async def run_due(self, source_id: int) -> RunReport | None:
        """Run the source unless it is backing off after failures (its `next_run_at` is later)."""
        with self.db.read() as session:
            source = get_source(session, source_id)
            if not source.enabled or (source.next_run_at is not None and source.next_run_at > utcnow() + timedelta(seconds=5)):
                return None
        report = await run_source(self.db, source_id, self.fetcher, failure_threshold=self.failure_threshold)
        self.reports.append(report)
        log.info("source %s (%s): %d new, %d updated%s", source_id, report.kind, report.new, report.updated,
                 f", error: {report.error}" if report.error else "")
        return report

    def _on_trouble(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s (coalesced into the next)", event.job_id, event.scheduled_run_time)
        else:
            log.error("job %s failed: %r", event.job_id, event.exception)
