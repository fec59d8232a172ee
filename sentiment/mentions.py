"""Scoring stored mentions: the unscored ones for the current model, or all of them again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from sentiment.model import SentimentModel
from sentiment.scoring import score_texts
from storage import Brand, Database, Mention, SentimentScore, Source, utcnow

CHUNK = 256


def mention_text(mention: Mention) -> str:
    """What is scored: the title (reviews often put the verdict there) followed by the text."""
    title = (mention.title or "").strip()
    text = mention.text or ""
    if title and not text.strip():
        return title
    return f"{title}. {text}" if title else text


def _pending(model: SentimentModel, brand: Brand | None, rescore: bool) -> Any:
    query: Any = select(Mention)
    if brand is not None:
        query = query.join(Source, col(Source.id) == Mention.source_id).where(Source.brand_id == brand.id)
    if not rescore:
        scored = exists().where(
            SentimentScore.mention_id == Mention.id,
            SentimentScore.model_id == model.model_id,
            SentimentScore.model_version == model.version,
        )
        query = query.where(~scored)
    return query


def count_to_score(session: Session, model: SentimentModel, brand: Brand | None = None, rescore: bool = False) -> int:
    """How many mentions `score_mentions` would score."""
    subquery = _pending(model, brand, rescore).subquery()
    return int(session.exec(select(func.count()).select_from(subquery)).one())


def score_mentions(
    db: Database,
    model: SentimentModel,
    brand: Brand | None = None,
    rescore: bool = False,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = 32,
) -> int:
    """Score every mention without a score from this model id and version (all mentions when
    `rescore`), optionally of one brand; commits every CHUNK mentions and returns how many it scored.

    A score is stored per mention, model id and version; re-scoring replaces that row.
    """
    done = 0
    last_id = 0
    while True:
        with db.read() as session:
            mentions = list(session.exec(
                _pending(model, brand, rescore).where(col(Mention.id) > last_id).order_by(col(Mention.id)).limit(CHUNK)
            ))
        if not mentions:
            return done
        scores = score_texts([mention_text(m) for m in mentions], model, batch_size=batch_size)
        with db.write() as session:
            ids = [m.id for m in mentions]
            existing = {
                row.mention_id: row
                for row in session.exec(
                    select(SentimentScore).where(
                        col(SentimentScore.mention_id).in_(ids),
                        SentimentScore.model_id == model.model_id,
                        SentimentScore.model_version == model.version,
                    )
                )
            }
            for mention, score in zip(mentions, scores):
                row = existing.get(mention.id or 0) or SentimentScore(
                    mention_id=mention.id, model_id=model.model_id, model_version=model.version, label=score.label
                )
                row.label = score.label
                row.probabilities = dict(score.probabilities)
                row.scored_at = utcnow()
                session.add(row)
        done += len(mentions)
        last_id = mentions[-1].id or last_id
        if on_progress is not None:
            on_progress(len(mentions))
