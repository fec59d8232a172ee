"""Reading what analytics works on: a brand's mentions with their sentiment, as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import Brand, Mention, SentimentScore, Source

SENTIMENTS = ("negative", "neutral", "positive")


def sentiment_from_rating(rating: float | None) -> str | None:
    """1-2 stars negative, 3 neutral, 4-5 positive; None without a rating."""
    if rating is None:
        return None
    if rating < 2.5:
        return "negative"
    return "neutral" if rating < 3.5 else "positive"


@dataclass(frozen=True)
class Opinion:
    """One mention as analytics sees it: when, where, how many stars, what sentiment, what words.

    `sentiment` is the latest model score; `sentiment_basis` says whether it came from the
    model (`model`), from the star rating because no score exists yet (`rating`), or is unknown (`none`).
    """

    mention_id: int
    source_id: int
    source_kind: str
    source_name: str
    published_at: datetime | None
    rating: float | None
    sentiment: str | None
    sentiment_basis: str
    model_sentiment: str | None
    title: str
    text: str
    author: str | None
    status: str
    url: str | None = None
    model_confidence: float | None = None
    """The model's probability for its own label, when a model scored the mention."""

    @property
    def full_text(self) -> str:
        title = self.title.strip()
        return f"{title}. {self.text}" if title and self.text.strip() else (title or self.text)

    @property
    def stars(self) -> int | None:
        """The rating rounded to whole stars (half stars round up), or None."""
        return None if self.rating is None else max(1, min(5, int(self.rating + 0.5)))


def load_opinions(
    session: Session,
    brand: Brand,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    source_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[Opinion]:
    """The brand's mentions published in [since, until) (undated ones only when no bound is given),
    oldest first, each with its latest sentiment score."""
    query = (
        select(Mention, Source.kind, Source.name)
        .join(Source, col(Source.id) == Mention.source_id)
        .where(Source.brand_id == brand.id)
    )
    if since is not None:
        query = query.where(col(Mention.published_at) >= since)
    if until is not None:
        query = query.where(col(Mention.published_at) < until)
    if source_id is not None:
        query = query.where(Mention.source_id == source_id)
    if statuses is not None:
        query = query.where(col(Mention.status).in_(statuses))
    rows = session.exec(query.order_by(col(Mention.published_at), col(Mention.id))).all()
    labels = _latest_labels(session, [mention.id for mention, _, _ in rows if mention.id is not None])
    opinions = []
    for mention, kind, name in rows:
        model_label, confidence = labels.get(mention.id or 0, (None, None))
        fallback = sentiment_from_rating(mention.rating)
        basis = "model" if model_label else ("rating" if fallback else "none")
        opinions.append(Opinion(
            mention_id=mention.id or 0, source_id=mention.source_id, source_kind=kind, source_name=name,
            published_at=mention.published_at, rating=mention.rating, sentiment=model_label or fallback,
            sentiment_basis=basis, model_sentiment=model_label, title=mention.title or "", text=mention.text,
            author=mention.author_name, status=mention.status, url=mention.url, model_confidence=confidence,
        ))
    return opinions


def _latest_labels(session: Session, mention_ids: list[int]) -> dict[int, tuple[str, float | None]]:
    labels: dict[int, tuple[str, float | None]] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start:start + 500]
        query = (select(SentimentScore.mention_id, SentimentScore.label, SentimentScore.probabilities)
                 .where(col(SentimentScore.mention_id).in_(chunk))
                 .order_by(col(SentimentScore.scored_at), col(SentimentScore.id)))
        for mention_id, label, probabilities in session.exec(query):
            confidence = (probabilities or {}).get(label)
            labels[mention_id] = (label, float(confidence) if confidence is not None else None)
    return labels
