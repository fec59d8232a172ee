"""A monitor run: every prompt of a brand asked of every chosen engine `samples` times, stored raw,
then analysed. A failing engine or answer is recorded and never stops the others."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from monitor.analyze import DEFAULT_CONTROL_BRAND, Scorer, analyse_answers, tracked_for
from monitor.engines import Asked, Engine, engine_kinds
from monitor.errors import BudgetExhausted, MonitorError
from monitor.http import Budget, ClientOptions, EngineClient
from monitor.params import MASK
from monitor.prompts import Question, questions_for
from storage import Database, get_brand, utcnow
from storage.models import MonitorAnswer, MonitorEngine, MonitorPrompt
from storage.monitor import (
    answers_by_id, finish_monitor_run, list_monitor_engines, list_monitor_prompts, monitor_answers, start_monitor_run,
)

DEFAULT_SAMPLES = 5
WRITE_BATCH = 20  # answers cost money: lose at most this many to a crash


@dataclass(frozen=True)
class RunOptions:
    """How a run talks to providers; the CLI fills these from settings. The last four are for tests."""

    allow_private_networks: bool = False
    keys: Mapping[str, str | None] = field(default_factory=dict)
    """API keys from settings by setting name (`monitor_openai_api_key`, ...)."""
    user_agent: str = "Advocado/0.1 (AI visibility monitor)"
    attempts: int = 4
    transport: httpx.AsyncBaseTransport | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] | None = None
    now: Callable[[], datetime] = utcnow


@dataclass
class EngineOutcome:
    """What one engine did in a run."""

    engine_id: int
    name: str
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    tool_errors: int = 0
    requests: int = 0
    retries: int = 0
    cost: float = 0.0
    errors: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    """A finished run: its id, each engine's outcome, and questions left out (a template without values)."""

    run_id: int
    engines: list[EngineOutcome]
    skipped_templates: list[str]

    @property
    def answers(self) -> int:
        return sum(e.ok + e.failed + e.skipped for e in self.engines)


def planned(db: Database, brand_name: str, *, samples: int = DEFAULT_SAMPLES, engine_refs: Sequence[int] = (),
            tags: Sequence[str] = (), category: str | None = None) -> int:
    """How many answers `collect` with the same arguments will ask for (for a progress bar)."""
    with db.read() as session:
        brand = get_brand(session, brand_name)
        engines = [e for e in list_monitor_engines(session, enabled_only=True) if not engine_refs or e.id in engine_refs]
        prompts = list_monitor_prompts(session, tags=tags, enabled_only=True)
        questions, _ = questions_for(prompts, tracked_for(session, brand, None), category)
    return len(engines) * len(questions) * samples


def build_engine(row: MonitorEngine, keys: Mapping[str, str | None]) -> Engine:
    kind = engine_kinds().get(row.kind)
    return kind(kind.validate(row.params), keys.get(kind.key_setting or "") if kind.key_setting else None)


