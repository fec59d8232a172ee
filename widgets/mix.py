"""A representative mix: check a displayed set against its population, and pick one that matches.

Showing only 5-star reviews misleads shoppers and, under the FTC's 2024 rule on consumer reviews
(16 CFR 465.7, review suppression), can be unlawful; see the widgets notes. Both functions judge
every item by the same criteria whatever its star level.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

SENTIMENTS = ("negative", "neutral", "positive")
CRITICAL_MAX_STARS = 3
CRITICAL_SHARE = 0.10
FAIR_SCORE = 80


class MixItem(Protocol):
    """What the mix needs of an item: `sentiment_from_rating`-style fields any mention record has."""

    @property
    def mention_id(self) -> int: ...
    @property
    def stars(self) -> int | None: ...
    @property
    def sentiment(self) -> str | None: ...
    @property
    def rating(self) -> float | None: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def full_text(self) -> str: ...


def stratum(item: MixItem) -> str:
    """The group an item is matched in: its whole stars ("4★"), or its sentiment when it has no rating."""
    if item.stars is not None:
        return f"{item.stars}★"
    return item.sentiment or "unknown"


def is_critical(item: MixItem) -> bool:
    """3 stars or fewer, or negative when there is no rating."""
    if item.stars is not None:
        return item.stars <= CRITICAL_MAX_STARS
    return item.sentiment == "negative"


def _shares(labels: Iterable[str | None]) -> dict[str, float]:
    counts = Counter(label for label in labels if label is not None)
    total = sum(counts.values())
    return {label: count / total for label, count in counts.items()} if total else {}


def _distance(shown: Mapping[str, float], population: Mapping[str, float]) -> float:
    """Total variation distance: the share of the shown set that would have to change to match."""
    return sum(abs(shown.get(key, 0.0) - population.get(key, 0.0)) for key in set(shown) | set(population)) / 2


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


@dataclass(frozen=True)
class MixCheck:
    """How far a displayed set is from the population it came from, with a 0-100 score and plain findings."""

    shown: int
    population: int
    score: int
    fair: bool
    star_shares: dict[str, dict[str, float]]
    sentiment_shares: dict[str, dict[str, float]]
    findings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"shown": self.shown, "population": self.population, "score": self.score, "fair": self.fair,
                "star_shares": self.star_shares, "sentiment_shares": self.sentiment_shares, "findings": self.findings}


def check_mix(shown: Sequence[MixItem], population: Sequence[MixItem]) -> MixCheck:
    """Compare `shown` with `population` by star rating and by sentiment.

    The score is 100 minus the larger total variation distance of the two mixes, in points; a set
    scoring 80 or more, and showing a critical item when 10% or more of the population is critical, is fair.
    """
    stars_all = _shares(str(item.stars) for item in population if item.stars is not None)
    stars_shown = _shares(str(item.stars) for item in shown if item.stars is not None)
    mood_shown = _shares(item.sentiment for item in shown)
    mood_all = _shares(item.sentiment for item in population)
    distance = max(_distance(stars_shown, stars_all) if stars_shown and stars_all else 0.0,
                   _distance(mood_shown, mood_all) if mood_shown and mood_all else 0.0)
    score = round(100 * (1 - distance)) if shown else 0
    findings = _findings(shown, population, stars_shown, mood_shown, mood_all)
    critical_due = _critical_share(population) >= CRITICAL_SHARE
    missing_critical = critical_due and bool(shown) and not any(is_critical(item) for item in shown)
    return MixCheck(
        shown=len(shown), population=len(population), score=score,
        fair=bool(shown) and score >= FAIR_SCORE and not missing_critical,
        star_shares={"shown": stars_shown, "population": stars_all},
        sentiment_shares={"shown": mood_shown, "population": mood_all},
        findings=findings,
    )


def _critical_share(items: Sequence[MixItem]) -> float:
    return sum(1 for item in items if is_critical(item)) / len(items) if items else 0.0


def _findings(shown: Sequence[MixItem], population: Sequence[MixItem], stars_shown: Mapping[str, float],
              mood_shown: Mapping[str, float], mood_all: Mapping[str, float]) -> list[str]:
    if not shown:
        return ["Nothing is shown."]
    findings = []
    if len(stars_shown) == 1:
        only = next(iter(stars_shown))
        findings.append(f"Your selection shows 100% {only}-star reviews.")
    critical_all = _critical_share(population)
    critical_shown = _critical_share(shown)
    if critical_all >= CRITICAL_SHARE and critical_shown < critical_all / 2:
        findings.append(f"It shows {_percent(critical_shown)} critical reviews; {_percent(critical_all)} of your "
                        "reviews are 3 stars or fewer (or negative, when unrated).")
    for label in SENTIMENTS:
        gap = mood_shown.get(label, 0.0) - mood_all.get(label, 0.0)
        if abs(gap) >= 0.15:
            findings.append(f"{_percent(mood_shown.get(label, 0.0))} of it is {label}, against "
                            f"{_percent(mood_all.get(label, 0.0))} of everything customers said.")
    shown_average, all_average = _average(shown), _average(population)
    if shown_average is not None and all_average is not None and abs(shown_average - all_average) >= 0.3:
        findings.append(f"Its average is {shown_average:.1f} stars; all your reviews average {all_average:.1f}.")
    return findings or ["The selection matches what customers said."]


def _average(items: Sequence[MixItem]) -> float | None:
    ratings = [item.rating for item in items if item.rating is not None]
    return sum(ratings) / len(ratings) if ratings else None
