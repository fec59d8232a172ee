"""Summaries: volume, sentiment distribution, ratings and net sentiment, with confidence intervals."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sentiment.opinion.data import SENTIMENTS, Opinion
from sentiment.opinion.stats import Interval, mean_interval, net_sentiment_interval, wilson

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Summary:
    """How opinion is distributed in one group of mentions.

    Shares are of the mentions with a known sentiment; `average_rating` is over rated mentions only.
    Every rate carries a 95% interval (Wilson for shares), so small groups show how little they say.
    """

    label: str
    volume: int
    sentiment_counts: dict[str, int]
    sentiment_shares: dict[str, Interval]
    net_sentiment: Interval
    rated: int
    average_rating: Interval | None
    rating_histogram: dict[int, int]
    scored_by_model: int
    scored_from_rating: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "volume": self.volume,
            "sentiment_counts": dict(self.sentiment_counts),
            "sentiment_shares": {name: share.as_dict() for name, share in self.sentiment_shares.items()},
            "net_sentiment": self.net_sentiment.as_dict(),
            "rated": self.rated,
            "average_rating": self.average_rating.as_dict() if self.average_rating else None,
            "rating_histogram": {str(stars): count for stars, count in self.rating_histogram.items()},
            "sentiment_basis": {"model": self.scored_by_model, "rating": self.scored_from_rating},
        }


@dataclass(frozen=True)
class BrandSummary:
    """A brand's overall summary, one per source, and one per period for charts over time."""

    overall: Summary
    by_source: list[Summary] = field(default_factory=list)
    by_period: list[Summary] = field(default_factory=list)
    period: str = "week"

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "by_source": [summary.as_dict() for summary in self.by_source],
            "period": self.period,
            "by_period": [summary.as_dict() for summary in self.by_period],
        }


def summarize(opinions: Sequence[Opinion], label: str = "all") -> Summary:
    """The summary of one group of mentions."""
    counts = Counter(opinion.sentiment for opinion in opinions if opinion.sentiment)
    known = sum(counts.values())
    ratings = [opinion.rating for opinion in opinions if opinion.rating is not None]
    histogram = Counter(opinion.stars for opinion in opinions if opinion.stars is not None)
    return Summary(
        label=label,
        volume=len(opinions),
        sentiment_counts={name: counts.get(name, 0) for name in SENTIMENTS},
        sentiment_shares={name: wilson(counts.get(name, 0), known) for name in SENTIMENTS},
        net_sentiment=net_sentiment_interval(counts.get("positive", 0), counts.get("negative", 0), known),
        rated=len(ratings),
        average_rating=mean_interval(ratings),
        rating_histogram={stars: histogram.get(stars, 0) for stars in range(1, 6)},
        scored_by_model=sum(1 for opinion in opinions if opinion.sentiment_basis == "model"),
        scored_from_rating=sum(1 for opinion in opinions if opinion.sentiment_basis == "rating"),
    )


def period_start(moment: datetime, period: str) -> datetime:
    """The start of the day, ISO week (Monday) or month that `moment` falls in."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")


def _grouped(opinions: Sequence[Opinion], key: Callable[[Opinion], Any]) -> dict[Any, list[Opinion]]:
    groups: dict[Any, list[Opinion]] = defaultdict(list)
    for opinion in opinions:
        groups[key(opinion)].append(opinion)
    return groups


def summarize_brand(opinions: Sequence[Opinion], period: str = "week") -> BrandSummary:
    """Overall, per-source and per-period summaries; undated mentions count overall and per source only."""
    by_source = _grouped(opinions, lambda opinion: (opinion.source_id, opinion.source_kind, opinion.source_name))
    dated = [opinion for opinion in opinions if opinion.published_at is not None]
    by_period = _grouped(dated, lambda opinion: period_start(opinion.published_at, period))  # type: ignore[arg-type]
    return BrandSummary(
        overall=summarize(opinions),
        by_source=[summarize(group, f"{kind}: {name}" if name else kind)
                   for (_, kind, name), group in sorted(by_source.items(), key=lambda item: item[0][0])],
        by_period=[summarize(group, start.date().isoformat()) for start, group in sorted(by_period.items())],
        period=period,
    )