class _Writer:
    """Stores answers in batches off the event loop, so slow disks do not stall the requests."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending: list[MonitorAnswer] = []
        self._lock = asyncio.Lock()

    async def add(self, answer: MonitorAnswer) -> None:
        self.pending.append(answer)
        if len(self.pending) >= WRITE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self.pending = self.pending, []
            if batch:
                await asyncio.to_thread(self._write, batch)

    def _write(self, batch: list[MonitorAnswer]) -> None:
        with self.db.write() as session:
            session.add_all(batch)


async def _ask_one(engine: Engine, client: EngineClient, question: Question, sample: int, row: MonitorEngine,
                   run_id: int, outcome: EngineOutcome, options: RunOptions) -> MonitorAnswer:
    assert row.id is not None
    answer = MonitorAnswer(run_id=run_id, engine_id=row.id, prompt_id=question.prompt_id, sample=sample,
                           prompt_text=question.text, engine_kind=row.kind, asked_at=options.now())
    try:
        asked: Asked = await engine.ask(client, question.text)
    except BudgetExhausted as error:
        answer.status, answer.error = "skipped", str(error)
        outcome.skipped += 1
        return answer
    except MonitorError as error:
        message = f"{type(error).__name__}: {error}"
        answer.status, answer.error = "failed", message.replace(engine.key, MASK) if engine.key else message
        outcome.failed += 1
        if len(outcome.errors) < 5:
            outcome.errors.append(answer.error)
        return answer
    parsed = asked.parsed
    cost = engine.cost(parsed, asked.requests)
    client.budget.settle(cost, engine.expected_cost() * asked.requests)
    answer.raw, answer.text, answer.model = asked.raw, parsed.text, parsed.model
    answer.retrieval_status, answer.requests = parsed.retrieval_status, asked.requests
    answer.estimated_cost, answer.latency_ms = round(cost, 6), round(asked.seconds * 1000)
    answer.error = parsed.tool_error
    outcome.ok += 1
    outcome.cost += cost
    outcome.tool_errors += parsed.tool_error is not None
    return answer


async def collect(db: Database, brand_name: str, *, samples: int = DEFAULT_SAMPLES, engine_refs: Sequence[int] = (),
                  tags: Sequence[str] = (), category: str | None = None, options: RunOptions | None = None,
                  advance: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None) -> RunReport:
    """Ask every enabled prompt (with all `tags`) of every chosen engine `samples` times; store raw answers."""
    options = options or RunOptions()
    with db.read() as session:
        brand = get_brand(session, brand_name)
        engines = [e for e in list_monitor_engines(session, enabled_only=True) if not engine_refs or e.id in engine_refs]
        prompts: list[MonitorPrompt] = list_monitor_prompts(session, tags=tags, enabled_only=True)
        tracked = tracked_for(session, brand, None)
    if not engines:
        raise MonitorError("no engines to ask (add one with `advocado monitor engine add KIND`)")
    if not prompts:
        raise MonitorError("no prompts to ask (add one with `advocado monitor prompt add TEXT`)")
    questions, skipped_templates = questions_for(prompts, tracked, category)
    with db.write() as session:
        assert brand.id is not None
        run = start_monitor_run(session, brand.id, [e.id for e in engines if e.id is not None], samples, options.now())
        run_id = run.id
    assert run_id is not None
    if on_total:
        on_total(len(questions) * samples * len(engines))
    writer = _Writer(db)
    outcomes: list[EngineOutcome] = []
    clients: dict[int, EngineClient] = {}
    jobs = []
    for row in engines:
        outcome = EngineOutcome(row.id, row.name)  # type: ignore[arg-type]
        outcomes.append(outcome)
        try:
            engine = build_engine(row, options.keys)
        except MonitorError as error:
            outcome.errors.append(str(error))
            outcome.failed = len(questions) * samples
            if advance:
                advance(outcome.failed)
            continue
        extra: dict[str, Any] = {"jitter": options.jitter} if options.jitter else {}
        client = EngineClient(
            ClientOptions(timeout=engine.params.timeout, allow_private_networks=options.allow_private_networks,
                          attempts=options.attempts, user_agent=options.user_agent),
            concurrency=engine.params.concurrency,
            budget=Budget(engine.params.max_requests, engine.params.max_cost),
            transport=options.transport, sleep=options.sleep, **extra,
        )
        clients[outcome.engine_id] = client
        for question in questions:
            for k in range(samples):
                sample = question.variant * samples + k
                jobs.append(_job(engine, client, question, sample, row, run_id, outcome, options, writer, advance))
    status = "interrupted"
    try:
        await asyncio.gather(*jobs)
        status = "finished" if all(o.failed == 0 for o in outcomes) else "finished with errors"
    finally:
        # Answers already paid for are kept even when the run is interrupted (Ctrl-C, shutdown).
        await asyncio.shield(writer.flush())
        for client in clients.values():
            await client.aclose()
        for outcome in outcomes:
            if outcome.engine_id in clients:
                outcome.requests = clients[outcome.engine_id].budget.requests
                outcome.retries = clients[outcome.engine_id].retries
        with db.write() as session:
            finish_monitor_run(session, run_id, status, sum(o.requests for o in outcomes),
                               round(sum(o.cost for o in outcomes), 6), options.now())
    return RunReport(run_id, outcomes, skipped_templates)


async def _job(engine: Engine, client: EngineClient, question: Question, sample: int, row: MonitorEngine, run_id: int,
               outcome: EngineOutcome, options: RunOptions, writer: _Writer, advance: Callable[[int], None] | None) -> None:
    answer = await _ask_one(engine, client, question, sample, row, run_id, outcome, options)
    await writer.add(answer)
    if advance:
        advance(1)


def analyse_run(db: Database, run_id: int, brand_name: str, *, scorer: Scorer | None,
                control_brand: str | None = DEFAULT_CONTROL_BRAND, batch: int = 200, fuzzy: bool = False) -> int:
    """Analyse a run's stored answers (mentions, positions, citations, sentiment); returns how many."""
    with db.read() as session:
        brand = get_brand(session, brand_name)
        tracked = tracked_for(session, brand, control_brand, fuzzy)
        ids = [a.id for a in monitor_answers(session, run_id=run_id)]
    done = 0
    for start in range(0, len(ids), batch):
        with db.write() as session:
            answers = answers_by_id(session, ids[start:start + batch])
            done += analyse_answers(session, answers, tracked, scorer)
    return done
