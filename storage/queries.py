"""Reading mentions back: the rows behind exports and listings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Brand, Mention, SentimentScore, Source


@dataclass(frozen=True)
class MentionRecord:
    """A mention with the names of its brand and source and its latest sentiment score."""

    mention: Mention
    brand: str
    source_kind: str
    sentiment: SentimentScore | None


def iter_mentions(session: Session, brand: Brand, *, chunk: int = 1000) -> Iterator[MentionRecord]:
    """Every mention of `brand` in id order, streamed in chunks, each with its newest score."""
    last_id = 0
    while True:
        rows = session.exec(
            select(Mention, Source.kind)
            .join(Source, col(Source.id) == Mention.source_id)
            .where(Source.brand_id == brand.id, col(Mention.id) > last_id)
            .order_by(col(Mention.id))
            .limit(chunk)
        ).all()
        if not rows:
            return
        scores = latest_scores(session, [mention.id for mention, _ in rows if mention.id is not None])
        for mention, kind in rows:
            yield MentionRecord(mention, brand.name, kind, scores.get(mention.id or 0))
        last_id = rows[-1][0].id or last_id


def latest_scores(session: Session, mention_ids: list[int]) -> dict[int, SentimentScore]:
    """Each mention's newest sentiment score (of any model), by mention id."""
    latest: dict[int, SentimentScore] = {}
    if not mention_ids:
        return latest
    for score in session.exec(
        select(SentimentScore).where(col(SentimentScore.mention_id).in_(mention_ids))
        .order_by(col(SentimentScore.scored_at), col(SentimentScore.id))
    ):
        latest[score.mention_id] = score
    return latest


def count_mentions(session: Session, brand: Brand | None = None) -> int:
    query: Any = select(func.count()).select_from(Mention)
    if brand is not None:
        query = query.join(Source, col(Source.id) == Mention.source_id).where(Source.brand_id == brand.id)
    return int(session.exec(query).one())
