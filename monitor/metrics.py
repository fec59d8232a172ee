"""Visibility metrics per brand × engine × period, each rate with a Wilson 95% interval.

The definitions are versioned (`METRICS_VERSION`) and written out in the README section
"AI visibility monitor". Only answers that arrived and were analysed count; answers whose search
failed inside the answer (tool errors), failed requests and budget skips are counted apart and
left out of every denominator.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from monitor.detect import BRAND, COMPETITOR, CONTROL
from monitor.engines import SEARCHED, TOOL_ERROR
from storage.models import MonitorAnswer, MonitorCitation, MonitorMention

METRICS_VERSION = "1"
Z95 = 1.959964


@dataclass(frozen=True)
class Rate:
    """k of n, as a share with its Wilson 95% interval (None when n is 0)."""

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        if n == 0:
            return cls(k, 0, None, None, None)
        low, high = wilson(k, n)
        return cls(k, n, round(k / n, 4), round(low, 4), round(high, 4))

    def overlaps(self, other: Rate) -> bool:
        if None in (self.low, self.high, other.low, other.high):
            return True
        return not (self.high < other.low or other.high < self.low)  # type: ignore[operator]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Position:
    """Mean 1-based rank among tracked names, over the n answers that rank the brand."""

    mean: float | None
    n: int
    low: float | None = None
    high: float | None = None


def position_of(values: Sequence[int]) -> Position:
    if not values:
        return Position(None, 0)
    mean = statistics.fmean(values)
    half = Z95 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None
    return Position(round(mean, 3), len(values), round(max(1.0, mean - half), 3) if half is not None else None,
                    round(mean + half, 3) if half is not None else None)


@dataclass
class Visibility:
    """Every metric for one brand on one engine (or all engines) over one period."""

    engine: str
    answers: dict[str, int]
    mention_rate: Rate
    prompt_coverage: Rate
    inclusion_probability: float | None
    share_of_voice: Rate
    average_position: Position
    prominence: float | None
    citation_rate: Rate
    citation_share: Rate
    retrieved_rate: Rate
    sentiment: dict[str, Any]
    competitors: list[dict[str, Any]] = field(default_factory=list)
    cited_domains: list[dict[str, Any]] = field(default_factory=list)
    control_detections: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def visibility(engine: str, answers: Sequence[MonitorAnswer], mentions: Mapping[Any, list[MonitorMention]],
               citations: Mapping[Any, list[MonitorCitation]], competitor_names: Mapping[Any, str],
               top_domains: int = 10) -> Visibility:
    """The metrics over `answers` (one engine's, or several), from their stored analysis."""
    counts = Counter(a.status for a in answers)
    counts.update(a.retrieval_status or "" for a in answers if a.status == "ok")
    valid = [a for a in answers if a.status == "ok" and a.retrieval_status != TOOL_ERROR and a.analysis_version]
    counts["analysed"] = len(valid)
    counts.pop("", None)
    found = {a.id: {(m.entity, m.competitor_id): m for m in mentions.get(a.id, [])} for a in valid}
    brand_rows = [found[a.id].get((BRAND, None)) for a in valid]
    with_brand = [row for row in brand_rows if row is not None]

    by_prompt: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for answer, row in zip(valid, brand_rows, strict=True):
        by_prompt[(answer.prompt_id, answer.prompt_text)].append(row is not None)
    covered = sum(any(hits) for hits in by_prompt.values())
    inclusion = statistics.fmean(sum(h) / len(h) for h in by_prompt.values()) if by_prompt else None

    tracked_mentions = sum(1 for a in valid for (entity, _), _m in found[a.id].items() if entity in (BRAND, COMPETITOR))

    answer_citations = [citations.get(a.id, []) for a in valid]
    cited = [[c for c in cs if c.kind == "cited"] for cs in answer_citations]
    with_citations = [cs for cs in cited if cs]
    searched = [cs for a, cs in zip(valid, answer_citations, strict=True) if a.retrieval_status == SEARCHED]

    sentiments = Counter(row.sentiment for row in with_brand if row.sentiment)
    scored = sum(sentiments.values())
    net = round((sentiments["positive"] - sentiments["negative"]) / scored, 4) if scored else None

    competitors: list[dict[str, Any]] = []
    for competitor_id, name in competitor_names.items():
        rows = [found[a.id].get((COMPETITOR, competitor_id)) for a in valid]
        present = [r for r in rows if r is not None]
        competitors.append({
            "name": name, "mention_rate": Rate.of(len(present), len(valid)),
            "share_of_voice": Rate.of(len(present), tracked_mentions),
            "average_position": position_of([r.position for r in present if r.position]),
            "citation_rate": Rate.of(sum(any(c.entity == COMPETITOR and c.competitor_id == competitor_id for c in cs)
                                         for cs in with_citations), len(with_citations)),
        })
    competitors.sort(key=lambda c: -(c["mention_rate"].value or 0))

    domain_answers: Counter[str] = Counter()
    domain_citations: Counter[str] = Counter()
    owners: dict[str, str] = {}
    for cs in cited:
        for citation in cs:
            domain_citations[citation.domain] += 1
            owners[citation.domain] = _owner(citation, competitor_names)
        domain_answers.update({c.domain for c in cs})
    leaderboard = [{"domain": d, "answers": n, "citations": domain_citations[d], "owner": owners[d],
                    "share_of_cited_answers": Rate.of(n, len(with_citations))}
                   for d, n in sorted(domain_answers.items(), key=lambda item: (-item[1], item[0]))[:top_domains]]

    return Visibility(
        engine=engine,
        answers=dict(sorted(counts.items())),
        mention_rate=Rate.of(len(with_brand), len(valid)),
        prompt_coverage=Rate.of(covered, len(by_prompt)),
        inclusion_probability=round(inclusion, 4) if inclusion is not None else None,
        share_of_voice=Rate.of(len(with_brand), tracked_mentions),
        average_position=position_of([r.position for r in with_brand if r.position]),
        prominence=round(statistics.fmean(r.prominence if r else 0.0 for r in brand_rows), 4) if valid else None,
        citation_rate=Rate.of(sum(any(c.entity == BRAND for c in cs) for cs in with_citations), len(with_citations)),
        citation_share=Rate.of(sum(c.entity == BRAND for cs in cited for c in cs), sum(len(cs) for cs in cited)),
        retrieved_rate=Rate.of(sum(any(c.entity == BRAND for c in cs) for cs in searched), len(searched)),
        sentiment={"positive": sentiments["positive"], "neutral": sentiments["neutral"],
                   "negative": sentiments["negative"], "n": scored, "net": net,
                   "positive_share": Rate.of(sentiments["positive"], sentiments["positive"] + sentiments["negative"])},
        competitors=competitors,
        cited_domains=leaderboard,
        control_detections=sum(1 for a in valid for (entity, _) in found[a.id] if entity == CONTROL),
    )


def _owner(citation: MonitorCitation, competitor_names: Mapping[Any, str]) -> str:
    if citation.entity == BRAND:
        return "brand"
    if citation.entity == COMPETITOR and citation.competitor_id in competitor_names:
        return f"competitor: {competitor_names[citation.competitor_id]}"
    return "other"


@dataclass
class BrandReport:
    """A brand's visibility per engine and over all engines, for one period."""

    brand: str
    since: datetime | None
    until: datetime | None
    metrics_version: str
    analysis_version: str
    engines: list[Visibility]
    overall: Visibility

    def as_dict(self) -> dict[str, Any]:
        return {"brand": self.brand, "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "metrics_version": self.metrics_version,
                "analysis_version": self.analysis_version, "engines": [e.as_dict() for e in self.engines],
                "overall": self.overall.as_dict()}
