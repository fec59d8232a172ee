"""Alert rules over the monitor's metrics: a significant drop in visibility or citations, a competitor
overtaking the brand, and new negative things said about it.

Each rule compares the last `window_days` with the `window_days` before them, per engine, and returns
`MonitorFinding`s shaped like the alerts package's findings (window key for de-duplication, title,
text, details), so the alerts outbox can deliver them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor.metrics import Rate, Visibility, visibility
from storage import Database, competitors_of, get_brand
from storage.models import MonitorAnswer, MonitorMention
from storage.monitor import answer_findings, list_monitor_engines, monitor_answers

MIN_ANSWERS = 10
ALPHA = 0.05


@dataclass(frozen=True)
class MonitorFinding:
    """A rule that fired: its window key (one alert per key), a title, a text and details."""

    window_key: str
    title: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)


def drop_p_value(before: Rate, after: Rate) -> float:
    """One-sided p-value of a two-proportion z-test that the rate fell from `before` to `after`."""
    if not before.n or not after.n:
        return 1.0
    pooled = (before.k + after.k) / (before.n + after.n)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / before.n + 1 / after.n))
    if spread == 0:
        return 1.0
    z = (after.k / after.n - before.k / before.n) / spread
    return 0.5 * math.erfc(-z / math.sqrt(2))


def significant_drop(before: Rate, after: Rate) -> bool:
    """A fall beyond chance: enough answers on both sides, and either the 95% intervals no longer
    overlap or the proportion test says p < 0.05."""
    if before.n < MIN_ANSWERS or after.n < MIN_ANSWERS or (after.value or 0) >= (before.value or 0):
        return False
    return not before.overlaps(after) or drop_p_value(before, after) < ALPHA


@dataclass
class _Windows:
    brand: str
    day: str
    pairs: dict[str, tuple[Visibility, Visibility]]
    recent: dict[str, list[MonitorAnswer]]
    mentions: dict[int | None, list[MonitorMention]]


def _windows(db: Database, brand_name: str, now: datetime, window_days: int) -> _Windows:
    window = timedelta(days=window_days)
    with db.read() as session:
        brand = get_brand(session, brand_name)
        names = {c.id: c.name for c in competitors_of(session, brand)}
        engines = {e.id: e.name for e in list_monitor_engines(session)}
        answers = monitor_answers(session, brand_id=brand.id, since=now - 2 * window, until=now)
        mentions, citations = answer_findings(session, [a.id for a in answers])
    groups: dict[tuple[str, bool], list[MonitorAnswer]] = defaultdict(list)
    for answer in answers:
        groups[(engines.get(answer.engine_id, str(answer.engine_id)), answer.asked_at >= now - window)].append(answer)
    pairs = {}
    recent = {}
    for engine in sorted({name for name, _ in groups}):
        before, after = groups[(engine, False)], groups[(engine, True)]
        pairs[engine] = (visibility(engine, before, mentions, citations, names),
                         visibility(engine, after, mentions, citations, names))
        recent[engine] = after
    return _Windows(brand.name, now.date().isoformat(), pairs, recent, mentions)


def _rate_text(rate: Rate) -> str:
    return f"{rate.value:.0%} [{rate.low:.0%}-{rate.high:.0%}] of {rate.n}" if rate.value is not None else "no answers"


def _drop_rule(metric: str, words: str) -> Callable[[_Windows], MonitorFinding | None]:
    def rule(w: _Windows) -> MonitorFinding | None:
        fired = {engine: (getattr(b, metric), getattr(a, metric)) for engine, (b, a) in w.pairs.items()
                 if significant_drop(getattr(b, metric), getattr(a, metric))}
        if not fired:
            return None
        lines = [f"{engine}: {_rate_text(before)} -> {_rate_text(after)} (p={drop_p_value(before, after):.3f})"
                 for engine, (before, after) in fired.items()]
        return MonitorFinding(f"{metric}-drop:{w.day}", f"AI {words} dropped for {w.brand}", "\n".join(lines),
                              {"engines": {e: {"before": b.__dict__, "after": a.__dict__} for e, (b, a) in fired.items()}})
    return rule


def _overtake_rule(w: _Windows) -> MonitorFinding | None:
    lines, details = [], []
    for engine, (before, after) in w.pairs.items():
        if after.mention_rate.n < MIN_ANSWERS:
            continue
        previous = {c["name"]: c["mention_rate"].value or 0 for c in before.competitors}
        for competitor in after.competitors:
            now_rate, was = competitor["mention_rate"].value or 0, previous.get(competitor["name"], 0)
            if now_rate > (after.mention_rate.value or 0) and was <= (before.mention_rate.value or 0):
                lines.append(f"{engine}: {competitor['name']} is now mentioned in {now_rate:.0%} of answers, "
                             f"{w.brand} in {after.mention_rate.value or 0:.0%}")
                details.append({"engine": engine, "competitor": competitor["name"]})
    if not lines:
        return None
    return MonitorFinding(f"overtake:{w.day}", f"A competitor overtook {w.brand} in AI answers", "\n".join(lines),
                          {"overtaken": details})


def _negative_rule(w: _Windows) -> MonitorFinding | None:
    negative = [(engine, answer) for engine, answers in w.recent.items() for answer in answers
                if any(m.entity == "brand" and m.sentiment == "negative" for m in w.mentions.get(answer.id, []))]
    if not negative:
        return None
    newest = max(answer.id or 0 for _, answer in negative)
    engine, example = max(negative, key=lambda item: item[1].id or 0)
    return MonitorFinding(f"negative:{newest}", f"AI assistants said something negative about {w.brand}",
                          f"{len(negative)} recent answer(s) speak negatively of {w.brand}, e.g. {engine} on "
                          f"\"{example.prompt_text[:100]}\": \"{example.text[:200]}\"",
                          {"answer_ids": sorted(a.id or 0 for _, a in negative)})


RULES: dict[str, Callable[[_Windows], MonitorFinding | None]] = {
    "ai-visibility-drop": _drop_rule("mention_rate", "visibility (mention rate)"),
    "ai-competitor-overtakes": _overtake_rule,
    "ai-negative-mention": _negative_rule,
    "ai-citations-lost": _drop_rule("citation_rate", "citations of the brand's pages"),
}

RULE_HELP = {
    "ai-visibility-drop": "an engine mentions the brand significantly less often than the week before",
    "ai-competitor-overtakes": "a competitor is now mentioned more often than the brand, and was not before",
    "ai-negative-mention": "a recent answer speaks negatively of the brand",
    "ai-citations-lost": "an engine cites the brand's pages significantly less often than the week before",
}


def evaluate(db: Database, rule: str, brand: str, now: datetime, window_days: int = 7) -> MonitorFinding | None:
    """Run one rule for a brand as of `now`."""
    try:
        check = RULES[rule]
    except KeyError:
        raise ValueError(f"unknown monitor rule {rule!r}; use one of {', '.join(RULES)}") from None
    return check(_windows(db, brand, now, window_days))
