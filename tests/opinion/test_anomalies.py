"""Bursts of near-identical reviews, and stars that contradict the text."""

from __future__ import annotations

from datetime import timedelta

from sentiment.opinion import near_duplicate_bursts, rating_text_mismatches
from tests.opinion.factory import START, opinion

NOW = START + timedelta(days=10)
CAMPAIGN = "Best analytics tool I have ever used, the dashboards are amazing and support is lightning fast"


def test_a_burst_of_near_copies_is_found() -> None:
    copies = [opinion(5, text=CAMPAIGN + suffix, day=9 + i / 10, author=f"user{i}")
              for i, suffix in enumerate(["", "!", " really", " 10/10", " wow", " thanks"])]
    others = [opinion(4, text=f"Different honest review number {i} about exports and pricing plans", day=9.5)
              for i in range(3)]
    bursts = near_duplicate_bursts(copies + others, NOW)
    assert len(bursts) == 1
    assert sorted(bursts[0].mention_ids) == sorted(o.mention_id for o in copies)
    assert bursts[0].authors == 6


def test_no_burst_from_few_copies_old_copies_or_short_texts() -> None:
    four = [opinion(5, text=CAMPAIGN, day=9.5) for _ in range(4)]
    old = [opinion(5, text=CAMPAIGN, day=1) for _ in range(10)]
    short = [opinion(5, text="Great product!", day=9.5) for _ in range(10)]
    assert near_duplicate_bursts(four + old + short, NOW) == []


def test_distinct_reviews_are_not_a_burst() -> None:
    texts = ["The export to slides is clunky but works", "Support answered within an hour on Sunday",
             "Pricing jumped at renewal by forty percent", "Onboarding took a week with three sessions",
             "The mobile app crashes when I open reports", "Connectors to our warehouse just worked"]
    assert near_duplicate_bursts([opinion(3, text=text, day=9.5) for text in texts], NOW, min_size=2) == []


def test_rating_text_mismatch_needs_a_confident_model() -> None:
    clear = opinion(5, sentiment="negative", confidence=0.95, text="Terrible, lost all our data")
    unsure = opinion(5, sentiment="negative", confidence=0.55)
    low_but_happy = opinion(1, sentiment="positive", confidence=0.9)
    consistent = opinion(5, sentiment="positive", confidence=0.99)
    from_stars = opinion(5)
    found = rating_text_mismatches([clear, unsure, low_but_happy, consistent, from_stars])
    assert [m.mention_id for m in found] == [clear.mention_id, low_but_happy.mention_id]
    assert found[0].as_dict()["text"] == "Terrible, lost all our data"


def test_a_large_campaign_among_many_honest_reviews_is_one_burst() -> None:
    import random

    rng = random.Random(3)
    vocabulary = [f"word{i}" for i in range(2000)]
    campaign_words = (CAMPAIGN + " and the onboarding team walked us through every single report we needed for the"
                      " quarterly board meeting").split()
    copies = []
    for i in range(200):
        words = list(campaign_words)
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
        copies.append(opinion(5, text=" ".join(words), day=8 + rng.random() * 2, author=f"bot{i}"))
    honest = [opinion(4, text=" ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 40))), day=8 + rng.random() * 2)
              for _ in range(800)]
    mixed = copies + honest
    rng.shuffle(mixed)
    bursts = near_duplicate_bursts(mixed, NOW)
    assert [sorted(burst.mention_ids) for burst in bursts] == [sorted(o.mention_id for o in copies)]
