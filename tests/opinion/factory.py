"""Synthetic opinions for analytics tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from sentiment.opinion import Opinion, sentiment_from_rating

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
_ids = count(1)


def opinion(rating: float | None = 5, *, sentiment: str | None = None, day: float = 0, text: str = "Good product overall",
            source_id: int = 1, title: str = "", basis: str | None = None, confidence: float | None = None,
            author: str = "someone") -> Opinion:
    label = sentiment or sentiment_from_rating(rating)
    return Opinion(
        mention_id=next(_ids), source_id=source_id, source_kind="import", source_name=f"source {source_id}",
        published_at=START + timedelta(days=day), rating=rating, sentiment=label,
        sentiment_basis=basis or ("model" if sentiment else "rating" if label else "none"),
        model_sentiment=sentiment, title=title, text=text, author=author, status="approved", model_confidence=confidence,
    )
