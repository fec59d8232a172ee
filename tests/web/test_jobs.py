"""The jobs: scoring after collection, and one clear warning when the sentiment model cannot load."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import sentiment
from advocado.web.jobs import Jobs
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


def test_the_scheduler_checks_alerts_hourly_and_survives_a_failing_check(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    checks: list[int] = []

    def failing_check() -> None:
        checks.append(1)
        raise RuntimeError("smtp server down")

    async def scenario() -> list[str]:
        jobs = Jobs(db, HttpOptions(), model_name="fake-model", load_model=None, schedule=True, check_alerts=failing_check)
        await jobs.start()
        try:
            job_ids = [job.id for job in jobs.sources.scheduler.get_jobs()]
            await jobs.check_alerts()
            await jobs.check_alerts()
        finally:
            await jobs.stop()
        return job_ids

    with caplog.at_level(logging.ERROR, logger="advocado.web.jobs"):
        job_ids = asyncio.run(scenario())
    assert "alerts" in job_ids
    assert len(checks) == 2
    assert caplog.text.count("alert check failed") == 2
