"""A run asks every prompt of every engine, stores raw answers with their retrieval status, and survives failures."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from monitor import RunOptions, collect
from monitor.params import validate_engine_params
from monitor.standin import StandIn
from storage import Database, add_brand
from storage.models import MonitorAnswer, MonitorRun
from storage.monitor import add_monitor_engine, add_monitor_prompt
from tests.monitor.conftest import Sleeps

NOW = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


TEMPLATES = ("Best analytics tool for {category}?", "Is {brand} better than {competitor}?")


def seed(db: Database, base: str, *, prompts: tuple[str, ...] = TEMPLATES) -> None:
    with db.write() as session:
        add_brand(session, "Acme Analytics", aliases=["Acme"], domains=["acme-analytics.example"],
                  competitors=["Globex", "Initech"])
        add_monitor_engine(session, "openai", "gpt", validate_engine_params("openai", {"base_url": base + "/v1"}))
        add_monitor_engine(session, "anthropic", "claude", validate_engine_params("anthropic", {"base_url": base + "/v1"}))
        for text in prompts:
            add_monitor_prompt(session, text, ["funnel:consideration"])


def options(sleeps: Sleeps) -> RunOptions:
    return RunOptions(allow_private_networks=True, sleep=sleeps, jitter=lambda: 0.0, now=lambda: NOW)


def test_a_run_stores_every_sample_raw_with_its_retrieval_status(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url)
    standin.knobs.no_search = 0.3
    seen: list[int] = []
    report = asyncio.run(collect(db, "Acme Analytics", samples=3, category="startups", options=options(sleeps),
                                 advance=seen.append))
    # 1 category prompt + 1 competitor prompt per competitor (2) = 3 questions x 3 samples x 2 engines
    assert report.answers == 18 and sum(seen) == 18
    with db.read() as session:
        answers = session.exec(select(MonitorAnswer)).all()
        run = session.get(MonitorRun, report.run_id)
    assert len(answers) == 18 and all(a.status == "ok" and a.raw for a in answers)
    assert {a.retrieval_status for a in answers} == {"searched", "not_searched"}
    assert {a.prompt_text for a in answers} >= {"Best analytics tool for startups?", "Is Acme Analytics better than Initech?"}
    assert run is not None and run.status == "finished" and run.requests == 18 and run.finished_at == NOW


def test_one_failing_engine_does_not_stop_the_others(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?",))
    with db.write() as session:
        add_monitor_engine(session, "gemini", "down", validate_engine_params("gemini", {"base_url": "http://127.0.0.1:9/v1beta"}))
    report = asyncio.run(collect(db, "Acme Analytics", samples=2, options=options(sleeps)))
    by_name = {e.name: e for e in report.engines}
    assert by_name["gpt"].ok == 2 and by_name["claude"].ok == 2
    assert by_name["down"].failed == 2 and "ConnectionFailed" in by_name["down"].errors[0]
    with db.read() as session:
        run = session.get(MonitorRun, report.run_id)
    assert run is not None and run.status == "finished with errors"


def test_a_spent_budget_skips_the_rest_and_says_so(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    with db.write() as session:
        add_brand(session, "Acme Analytics")
        add_monitor_engine(session, "openai", "capped", validate_engine_params(
            "openai", {"base_url": standin.url + "/v1", "max_requests": 3, "concurrency": 1}))
        add_monitor_prompt(session, "Best analytics tool?")
    report = asyncio.run(collect(db, "Acme Analytics", samples=5, options=options(sleeps)))
    assert (report.engines[0].ok, report.engines[0].skipped) == (3, 2)
    with db.read() as session:
        skipped = session.exec(select(MonitorAnswer).where(MonitorAnswer.status == "skipped")).all()
    assert len(skipped) == 2 and "request cap of 3" in (skipped[0].error or "")
    assert len(standin.requests) == 3


def test_templates_without_their_values_are_left_out(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url)
    report = asyncio.run(collect(db, "Acme Analytics", samples=1, options=options(sleeps)))
    assert report.skipped_templates == ["Best analytics tool for {category}?"]
    assert report.answers == 4


def test_no_prompts_is_an_error_not_an_empty_run(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=())
    from monitor import MonitorError

    with pytest.raises(MonitorError, match="no prompts"):
        asyncio.run(collect(db, "Acme Analytics", options=options(sleeps)))


def test_a_key_echoed_in_an_error_is_masked_before_it_is_stored(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    standin.knobs.api_key = "the-right-key"
    with db.write() as session:
        add_brand(session, "Acme Analytics")
        add_monitor_engine(session, "openai", "gpt", validate_engine_params(
            "openai", {"base_url": standin.url + "/v1", "api_key": "sk-wrong-canary-42"}))
        add_monitor_prompt(session, "Best analytics tool?")
    report = asyncio.run(collect(db, "Acme Analytics", samples=1, options=options(sleeps)))
    assert report.engines[0].failed == 1 and "AccessDenied" in report.engines[0].errors[0]
    with db.read() as session:
        stored = session.exec(select(MonitorAnswer)).one()
    assert "sk-wrong-canary-42" not in (stored.error or "") and "********" in (stored.error or "")
    assert "sk-wrong-canary-42" not in report.engines[0].errors[0]


def test_an_interrupted_run_keeps_the_answers_it_got(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?",))

    async def interrupt_after_three() -> None:
        got: list[int] = []
        # asyncio.run cancels the main task on Ctrl-C; the same happens here after three answers.
        task = asyncio.create_task(collect(db, "Acme Analytics", samples=10, options=options(sleeps),
                                           advance=lambda n: got.append(n) or (len(got) == 3 and task.cancel())))
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(interrupt_after_three())
    with db.read() as session:
        run = session.exec(select(MonitorRun)).one()
        stored = session.exec(select(MonitorAnswer)).all()
    assert run.status == "interrupted" and run.finished_at == NOW
    assert len(stored) >= 3 and all(a.status == "ok" for a in stored)
