"""Erasure on request: delete the mention and everything derived from it, keep a tombstone."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from storage.brands import get_brand
from storage.errors import NotFound
from storage.models import Mention, SentimentScore, Source, Tombstone


def _erase(session: Session, mentions: list[Mention], reason: str) -> int:
    ids = [mention.id for mention in mentions]
    kept = set(session.exec(
        select(Tombstone.source_id, Tombstone.external_id).where(
            col(Tombstone.external_id).in_([mention.external_id for mention in mentions]))
    ).all())
    for mention in mentions:
        if (mention.source_id, mention.external_id) not in kept:
            kept.add((mention.source_id, mention.external_id))
            session.add(Tombstone(source_id=mention.source_id, external_id=mention.external_id,
                                  content_hash=mention.content_hash, reason=reason))
    session.exec(delete(SentimentScore).where(col(SentimentScore.mention_id).in_(ids)))  # type: ignore[call-overload]
    session.exec(delete(Mention).where(col(Mention.id).in_(ids)))  # type: ignore[call-overload]
    return len(ids)


def erase_mention(session: Session, mention_id: int, *, reason: str = "erasure request") -> int:
    """Erase one mention by id; returns how many were erased (1)."""
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise NotFound(f"no mention with id {mention_id}")
    return _erase(session, [mention], reason)


def erase_author(session: Session, brand_name: str, author: str, *, reason: str = "erasure request") -> int:
    """Erase every mention of a brand written by `author` (matched on name or handle, any case)."""
    brand = get_brand(session, brand_name)
    wanted = author.strip().lower()
    mentions = list(
        session.exec(
            select(Mention)
            .join(Source, col(Source.id) == Mention.source_id)
            .where(Source.brand_id == brand.id)
            .where((func.lower(Mention.author_name) == wanted) | (func.lower(Mention.author_handle) == wanted))
        )
    )
    if not mentions:
        raise NotFound(f"no mentions of {brand.name!r} by {author!r}")
    return _erase(session, mentions, reason)
