"""Alert rules fire on real changes between two weeks of stand-in answers, not on sampling noise;
the scheduling hook picks the brands that are due."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from monitor import analyse_run, collect
from monitor.alerts import drop_p_value, evaluate, significant_drop
from monitor.metrics import Rate
from monitor.run import RunOptions
from monitor.schedule import due_brands, run_due
from monitor.standin import DEMO_COMPANIES, Company, StandIn
from sqlmodel import select

from storage import Database
from storage.models import MonitorEngine
from tests.monitor.conftest import Sleeps
from tests.monitor.test_run import seed

WEEK1 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
WEEK2 = WEEK1 + timedelta(days=7)
ACME, GLOBEX, INITECH = DEMO_COMPANIES[:3]
HAPPY_ACME = Company(ACME.name, ACME.domain, ACME.praise, complaint=ACME.praise)
GRUMPY_ACME = Company(ACME.name, "elsewhere.example", complaint="is expensive and its support is slow", praise="is expensive")


def negative_when_expensive(texts: list[str]) -> list[tuple[str, float]]:
    return [("negative", -0.7) if "expensive" in t else ("positive", 0.8) for t in texts]


def _week(db: Database, companies: tuple[Company, ...], when: datetime, sleeps: Sleeps, seed_value: int,
          samples: int = 8) -> None:
    with StandIn(companies, seed=seed_value) as server:
        with db.write() as session:
            for engine in session.exec(select(MonitorEngine)).all():
                engine.params = {**engine.params, "base_url": server.url + "/v1", "api_key_base_url": None}
                session.add(engine)
        options = RunOptions(allow_private_networks=True, sleep=sleeps, jitter=lambda: 0.0, now=lambda: when)
        report = asyncio.run(collect(db, "Acme Analytics", samples=samples, options=options))
    analyse_run(db, report.run_id, "Acme Analytics", scorer=negative_when_expensive)


def test_drop_test_and_interval_overlap() -> None:
    assert significant_drop(Rate.of(16, 20), Rate.of(4, 20))
    assert not significant_drop(Rate.of(11, 20), Rate.of(9, 20))          # noise
    assert not significant_drop(Rate.of(5, 5), Rate.of(0, 5))             # too few answers to say
    assert drop_p_value(Rate.of(16, 20), Rate.of(4, 20)) < 0.001 < drop_p_value(Rate.of(10, 20), Rate.of(9, 20))


def test_rules_fire_when_the_brand_disappears_and_stay_quiet_when_nothing_changed(db: Database, sleeps: Sleeps) -> None:
    with StandIn() as placeholder:
        seed(db, placeholder.url, prompts=("Best analytics tool?", "Analytics for a café?"))
    _week(db, (HAPPY_ACME, GLOBEX), WEEK1 - timedelta(days=3), sleeps, 1)
    _week(db, (HAPPY_ACME, GLOBEX), WEEK1, sleeps, 2)
    now = WEEK1 + timedelta(hours=1)  # 3-day windows: one unchanged run in each
    assert [evaluate(db, rule, "Acme Analytics", now, window_days=3) for rule in
            ("ai-visibility-drop", "ai-competitor-overtakes", "ai-citations-lost", "ai-negative-mention")] == [None] * 4

    _week(db, (GLOBEX, INITECH), WEEK2, sleeps, 3)
    _week(db, (GLOBEX, GRUMPY_ACME), WEEK2 + timedelta(minutes=30), sleeps, 4, samples=2)
    now = WEEK2 + timedelta(hours=1)
    drop = evaluate(db, "ai-visibility-drop", "Acme Analytics", now)
    assert drop is not None and drop.window_key == f"mention_rate-drop:{now.date()}" and "gpt: 100%" in drop.text
    overtake = evaluate(db, "ai-competitor-overtakes", "Acme Analytics", now)
    assert overtake is not None and {d["competitor"] for d in overtake.details["overtaken"]} >= {"Globex"}
    lost = evaluate(db, "ai-citations-lost", "Acme Analytics", now)
    assert lost is not None and "claude" in lost.text
    negative = evaluate(db, "ai-negative-mention", "Acme Analytics", now)
    assert negative is not None and negative.details["answer_ids"] and "expensive" in negative.text


def test_scheduling_hook_runs_brands_that_are_due(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?",))
    assert due_brands(db, WEEK1) == []  # never run by hand: not opted in
    options = RunOptions(allow_private_networks=True, sleep=sleeps, jitter=lambda: 0.0, now=lambda: WEEK1)
    asyncio.run(collect(db, "Acme Analytics", samples=1, options=options))
    assert due_brands(db, WEEK1 + timedelta(hours=23)) == []
    assert due_brands(db, WEEK1 + timedelta(hours=24)) == ["Acme Analytics"]
    later = RunOptions(allow_private_networks=True, sleep=sleeps, jitter=lambda: 0.0, now=lambda: WEEK1 + timedelta(days=1))
    reports = asyncio.run(run_due(db, now=lambda: WEEK1 + timedelta(days=1), samples=2, options=later))
    assert len(reports) == 1 and reports[0].answers == 4
    assert due_brands(db, WEEK1 + timedelta(days=1, hours=1)) == []


def test_an_ai_visibility_drop_fires_through_the_alert_outbox_once(db: Database, sleeps: Sleeps) -> None:
    from advocado.alerts import RULE_HELP, check_rules
    from storage import get_brand
    from storage.alerts import add_channel, add_rule, recent_events

    with StandIn() as placeholder:
        seed(db, placeholder.url, prompts=("Best analytics tool?", "Analytics for a café?"))
    _week(db, (HAPPY_ACME, GLOBEX), WEEK1, sleeps, 1)
    _week(db, (GLOBEX, INITECH), WEEK2, sleeps, 3)
    assert "ai-visibility-drop" in RULE_HELP  # what `advocado alert add --rule` accepts
    with db.write() as session:
        channel = add_channel(session, "webhook", {"url": "https://hooks.example/advocado", "secret": "s"})
        add_rule(session, get_brand(session, "Acme Analytics"), "ai-visibility-drop", [channel.id or 0])
    now = WEEK2 + timedelta(hours=1)
    first = check_rules(db, now)
    again = check_rules(db, now + timedelta(minutes=5))
    with db.read() as session:
        events = recent_events(session, get_brand(session, "Acme Analytics"))
    assert len(first.fired) == 1 and "ai-visibility-drop" in first.fired[0]
    assert again.fired == [] and len(again.already_sent) == 1
    assert len(events) == 1 and "gpt" in events[0][0].text and events[0][1].rule == "ai-visibility-drop"
