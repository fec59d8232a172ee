"""Query functions for the report command and dashboard pages: metrics, metrics over time, and
sample answers with their mentions and citations marked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.analyze import ANALYSIS_VERSION, DEFAULT_CONTROL_BRAND, parse_stored, tracked_for
from monitor.errors import MonitorError
from monitor.metrics import METRICS_VERSION, BrandReport, visibility
from storage import Database, competitors_of, get_brand
from storage.models import MonitorAnswer
from storage.monitor import answer_findings, list_monitor_engines, monitor_answers


def brand_report(db: Database, brand_name: str, *, since: datetime | None = None, until: datetime | None = None,
                 run_id: int | None = None) -> BrandReport:
    """Every metric of a brand per engine and over all engines, for answers asked in [since, until)
    (or in one run)."""
    with db.read() as session:
        brand = get_brand(session, brand_name)
        names = {c.id: c.name for c in competitors_of(session, brand)}
        engines = {e.id: e.name for e in list_monitor_engines(session)}
        answers = monitor_answers(session, brand_id=brand.id, run_id=run_id, since=since, until=until)
        mentions, citations = answer_findings(session, [a.id for a in answers])
    grouped: dict[int, list[MonitorAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.engine_id].append(answer)
    per_engine = [visibility(engines.get(engine_id, f"engine {engine_id}"), group, mentions, citations, names)
                  for engine_id, group in sorted(grouped.items())]
    overall = visibility("all engines", answers, mentions, citations, names)
    return BrandReport(brand.name, since, until, METRICS_VERSION, ANALYSIS_VERSION, per_engine, overall)


def timeline(db: Database, brand_name: str, *, now: datetime, days: int = 30, bucket_days: int = 1) -> list[dict[str, Any]]:
    """Per engine and per period of `bucket_days` over the last `days`: the metrics, for charts
    with intervals. Each row: period start, engine name, and `Visibility.as_dict()`."""
    with db.read() as session:
        brand = get_brand(session, brand_name)
        names = {c.id: c.name for c in competitors_of(session, brand)}
        engines = {e.id: e.name for e in list_monitor_engines(session)}
        start = now - timedelta(days=days)
        answers = monitor_answers(session, brand_id=brand.id, since=start, until=now)
        mentions, citations = answer_findings(session, [a.id for a in answers])
    buckets: dict[tuple[datetime, int], list[MonitorAnswer]] = defaultdict(list)
    for answer in answers:
        index = int((answer.asked_at - start).total_seconds() // (bucket_days * 86400))
        buckets[(start + timedelta(days=index * bucket_days), answer.engine_id)].append(answer)
    return [{"period": period.isoformat(), "engine": engines.get(engine_id, str(engine_id)),
             **visibility(engines.get(engine_id, str(engine_id)), group, mentions, citations, names).as_dict()}
            for (period, engine_id), group in sorted(buckets.items())]


@dataclass(frozen=True)
class Marked:
    """A stored answer with the spans a page highlights: (start, end, kind, name) for each mention,
    and the cited and retrieved pages."""

    answer_id: int
    engine: str
    prompt: str
    text: str
    retrieval_status: str | None
    mentions: list[tuple[int, int, str, str]]
    cited: list[dict[str, Any]]
    retrieved: list[dict[str, Any]]


def sample_answers(db: Database, brand_name: str, *, engine_id: int | None = None, limit: int = 5,
                   control_brand: str | None = DEFAULT_CONTROL_BRAND) -> list[Marked]:
    """The newest analysed answers of a brand, marked for display (plain text: escape when rendering)."""
    with db.read() as session:
        brand = get_brand(session, brand_name)
        tracked = tracked_for(session, brand, control_brand)
        engines = {e.id: e.name for e in list_monitor_engines(session)}
        answers = [a for a in monitor_answers(session, brand_id=brand.id, engine_id=engine_id)
                   if a.status == "ok" and a.analysis_version][-limit:]
        _, citations = answer_findings(session, [a.id for a in answers])
    detector = tracked.detector
    marked = []
    for answer in reversed(answers):
        try:
            text = parse_stored(answer).text
        except (MonitorError, KeyError):
            text = answer.text
        spans = [(a, b, f.entity.kind, f.entity.name) for f in detector.find(text) for a, b in f.spans]
        rows = citations.get(answer.id, [])
        marked.append(Marked(
            answer.id or 0, engines.get(answer.engine_id, ""), answer.prompt_text, text, answer.retrieval_status,
            sorted(spans), [{"url": c.url, "domain": c.domain, "owner": c.entity} for c in rows if c.kind == "cited"],
            [{"url": c.url, "domain": c.domain, "owner": c.entity} for c in rows if c.kind == "retrieved"],
        ))
    return marked
