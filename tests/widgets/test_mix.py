"""The representative selector's properties, and the mix check on skewed and fair sets."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.opinion.factory import opinion
from widgets import allocate, check_mix, is_critical, select_representative, stratum

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)

ratings = st.one_of(st.none(), st.integers(1, 5).map(float))
moods = st.sampled_from(["negative", "neutral", "positive"])
populations = st.lists(st.tuples(ratings, moods, st.integers(0, 150)), min_size=1, max_size=60).map(
    lambda rows: [opinion(rating, sentiment=mood, day=day, text=f"review number {i} " + "word " * (i % 30))
                  for i, (rating, mood, day) in enumerate(rows)])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(populations, st.integers(0, 70))
def test_selection_matches_the_histogram_within_one_item(population: list, k: int) -> None:
    selection = select_representative(population, k, now=NOW)
    chosen = selection.items
    assert len(chosen) == min(k, len(population))
    assert len({item.mention_id for item in chosen}) == len(chosen)
    assert {item.mention_id for item in chosen} <= {item.mention_id for item in population}
    if not chosen:
        return
    groups = Counter(stratum(item) for item in population)
    picked = Counter(stratum(item) for item in chosen)
    for group, count in groups.items():
        assert abs(picked[group] - len(chosen) * count / len(population)) < 1, group


@settings(max_examples=150, deadline=None, derandomize=True)
@given(populations, st.integers(1, 70))
def test_a_critical_item_is_shown_when_critical_items_are_a_tenth_or_more(population: list, k: int) -> None:
    critical_share = sum(map(is_critical, population)) / len(population)
    chosen = select_representative(population, k, now=NOW).items
    if critical_share >= 0.10 and len(chosen) >= 2:
        assert any(is_critical(item) for item in chosen)


def test_allocation_is_largest_remainder_and_gives_critical_a_seat() -> None:
    assert allocate({"5★": 70, "4★": 20, "1★": 10}, 10) == {"5★": 7, "4★": 2, "1★": 1}
    # 3 seats: quotas 2.4 / 0.3 / 0.3 would give 5★ 2 and 4★ 1 (name order breaks the tie); 1★ is due one.
    assert allocate({"5★": 80, "4★": 10, "1★": 10}, 3, frozenset({"1★"})) == {"5★": 2, "4★": 0, "1★": 1}
    assert allocate({"5★": 80, "4★": 10, "1★": 10}, 3) == {"5★": 3, "4★": 0, "1★": 0}


def test_near_duplicates_are_avoided_while_others_remain() -> None:
    copy = "Fantastic support team, they solved my issue within an hour, highly recommended to everyone"
    population = [opinion(5, text=copy, day=100) for _ in range(5)] + [
        opinion(5, text="The reports are clear and the export to slides saves my Monday", day=10)]
    chosen = select_representative(population, 2, now=NOW).items
    assert sorted(item.text for item in chosen) == sorted([copy, population[-1].text])


def test_uncovered_themes_recent_and_substantive_items_are_preferred() -> None:
    long_text = "The onboarding was careful and thorough, " * 5
    old, recent, short = opinion(5, text=long_text, day=0), opinion(5, text=long_text + " again", day=140), opinion(5, text="ok", day=150)
    assert select_representative([old, recent, short], 1, now=NOW).items == [recent]
    themed = opinion(5, text="Great", day=0)
    picks = select_representative([recent, themed, short], 2, now=NOW, themes={recent.mention_id: {"onboarding"},
                                  themed.mention_id: {"price"}}).items
    assert themed in picks and recent in picks


def test_disclosure_gives_the_honest_aggregate() -> None:
    population = [opinion(5)] * 0 + [opinion(5) for _ in range(6)] + [opinion(2) for _ in range(3)] + [opinion(None, sentiment="neutral")]
    selection = select_representative(population, 3, now=NOW)
    assert selection.disclosure == "Showing 3 of 10 reviews, average 4.0"
    assert selection.as_dict()["quotas"] == {"5★": 2, "2★": 1, "neutral": 0}


def test_mix_check_flags_a_five_star_wall_in_plain_words() -> None:
    population = [opinion(5) for _ in range(60)] + [opinion(4) for _ in range(18)] + [opinion(3) for _ in range(10)] + [opinion(1) for _ in range(12)]
    wall = population[:9]
    check = check_mix(wall, population)
    assert not check.fair
    assert check.score == 60  # 40% of the wall would have to change to match
    assert "Your selection shows 100% 5-star reviews." in check.findings
    assert any("22% of your reviews are 3 stars or fewer" in finding for finding in check.findings)
    assert any("all your reviews average 4.1" in finding for finding in check.findings)


def test_mix_check_passes_the_selectors_own_choice() -> None:
    population = [opinion(5) for _ in range(60)] + [opinion(4) for _ in range(18)] + [opinion(3) for _ in range(10)] + [opinion(1) for _ in range(12)]
    chosen = select_representative(population, 10, now=NOW).items
    check = check_mix(chosen, population)
    assert check.fair and check.score >= 90
    assert check.findings == ["The selection matches what customers said."]
    assert (check_mix([], population).fair, check_mix([], population).score) == (False, 0)
