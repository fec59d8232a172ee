"""The scheduler: one coalescing, non-overlapping job per scheduled source, kept in step with the table."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from collectors import HttpOptions
from collectors.schedule import SourceScheduler, job_id, misfire_grace
from storage import Database, Source, utcnow
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback
from tests.collectors.test_webpage import page


def schedule(db: Database, source_id: int, seconds: int | None, **fields: object) -> None:
    with db.write() as session:
        source = session.get(Source, source_id)
        source.schedule_seconds = seconds
        for name, value in fields.items():
            setattr(source, name, value)
        session.add(source)


def test_misfire_grace_is_minutes_not_one_second() -> None:
    assert misfire_grace(60) == 300
    assert misfire_grace(6 * 3600) == 3600
    assert misfire_grace(1200) == 600


def test_jobs_follow_the_sources_table(db: Database, options: HttpOptions) -> None:
    async def go() -> None:
        runner = SourceScheduler(db, options)
        hourly = make_source(db, "feed", {"url": "https://a.test/feed"})
        unscheduled = make_source(db, "feed", {"url": "https://b.test/feed"})
        schedule(db, hourly, 3600)
        runner.start()
        try:
            job = runner.scheduler.get_job(job_id(hourly))
            assert job is not None and runner.scheduler.get_job(job_id(unscheduled)) is None
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 1800)
            schedule(db, hourly, 7200)
            schedule(db, unscheduled, 600)
            runner.sync()
            assert runner.scheduler.get_job(job_id(hourly)).trigger.interval == timedelta(hours=2)
            assert runner.scheduler.get_job(job_id(unscheduled)) is not None
            schedule(db, hourly, 7200, enabled=False)
            runner.sync()
            assert runner.scheduler.get_job(job_id(hourly)) is None
        finally:
            await runner.stop()

    asyncio.run(go())


def test_a_due_source_runs_and_a_backing_off_one_waits(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    loopback.route("/p", Answer(page([("Ann", "Great")]), content_type="text/html"))
    due = make_source(db, "webpage", {"url": loopback.url + "/p"})
    backing_off = make_source(db, "webpage", {"url": loopback.url + "/p"})
    schedule(db, due, 3600)
    schedule(db, backing_off, 3600, next_run_at=utcnow() + timedelta(hours=1), consecutive_failures=2)

    async def go() -> None:
        runner = SourceScheduler(db, options)
        runner.start()
        try:
            for _ in range(200):
                if runner.reports:
                    break
                await asyncio.sleep(0.02)
            assert [r.source_id for r in runner.reports] == [due]
            assert await runner.run_due(backing_off) is None
            assert runner.scheduler.get_job(job_id(backing_off)).next_run_time >= utcnow() + timedelta(minutes=59)
        finally:
            await runner.stop()

    asyncio.run(go())
    assert [m.author_name for m in stored_mentions(db, due)] == ["Ann"]
    assert stored_mentions(db, backing_off) == []
    with db.read() as session:
        assert session.get(Source, due).next_run_at > utcnow() + timedelta(minutes=59)
