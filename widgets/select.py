"""Picking k items whose rating and sentiment mix matches their population, honestly disclosed."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from widgets.mix import CRITICAL_SHARE, MixItem, is_critical, stratum

RECENCY_HALF_LIFE_DAYS = 180.0
SUBSTANTIVE_WORDS = 40
DUPLICATE_SIMILARITY = 0.8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Selection:
    """The chosen items, how many each group was due, and the honest aggregate to show beside them."""

    items: list[Any]
    quotas: dict[str, int]
    population: int
    average_rating: float | None
    rated: int
    disclosure: str

    def as_dict(self) -> dict[str, Any]:
        return {"mention_ids": [item.mention_id for item in self.items], "quotas": self.quotas,
                "population": self.population, "average_rating": self.average_rating, "rated": self.rated,
                "disclosure": self.disclosure}


def allocate(counts: Mapping[str, int], k: int, critical: frozenset[str] = frozenset()) -> dict[str, int]:
    """Seats per group by the largest remainder method (Hamilton): each group gets the floor or the
    ceiling of its exact share of k. When `critical` groups hold 10% or more of the items but got no
    seat, the one with the largest remainder takes a seat from a group that was rounded up.
    """
    total = sum(counts.values())
    k = min(k, total)
    if k <= 0:
        return {group: 0 for group in counts}
    quotas = {group: k * count / total for group, count in counts.items()}
    seats = {group: math.floor(quota) for group, quota in quotas.items()}
    by_remainder = sorted(counts, key=lambda group: (-(quotas[group] - seats[group]), group))
    rounded_up = by_remainder[:k - sum(seats.values())]
    for group in rounded_up:
        seats[group] += 1
    critical_items = sum(counts[group] for group in critical if group in counts)
    if critical_items >= CRITICAL_SHARE * total and not any(seats.get(group, 0) for group in critical):
        receiver = max((group for group in critical if counts.get(group)), key=lambda group: (quotas[group], group))
        donors = [group for group in rounded_up if group not in critical] or [
            group for group in counts if seats[group] and group not in critical]
        if donors:
            donor = min(donors, key=lambda group: (quotas[group] - math.floor(quotas[group]), group))
            seats[donor] -= 1
            seats[receiver] += 1
    return seats


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= DUPLICATE_SIMILARITY


def _merit(item: MixItem, now: datetime, fresh_themes: int) -> float:
    words = len(_WORD.findall(item.full_text))
    substance = min(words, SUBSTANTIVE_WORDS) / SUBSTANTIVE_WORDS
    if item.published_at is None:
        recency = 0.25
    else:
        age_days = max((now - item.published_at).total_seconds() / 86400, 0.0)
        recency = 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    return substance + recency + 0.75 * fresh_themes


def select_representative(
    population: Sequence[MixItem],
    k: int,
    *,
    themes: Mapping[int, set[str]] | None = None,
    now: datetime | None = None,
) -> Selection:
    """Choose up to `k` items of `population` whose star (or, unrated, sentiment) mix matches it.

    Within each group it prefers items that cover themes not yet covered, are recent and
    substantive, and are not near-copies of an item already chosen. `themes` maps mention ids to
    their theme names. The disclosure line states how many were chosen from how many, and the
    average over every rated item, whatever was picked.
    """
    now = now or datetime.now(timezone.utc)
    themes = themes or {}
    groups: dict[str, list[MixItem]] = defaultdict(list)
    for item in population:
        groups[stratum(item)].append(item)
    critical = frozenset(name for name, members in groups.items() if members and is_critical(members[0]))
    seats = allocate({name: len(members) for name, members in groups.items()}, k, critical)
    words = {id(item): _words(item.full_text) for item in population}
    chosen: list[MixItem] = []
    chosen_words: list[set[str]] = []
    covered: set[str] = set()
    for name in sorted(groups, key=lambda group: (critical.__contains__(group) is False, group)):
        candidates = list(groups[name])
        for _ in range(seats[name]):
            def rank(item: MixItem) -> tuple[bool, float, int]:
                duplicate = any(_similar(words[id(item)], other) for other in chosen_words)
                fresh = len(themes.get(item.mention_id, set()) - covered)
                return (not duplicate, _merit(item, now, fresh), -item.mention_id)
            best = max(candidates, key=rank)
            candidates.remove(best)
            chosen.append(best)
            chosen_words.append(words[id(best)])
            covered |= themes.get(best.mention_id, set())
    chosen.sort(key=lambda item: (item.published_at or datetime.min.replace(tzinfo=timezone.utc)), reverse=True)
    ratings = [item.rating for item in population if item.rating is not None]
    average = round(sum(ratings) / len(ratings), 1) if ratings else None
    return Selection(items=chosen, quotas=seats, population=len(population), average_rating=average,
                     rated=len(ratings), disclosure=disclosure(len(chosen), len(population), average))


def disclosure(shown: int, total: int, average: float | None) -> str:
    """"Showing 9 of 340 reviews, average 4.3" (without the average when nothing is rated)."""
    line = f"Showing {shown} of {total} review{'s' if total != 1 else ''}"
    return f"{line}, average {average:.1f}" if average is not None else line
