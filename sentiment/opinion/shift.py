"""Shift detection: has the negative share risen, or the average rating fallen, for real?

A recent window is compared with the baseline window just before it. A shift needs enough items
in both windows, enough negative items, a change large enough to matter, and a test statistic
past the sensitivity's threshold (a pooled two-proportion z test for the negative share, a
Welch-style z for the mean rating). Three angry posts on a quiet Sunday pass none of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sentiment.opinion.data import Opinion
from sentiment.opinion.stats import normal_tail, two_proportion_z, welch_z


@dataclass(frozen=True)
class Sensitivity:
    """How eager the detectors are. `z` is the one-sided threshold; counts are per window."""

    recent_days: int = 4
    baseline_days: int = 28
    min_recent: int = 20
    min_baseline: int = 30
    min_negative: int = 5
    z: float = 3.5
    min_share_increase: float = 0.10
    min_rating_drop: float = 0.3


SENSITIVITIES = {
    "low": Sensitivity(recent_days=7, min_recent=30, min_baseline=50, min_negative=8, z=4.0, min_share_increase=0.15,
                       min_rating_drop=0.5),
    "medium": Sensitivity(),
    "high": Sensitivity(recent_days=3, min_recent=12, min_baseline=20, min_negative=4, z=3.0, min_share_increase=0.07,
                        min_rating_drop=0.2),
}


def sensitivity(name: str) -> Sensitivity:
    """The named preset: low, medium or high."""
    try:
        return SENSITIVITIES[name]
    except KeyError:
        raise ValueError(f"unknown sensitivity {name!r}; use one of {', '.join(SENSITIVITIES)}") from None


@dataclass(frozen=True)
class Shift:
    """One comparison of a recent window with its baseline, and whether it counts as a shift."""

    metric: str
    scope: str
    fired: bool
    reason: str
    window_start: datetime
    window_end: datetime
    baseline_value: float | None
    recent_value: float | None
    baseline_count: int
    recent_count: int
    z: float
    p_value: float

    @property
    def window(self) -> str:
        """The recent window as `YYYY-MM-DD..YYYY-MM-DD`, the key that stops one shift alerting twice."""
        return f"{self.window_start.date().isoformat()}..{self.window_end.date().isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window_start"] = self.window_start.isoformat()
        data["window_end"] = self.window_end.isoformat()
        data["window"] = self.window
        for key in ("baseline_value", "recent_value", "z", "p_value"):
            if data[key] is not None:
                data[key] = round(data[key], 4)
        return data


def _windows(opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity) -> tuple[list[Opinion], list[Opinion], datetime, datetime]:
    # Windows end at the start of the next day, so every check on one day compares the same windows.
    end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=tuning.recent_days)
    base_start = start - timedelta(days=tuning.baseline_days)
    recent = [o for o in opinions if o.published_at is not None and start <= o.published_at < end]
    baseline = [o for o in opinions if o.published_at is not None and base_start <= o.published_at < start]
    return baseline, recent, start, end


def negative_shift(opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity = Sensitivity(),
                   scope: str = "brand") -> Shift:
    """Has the share of negative mentions risen in the recent window, beyond chance and by enough to matter?"""
    baseline, recent, start, end = _windows(opinions, now, tuning)
    base_known = [o for o in baseline if o.sentiment]
    recent_known = [o for o in recent if o.sentiment]
    base_negative = sum(1 for o in base_known if o.sentiment == "negative")
    recent_negative = sum(1 for o in recent_known if o.sentiment == "negative")
    base_share = base_negative / len(base_known) if base_known else None
    recent_share = recent_negative / len(recent_known) if recent_known else None
    z = two_proportion_z(base_negative, len(base_known), recent_negative, len(recent_known))
    if len(recent_known) < tuning.min_recent or len(base_known) < tuning.min_baseline:
        reason = (f"too few mentions to judge ({len(recent_known)} recent, need {tuning.min_recent}; "
                  f"{len(base_known)} baseline, need {tuning.min_baseline})")
        fired = False
    elif recent_negative < tuning.min_negative:
        reason, fired = f"only {recent_negative} negative mentions recently (need {tuning.min_negative})", False
    elif (recent_share or 0) - (base_share or 0) < tuning.min_share_increase:
        reason, fired = "the negative share did not rise enough to matter", False
    elif z < tuning.z:
        reason, fired = f"the rise is within chance (z = {z:.2f} < {tuning.z})", False
    else:
        reason = (f"negative share rose from {base_share:.0%} to {recent_share:.0%} "
                  f"({recent_negative} of {len(recent_known)} in the last {tuning.recent_days} days)")
        fired = True
    return Shift("negative_share", scope, fired, reason, start, end, base_share, recent_share,
                 len(base_known), len(recent_known), z, normal_tail(z))


def rating_drop(opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity = Sensitivity(),
                scope: str = "brand") -> Shift:
    """Has the average rating fallen in the recent window, beyond chance and by enough to matter?"""
    baseline, recent, start, end = _windows(opinions, now, tuning)
    base = [o.rating for o in baseline if o.rating is not None]
    new = [o.rating for o in recent if o.rating is not None]
    base_mean = sum(base) / len(base) if base else None
    new_mean = sum(new) / len(new) if new else None
    z = -welch_z(base, new)
    if len(new) < tuning.min_recent or len(base) < tuning.min_baseline:
        reason = (f"too few ratings to judge ({len(new)} recent, need {tuning.min_recent}; "
                  f"{len(base)} baseline, need {tuning.min_baseline})")
        fired = False
    elif (base_mean or 0) - (new_mean or 0) < tuning.min_rating_drop:
        reason, fired = "the average rating did not fall enough to matter", False
    elif z < tuning.z:
        reason, fired = f"the fall is within chance (z = {z:.2f} < {tuning.z})", False
    else:
        reason = (f"average rating fell from {base_mean:.2f} to {new_mean:.2f} "
                  f"({len(new)} ratings in the last {tuning.recent_days} days)")
        fired = True
    return Shift("average_rating", scope, fired, reason, start, end, base_mean, new_mean, len(base), len(new),
                 z, normal_tail(z))


def shifts_by_scope(opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity = Sensitivity()) -> list[Shift]:
    """Both detectors for the whole brand and for each of its sources."""
    scopes: dict[str, list[Opinion]] = {"brand": list(opinions)}
    for opinion in opinions:
        scopes.setdefault(f"source {opinion.source_id}", []).append(opinion)
    return [detector(group, now, tuning, scope) for scope, group in scopes.items()
            for detector in (negative_shift, rating_drop)]
