"""The jobs inside `advocado serve` (or `advocado worker`): collection on each source's schedule, and
sentiment scoring of new mentions right after each collection (and every few minutes, for imports).

Collection reuses `collectors.schedule.SourceScheduler` (APScheduler 3.x, rebuilt from the sources
table). Scoring runs in a worker thread so the web server keeps answering; if the model cannot be
loaded the jobs carry on collecting and one warning says why.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from collectors import HttpOptions, RunReport, run_source
from storage import Database, utcnow

log = logging.getLogger(__name__)

SCORE_EVERY_SECONDS = 600


@dataclass(frozen=True)
class PeriodicJob:
    """Work the scheduler repeats, such as checking alert rules or running the AI-visibility monitor.
    `run` is a coroutine function, or a plain function that runs in a worker thread."""

    id: str
    name: str
    every_seconds: int
    run: Callable[[], Any]


@dataclass
class ScoringState:
    """How sentiment scoring is doing, for the jobs page and `/api/v1/jobs`."""

    model: str
    available: bool | None = None
    problem: str | None = None
    last_scored_at: datetime | None = None
    last_scored: int = 0


class Jobs:
    """Starts and stops the scheduler; `run_now` queues one collection outside the schedule."""

    def __init__(self, db: Database, options: HttpOptions, *, model_name: str, load_model: Callable[[], Any] | None,
                 failure_threshold: int = 3, schedule: bool = True, periodic: Sequence[PeriodicJob] = ()) -> None:
        self.db = db
        self.options = options
        self.failure_threshold = failure_threshold
        self.schedule = schedule
        self.scoring = ScoringState(model=model_name)
        self._load_model = load_model
        self.periodic = list(periodic)
        self._model: Any = None
        self._score_lock = asyncio.Lock()
        self.sources: Any = None

    @property
    def running(self) -> bool:
        return self.sources is not None and self.sources.scheduler.running

    async def start(self) -> None:
        """Start the scheduler inside the running event loop."""
        from collectors.schedule import SourceScheduler

        jobs = self

        class CollectThenScore(SourceScheduler):
            async def run_due(self, source_id: int) -> RunReport | None:
                report = await super().run_due(source_id)
                if report is not None and (report.new or report.updated):
                    await jobs.score_new()
                return report

        self.sources = CollectThenScore(self.db, self.options, failure_threshold=self.failure_threshold)
        if self.schedule:
            self.sources.start()
            self.sources.scheduler.add_job(self.score_new, IntervalTrigger(seconds=SCORE_EVERY_SECONDS), id="score",
                                           name="score new mentions", replace_existing=True,
                                           next_run_time=utcnow() + timedelta(seconds=5))
            for job in self.periodic:
                self.sources.scheduler.add_job(self.run_periodic, IntervalTrigger(seconds=job.every_seconds), args=[job],
                                               id=job.id, name=job.name, replace_existing=True,
                                               next_run_time=utcnow() + timedelta(seconds=30))
        else:
            self.sources.scheduler.start()

    async def stop(self) -> None:
        if self.sources is not None:
            await self.sources.stop()
            self.sources = None

    def run_now(self, source_id: int) -> bool:
        """Queue a run of this source right away (even one that is backing off); False if not started."""
        if not self.running:
            return False
        self.sources.scheduler.add_job(self._run_once, args=[source_id], id=f"run-now-{source_id}",
                                       name=f"run source {source_id} now", replace_existing=True,
                                       next_run_time=utcnow(), misfire_grace_time=None)
        return True

    async def _run_once(self, source_id: int) -> None:
        report = await run_source(self.db, source_id, self.sources.fetcher, failure_threshold=self.failure_threshold)
        log.info("source %s (%s) run on request: %d new, %d updated%s", source_id, report.kind, report.new,
                 report.updated, f", error: {report.error}" if report.error else "")
        if report.new or report.updated:
            await self.score_new()

    def next_runs(self) -> dict[int, datetime]:
        """When the scheduler will next run each source job it holds."""
        if not self.running:
            return {}
        found = {}
        for job in self.sources.scheduler.get_jobs():
            if job.id.startswith("source-") and job.next_run_time is not None:
                found[int(job.id.removeprefix("source-"))] = job.next_run_time
        return found

    async def run_periodic(self, job: PeriodicJob) -> None:
        """Run one periodic job; a failure is logged, never raised, and the next turn tries again."""
        try:
            if inspect.iscoroutinefunction(job.run):
                await job.run()
            else:
                await asyncio.to_thread(job.run)
        except Exception:  # noqa: BLE001 - one failing job must not stop the scheduler
            log.exception("%s failed", job.name)

    async def score_new(self) -> int:
        """Score every mention the configured model has not scored yet; 0 when the model is unavailable."""
        if self._load_model is None:
            return 0
        async with self._score_lock:
            if self._model is None and self.scoring.available is not False:
                try:
                    self._model = await asyncio.to_thread(self._load_model)
                    self.scoring.available = True
                except Exception as error:  # noqa: BLE001 - a missing model must not stop collection or the web app
                    self.scoring.available, self.scoring.problem = False, f"{type(error).__name__}: {error}"
                    log.warning("sentiment scoring is off: the model %r could not be loaded (%s); collection and the "
                                "dashboard keep working, new mentions stay unscored", self.scoring.model, self.scoring.problem)
            if self._model is None:
                return 0
            from sentiment import score_mentions

            try:
                scored = await asyncio.to_thread(score_mentions, self.db, self._model)
            except Exception as error:
                self.scoring.problem = f"{type(error).__name__}: {error}"
                log.exception("sentiment scoring failed")
                return 0
            self.scoring.problem = None
            self.scoring.last_scored_at, self.scoring.last_scored = utcnow(), scored
            return scored
