"""Listing mentions for people: filtered, searched, paginated, and a brand's overview figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, or_
from sqlmodel import Session, col, select

from storage.models import Brand, Mention, SentimentScore, Source
from storage.types import utcnow

SENTIMENT_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class MentionFilter:
    """What a mentions list shows; every field left at None means "any"."""

    brand_id: int | None = None
    source_id: int | None = None
    kind: str | None = None
    sentiment: str | None = None
    """negative, neutral, positive, or `unscored`."""
    min_rating: float | None = None
    max_rating: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    tag: str | None = None
    search: str | None = None
    """Words that must all appear in the title, text or author name (any letter case)."""


@dataclass(frozen=True)
class ListedMention:
    """One row of a mentions list: the mention, where it came from, and its latest sentiment."""

    mention: Mention
    brand_id: int
    brand: str
    source_kind: str
    source_name: str
    sentiment: str | None
    probabilities: dict[str, float] | None


@dataclass(frozen=True)
class MentionPage:
    items: list[ListedMention]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Overview:
    """A brand's figures over the last `days` days."""

    days: int
    since: datetime
    total: int = 0
    average_rating: float | None = None
    rated: int = 0
    volume: list[tuple[str, int]] = field(default_factory=list)
    sentiment: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    sentiment_totals: dict[str, int] = field(default_factory=dict)
    by_source: list[tuple[str, int, float | None]] = field(default_factory=list)
    latest_negative: list[ListedMention] = field(default_factory=list)


def _latest_score_id() -> Any:
    return (select(func.max(SentimentScore.id)).where(SentimentScore.mention_id == Mention.id)
            .correlate(Mention).scalar_subquery())


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(where: MentionFilter) -> list[Any]:
    found: list[Any] = []
    if where.brand_id is not None:
        found.append(Source.brand_id == where.brand_id)
    if where.source_id is not None:
        found.append(Mention.source_id == where.source_id)
    if where.kind:
        found.append(Mention.kind == where.kind)
    if where.status:
        found.append(Mention.status == where.status)
    if where.min_rating is not None:
        found.append(col(Mention.rating) >= where.min_rating)
    if where.max_rating is not None:
        found.append(col(Mention.rating) <= where.max_rating)
    if where.since is not None:
        found.append(col(Mention.published_at) >= where.since)
    if where.until is not None:
        found.append(col(Mention.published_at) < where.until)
    if where.tag:
        # Tags are a JSON list; matching its quoted form works the same on SQLite and PostgreSQL.
        found.append(cast(Mention.tags, Text).like(f'%"{_escape_like(where.tag)}"%', escape="\\"))
    for word in (where.search or "").split()[:10]:
        pattern = f"%{_escape_like(word)}%"
        found.append(or_(col(Mention.text).ilike(pattern, escape="\\"), col(Mention.title).ilike(pattern, escape="\\"),
                         col(Mention.author_name).ilike(pattern, escape="\\")))
    if where.sentiment == "unscored":
        found.append(~select(SentimentScore.id).where(SentimentScore.mention_id == Mention.id).exists())
    elif where.sentiment:
        found.append(select(SentimentScore.id).where(
            SentimentScore.id == _latest_score_id(), SentimentScore.label == where.sentiment).exists())
    return found


def _listed(session: Session, rows: list[Any]) -> list[ListedMention]:
    ids = [mention.id for mention, *_ in rows]
    scores: dict[int, SentimentScore] = {}
    if ids:
        for score in session.exec(select(SentimentScore).where(col(SentimentScore.mention_id).in_(ids))
                                  .order_by(col(SentimentScore.id))):
            scores[score.mention_id] = score
    listed = []
    for mention, brand_id, brand, kind, name in rows:
        score = scores.get(mention.id)
        listed.append(ListedMention(mention, brand_id, brand, kind, name, score.label if score else None,
                                    dict(score.probabilities) if score else None))
    return listed


def _base() -> Any:
    return (select(Mention, Brand.id, Brand.name, Source.kind, Source.name)
            .join(Source, col(Source.id) == Mention.source_id).join(Brand, col(Brand.id) == Source.brand_id))


def list_mentions(session: Session, where: MentionFilter, *, page: int = 1, per_page: int = 50) -> MentionPage:
    """One page of the mentions matching `where`, newest first, with the total count."""
    conditions = _conditions(where)
    total_query: Any = select(func.count()).select_from(Mention).join(Source, col(Source.id) == Mention.source_id)
    total = int(session.exec(total_query.where(*conditions)).one())
    rows = session.exec(
        _base().where(*conditions)
        .order_by(col(Mention.published_at).desc().nulls_last(), col(Mention.id).desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return MentionPage(_listed(session, list(rows)), total, page, per_page)


def get_listed_mention(session: Session, mention_id: int) -> ListedMention | None:
    rows = session.exec(_base().where(Mention.id == mention_id)).all()
    listed = _listed(session, list(rows))
    return listed[0] if listed else None


def _day(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 10)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def overview(session: Session, brand: Brand, *, days: int = 90, now: datetime | None = None) -> Overview:
    """Volume and sentiment per day, average rating, split by source and the latest negative mentions."""
    since = (now or utcnow()) - timedelta(days=days)
    result = Overview(days=days, since=since)
    in_window = and_(Source.brand_id == brand.id, col(Mention.published_at) >= since)
    day = _day(session, Mention.published_at)
    label = (select(SentimentScore.label).where(SentimentScore.id == _latest_score_id()).scalar_subquery())
    per_day: dict[str, dict[str, int]] = {}
    volume: dict[str, int] = {}
    query = (select(day, label, func.count(), func.sum(Mention.rating), func.count(Mention.rating))
             .select_from(Mention).join(Source, col(Source.id) == Mention.source_id)
             .where(in_window).group_by(day, label))
    rating_sum = 0.0
    for bucket, sentiment, count, ratings, rated in session.exec(query):
        volume[bucket] = volume.get(bucket, 0) + count
        if sentiment:
            per_day.setdefault(bucket, dict.fromkeys(SENTIMENT_LABELS, 0))[sentiment] = count
            result.sentiment_totals[sentiment] = result.sentiment_totals.get(sentiment, 0) + count
        rating_sum += float(ratings or 0)
        result.rated += int(rated or 0)
        result.total += count
    result.average_rating = round(rating_sum / result.rated, 2) if result.rated else None
    result.volume = sorted(volume.items())
    result.sentiment = sorted(per_day.items())
    source_label = case((Source.name == "", Source.kind), else_=Source.kind + ": " + Source.name)
    result.by_source = [(name, int(count), round(float(avg), 2) if avg is not None else None) for name, count, avg in session.exec(
        select(source_label, func.count(), func.avg(Mention.rating)).select_from(Mention)
        .join(Source, col(Source.id) == Mention.source_id).where(in_window)
        .group_by(source_label).order_by(func.count().desc()))]
    result.latest_negative = list_mentions(
        session, MentionFilter(brand_id=brand.id, sentiment="negative"), per_page=5).items
    return result
