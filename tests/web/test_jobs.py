"""The jobs: scoring after collection, and one clear warning when the sentiment model cannot load."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import sentiment
from advocado.web.jobs import Jobs, PeriodicJob
from collectors import HttpOptions, RunReport
from storage import Database


def _jobs(db: Database, loader: Any) -> Jobs:
    return Jobs(db, HttpOptions(), model_name="fake-model", load_model=loader, schedule=False)


def test_a_model_that_cannot_load_warns_once_and_scoring_stays_off(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def broken() -> None:
        calls.append(1)
        raise sentiment.ModelNotFound("no model at /nowhere")

    jobs = _jobs(db, broken)
    with caplog.at_level(logging.WARNING, logger="advocado.web.jobs"):
        assert asyncio.run(jobs.score_new()) == 0
        assert asyncio.run(jobs.score_new()) == 0
    warnings = [r.getMessage() for r in caplog.records if "sentiment scoring is off" in r.getMessage()]
    assert len(warnings) == 1 and "no model at /nowhere" in warnings[0] and len(calls) == 1
    assert (jobs.scoring.available, jobs.scoring.problem) == (False, "ModelNotFound: no model at /nowhere")


def test_new_mentions_are_scored_right_after_a_collection(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    scored: list[tuple[Database, object]] = []
    model = object()
    monkeypatch.setattr(sentiment, "score_mentions", lambda database, chosen: scored.append((database, chosen)) or 7)

    async def reports(new: int) -> None:
        jobs = _jobs(db, lambda: model)
        await jobs.start()
        try:
            async def fake_run(_db: Database, source_id: int, _fetcher: object, **_kw: object) -> RunReport:
                return RunReport(source_id=source_id, kind="feed", name="", new=new)

            monkeypatch.setattr("collectors.schedule.run_source", fake_run)
            monkeypatch.setattr("advocado.web.jobs.run_source", fake_run)
            with db.write() as session:
                from storage import add_brand, add_source

                source_id = add_source(session, add_brand(session, f"B{new}"), "feed").id
            await jobs.sources.run_due(source_id)
            await jobs._run_once(source_id)
        finally:
            await jobs.stop()

    asyncio.run(reports(new=0))
    assert scored == []
    asyncio.run(reports(new=3))
    assert scored == [(db, model), (db, model)]


def test_periodic_jobs_are_scheduled_and_a_failing_one_is_logged_not_raised(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    checks: list[str] = []

    def failing_check() -> None:
        checks.append("alerts")
        raise RuntimeError("smtp server down")

    async def monitor_run() -> None:
        checks.append("monitor")

    periodic = [PeriodicJob("alerts", "alert check", 3600, failing_check),
                PeriodicJob("monitor", "monitor runs", 3600, monitor_run)]

    async def scenario() -> list[str]:
        jobs = Jobs(db, HttpOptions(), model_name="fake-model", load_model=None, schedule=True, periodic=periodic)
        await jobs.start()
        try:
            job_ids = [job.id for job in jobs.sources.scheduler.get_jobs()]
            for job in periodic:
                await jobs.run_periodic(job)
            await jobs.run_periodic(periodic[0])
        finally:
            await jobs.stop()
        return job_ids

    with caplog.at_level(logging.ERROR, logger="advocado.web.jobs"):
        job_ids = asyncio.run(scenario())
    assert {"alerts", "monitor"} <= set(job_ids)
    assert checks == ["alerts", "monitor", "alerts"]
    assert caplog.text.count("alert check failed") == 2
