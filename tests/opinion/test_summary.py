"""Summaries: counts, histograms, Wilson intervals and the periods behind charts over time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sentiment.opinion import load_opinions, summarize, summarize_brand, wilson
from storage import Database, MentionIn, SentimentScore, add_brand, get_or_add_source, ingest
from tests.opinion.factory import opinion


def test_wilson_matches_the_published_interval() -> None:
    # Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662.
    interval = wilson(81, 263)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.2553, 0.3662)


def test_wilson_stays_inside_zero_and_one_at_the_extremes() -> None:
    none, every = wilson(0, 5), wilson(5, 5)
    assert none.low == 0.0 and 0.4 < none.high < 0.5
    assert every.high == 1.0 and 0.5 < every.low < 0.6
    assert wilson(0, 0).as_dict() == {"value": 0.0, "low": 0.0, "high": 1.0}
    with pytest.raises(ValueError):
        wilson(6, 5)


def test_summary_counts_distribution_histogram_and_net_sentiment() -> None:
    group = [opinion(5), opinion(5), opinion(4), opinion(3), opinion(1), opinion(None, sentiment="negative")]
    summary = summarize(group)
    assert summary.volume == 6
    assert summary.sentiment_counts == {"negative": 2, "neutral": 1, "positive": 3}
    assert summary.rating_histogram == {1: 1, 2: 0, 3: 1, 4: 1, 5: 2}
    assert summary.rated == 5
    assert summary.average_rating is not None and summary.average_rating.value == pytest.approx(3.6)
    assert summary.net_sentiment.value == pytest.approx(1 / 6)
    assert summary.sentiment_shares["positive"].low < 0.5 < summary.sentiment_shares["positive"].high
    assert (summary.scored_by_model, summary.scored_from_rating) == (1, 5)


def test_intervals_narrow_as_volume_grows() -> None:
    small = summarize([opinion(5), opinion(1)] * 5)
    large = summarize([opinion(5), opinion(1)] * 500)
    width = lambda interval: interval.high - interval.low  # noqa: E731
    assert width(large.sentiment_shares["negative"]) < width(small.sentiment_shares["negative"]) / 5
    assert large.average_rating and small.average_rating
    assert width(large.average_rating) < width(small.average_rating) / 5


def test_brand_summary_groups_by_source_and_week() -> None:
    group = [opinion(5, day=0, source_id=1), opinion(1, day=1, source_id=2), opinion(4, day=8, source_id=1)]
    brand = summarize_brand(group, period="week")
    assert [summary.volume for summary in brand.by_source] == [2, 1]
    # 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
    assert [(summary.label, summary.volume) for summary in brand.by_period] == [("2025-12-29", 2), ("2026-01-05", 1)]
    assert brand.as_dict()["overall"]["rating_histogram"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}


def test_load_opinions_prefers_the_model_score_and_filters_by_time(db: Database) -> None:
    with db.write() as session:
        brand = add_brand(session, "Acme")
        source_id = get_or_add_source(session, brand, "import", "file").id
    assert source_id is not None
    items = [MentionIn(external_id=f"m{i}", text=f"review {i}", rating=rating,
                       published_at=datetime(2026, 3, day, tzinfo=timezone.utc))
             for i, (rating, day) in enumerate([(5, 1), (2, 2), (None, 3)])]
    ingest(db, source_id, items)
    with db.write() as session:
        first = load_opinions(session, brand)[0]
        session.add(SentimentScore(mention_id=first.mention_id, model_id="m", model_version="1", label="negative",
                                   probabilities={"negative": 0.9, "neutral": 0.05, "positive": 0.05}))
    with db.read() as session:
        opinions = load_opinions(session, brand)
        recent = load_opinions(session, brand, since=datetime(2026, 3, 1, 12, tzinfo=timezone.utc))
    assert [(o.sentiment, o.sentiment_basis) for o in opinions] == [("negative", "model"), ("negative", "rating"), (None, "none")]
    assert [o.rating for o in recent] == [2, None]
