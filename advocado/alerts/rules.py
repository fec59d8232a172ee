"""Alert rules over the opinion detectors: what fired, for which window, in words people read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage import Database

from monitor import alerts as monitor_alerts
from sentiment.opinion import (
    Opinion, Sensitivity, near_duplicate_bursts, negative_shift, rating_drop, rating_text_mismatches, sensitivity,
)

BURST_DAYS = 3


@dataclass(frozen=True)
class Finding:
    """A rule that fired: the window it fired for (its dedup key), a title, a text and details."""

    window_key: str
    title: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)


Evaluator = Callable[[str, Sequence[Opinion], datetime, Sensitivity], Finding | None]


def _shift_rule(detector: Any, metric_words: str) -> Evaluator:
    def evaluate(brand: str, opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity) -> Finding | None:
        scopes: dict[str, list[Opinion]] = {"brand": list(opinions)}
        names: dict[str, str] = {"brand": "all sources"}
        for opinion in opinions:
            scope = f"source {opinion.source_id}"
            scopes.setdefault(scope, []).append(opinion)
            names[scope] = f"{opinion.source_kind} {opinion.source_name}".strip()
        results = [detector(group, now, tuning, scope) for scope, group in scopes.items()]
        fired = [result for result in results if result.fired]
        if not fired:
            return None
        lines = [f"{names[result.scope]}: {result.reason}" for result in fired]
        return Finding(
            window_key=fired[0].window,
            title=f"{metric_words} for {brand}",
            text="\n".join(lines),
            details={"shifts": [result.as_dict() for result in fired]},
        )
    return evaluate


def _burst_rule(brand: str, opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity) -> Finding | None:
    bursts = near_duplicate_bursts(opinions, now, days=BURST_DAYS)
    if not bursts:
        return None
    largest = bursts[0]
    return Finding(
        # A growing burst keeps its earliest member, so it alerts once, not once per new copy.
        window_key=f"burst:{min(largest.mention_ids)}",
        title=f"Burst of near-identical reviews for {brand}",
        text=(f"{len(largest.mention_ids)} near-identical mentions from {largest.authors} authors between "
              f"{largest.first_at:%Y-%m-%d %H:%M} and {largest.last_at:%Y-%m-%d %H:%M} UTC, e.g. \"{largest.example[:160]}\""),
        details={"bursts": [burst.as_dict() for burst in bursts]},
    )


def _mismatch_rule(brand: str, opinions: Sequence[Opinion], now: datetime, tuning: Sensitivity) -> Finding | None:
    since = now - timedelta(days=tuning.recent_days)
    recent = [o for o in opinions if o.published_at is not None and since <= o.published_at <= now]
    found = rating_text_mismatches(recent)
    if not found:
        return None
    example = found[-1]
    return Finding(
        window_key=f"mismatch:{max(m.mention_id for m in found)}",
        title=f"Ratings that contradict their text for {brand}",
        text=(f"{len(found)} recent mention(s) whose stars and text disagree, e.g. {example.rating:g} stars with "
              f"{example.sentiment} text: \"{example.text[:160]}\""),
        details={"mismatches": [mismatch.as_dict() for mismatch in found]},
    )


RULES: dict[str, Evaluator] = {
    "negative-shift": _shift_rule(negative_shift, "Negative shift"),
    "rating-drop": _shift_rule(rating_drop, "Average rating drop"),
    "review-burst": _burst_rule,
    "rating-text-mismatch": _mismatch_rule,
}

RULE_HELP = {
    "negative-shift": "the share of negative mentions rose beyond chance, for the brand or one of its sources",
    "rating-drop": "the average rating fell beyond chance, for the brand or one of its sources",
    "review-burst": f"5 or more near-identical reviews within {BURST_DAYS} days (a campaign or fake reviews)",
    "rating-text-mismatch": "4-5 stars with clearly negative text, or 1-2 stars with clearly positive text",
}


# Rules over the AI-visibility monitor's stored answers; they read the database themselves.
MONITOR_RULE_HELP = dict(monitor_alerts.RULE_HELP)
RULE_HELP.update(MONITOR_RULE_HELP)


def evaluate_monitor(db: Database, rule: str, brand: str, now: datetime) -> Finding | None:
    """Run one AI-visibility rule (`ai-...`) for a brand as of `now`."""
    found = monitor_alerts.evaluate(db, rule, brand, now)
    return None if found is None else Finding(found.window_key, found.title, found.text, dict(found.details))


def lookback(tuning: Sensitivity) -> timedelta:
    """How far back a rule needs mentions: the recent and baseline windows and the day they end on."""
    return timedelta(days=tuning.recent_days + tuning.baseline_days + 1)


def evaluate(rule: str, brand: str, opinions: Sequence[Opinion], now: datetime, level: str = "medium") -> Finding | None:
    """Run one rule on a brand's mentions as of `now`."""
    try:
        evaluator = RULES[rule]
    except KeyError:
        raise ValueError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}") from None
    return evaluator(brand, opinions, now, sensitivity(level))
