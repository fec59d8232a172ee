"""Metric definitions on hand-built answers with known values, and the report on a stand-in run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from monitor import analyse_run, collect
from monitor.metrics import Rate, visibility, wilson
from monitor.report import brand_report, sample_answers, timeline
from monitor.standin import StandIn
from storage import Database
from storage.models import MonitorAnswer, MonitorCitation, MonitorMention
from tests.monitor.conftest import Sleeps
from tests.monitor.test_run import NOW, options, seed


def test_wilson_interval_matches_published_values() -> None:
    low, high = wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert wilson(0, 10)[0] == 0.0 and round(wilson(0, 10)[1], 4) == 0.2775
    assert Rate.of(3, 0).value is None
    assert not Rate.of(9, 10).overlaps(Rate.of(1, 10)) and Rate.of(5, 10).overlaps(Rate.of(6, 10))


def _answer(i: int, prompt: int, *, status: str = "ok", retrieval: str = "searched") -> MonitorAnswer:
    return MonitorAnswer(id=i, run_id=1, engine_id=1, prompt_id=prompt, prompt_text=f"p{prompt}", status=status,
                         retrieval_status=retrieval, analysis_version="1")


def _mention(answer: int, entity: str, position: int, competitor: int | None = None, **extra: object) -> MonitorMention:
    return MonitorMention(answer_id=answer, entity=entity, competitor_id=competitor, name=entity, position=position, **extra)


def _cite(answer: int, domain: str, entity: str | None = None, kind: str = "cited",
          competitor: int | None = None) -> MonitorCitation:
    return MonitorCitation(answer_id=answer, kind=kind, url=f"https://{domain}/", raw_url=f"https://{domain}/", domain=domain,
                           entity=entity, competitor_id=competitor)


def test_every_metric_on_answers_with_known_values() -> None:
    answers = [_answer(1, 1), _answer(2, 1), _answer(3, 2), _answer(4, 2, retrieval="not_searched"),
               _answer(5, 3, retrieval="tool_error"), _answer(6, 3, status="failed", retrieval="")]
    mentions = {
        1: [_mention(1, "brand", 2, prominence=0.4, sentiment="positive"), _mention(1, "competitor", 1, 9)],
        2: [_mention(2, "brand", 1, prominence=1.0, sentiment="negative")],
        3: [_mention(3, "competitor", 1, 9)],
        4: [], 5: [_mention(5, "brand", 1)], 6: [],
    }
    citations = {
        1: [_cite(1, "acme.com", "brand"), _cite(1, "g2.com"), _cite(1, "acme.com", "brand", kind="retrieved")],
        2: [_cite(2, "g2.com")],
        3: [_cite(3, "globex.io", "competitor", competitor=9), _cite(3, "blog.acme.com", "brand", kind="retrieved")],
        4: [], 5: [_cite(5, "acme.com", "brand")], 6: [],
    }
    v = visibility("e", answers, mentions, citations, {9: "Globex"})
    assert v.answers["analysed"] == 4 and v.answers["tool_error"] == 1 and v.answers["failed"] == 1
    assert (v.mention_rate.k, v.mention_rate.n) == (2, 4)          # tool error and failure left out
    assert (v.prompt_coverage.k, v.prompt_coverage.n) == (1, 2) and v.inclusion_probability == 0.5
    assert (v.share_of_voice.k, v.share_of_voice.n) == (2, 4)      # brand in 2 answers, Globex in 2
    assert (v.average_position.mean, v.average_position.n) == (1.5, 2)
    assert v.prominence == pytest.approx((0.4 + 1.0) / 4)
    assert (v.citation_rate.k, v.citation_rate.n) == (1, 3)        # answers 1, 2, 3 cite something
    assert (v.citation_share.k, v.citation_share.n) == (1, 4)
    assert (v.retrieved_rate.k, v.retrieved_rate.n) == (2, 3)      # searched answers 1, 2, 3
    assert v.sentiment["positive"] == 1 and v.sentiment["negative"] == 1 and v.sentiment["net"] == 0.0
    assert v.cited_domains[0]["domain"] == "g2.com" and v.cited_domains[0]["answers"] == 2
    assert {d["domain"]: d["owner"] for d in v.cited_domains}["globex.io"] == "competitor: Globex"
    assert v.competitors[0]["mention_rate"].k == 2 and v.competitors[0]["average_position"].mean == 1.0
    assert v.control_detections == 0


def test_report_over_a_stand_in_run_is_deterministic_and_complete(tmp_path, sleeps: Sleeps) -> None:  # type: ignore[no-untyped-def]
    reports = []
    for attempt in range(2):
        db = Database(f"sqlite:///{tmp_path / f'r{attempt}.db'}")
        with StandIn(seed=5) as server:
            server.knobs.no_search = 0.2
            seed(db, server.url, prompts=("Best analytics tool?", "Analytics for a café?"))
            report = asyncio.run(collect(db, "Acme Analytics", samples=5, options=options(sleeps)))
        analyse_run(db, report.run_id, "Acme Analytics", scorer=lambda texts: [("positive", 0.9)] * len(texts))
        reports.append(brand_report(db, "Acme Analytics", run_id=report.run_id).as_dict())
        if attempt == 0:
            rows = timeline(db, "Acme Analytics", now=NOW + timedelta(hours=1), days=7)
            marked = sample_answers(db, "Acme Analytics", limit=2)
        db.dispose()
    # Engines ask concurrently, so which engine gets which draw may differ; the seeded draws may not.
    overall = reports[0]["overall"]
    assert overall["mention_rate"] == reports[1]["overall"]["mention_rate"]
    assert overall["share_of_voice"] == reports[1]["overall"]["share_of_voice"]
    assert overall["answers"]["analysed"] == 20 and overall["mention_rate"]["n"] == 20
    assert 0 <= overall["mention_rate"]["low"] <= overall["mention_rate"]["value"] <= overall["mention_rate"]["high"] <= 1
    assert [e["engine"] for e in reports[0]["engines"]] == ["gpt", "claude"]
    for key in ("prompt_coverage", "share_of_voice", "average_position", "prominence", "citation_rate",
                "citation_share", "retrieved_rate", "sentiment", "cited_domains", "competitors"):
        assert overall[key] not in (None, [], {})
    assert overall["sentiment"]["positive"] == overall["mention_rate"]["k"]
    assert reports[0]["metrics_version"] == "1"
    assert {r["engine"] for r in rows} == {"gpt", "claude"} and rows[0]["period"].startswith("2026-")
    assert len(marked) == 2 and all(marked[0].text[a:b] for a, b, _, _ in marked[0].mentions)


def test_collect_analyse_and_report_on_every_database(any_db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(any_db, standin.url, prompts=("Best analytics tool?",))
    report = asyncio.run(collect(any_db, "Acme Analytics", samples=3, options=options(sleeps)))
    assert analyse_run(any_db, report.run_id, "Acme Analytics", scorer=None) == 6
    data = brand_report(any_db, "Acme Analytics", since=NOW - timedelta(days=1)).as_dict()
    assert data["overall"]["answers"]["analysed"] == 6 and data["overall"]["mention_rate"]["n"] == 6
    assert data["overall"]["cited_domains"]
