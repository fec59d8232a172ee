"""Turning rows into what the API and pages show, with every secret parameter masked."""

from __future__ import annotations

from typing import Any

from advocado.web.schemas import JobOut, MentionOut, SentimentOut, SourceOut
from collectors import masked_params, registry
from collectors.params import MASK
from storage import ListedMention, Source


def secret_values(source: Source) -> list[str]:
    """The stored values of a source's secret parameters (unknown kinds: every string value)."""
    try:
        names = registry().get(source.kind).Params.secret_fields()
    except KeyError:
        names = set(source.params)
    return [str(value) for name, value in source.params.items() if name in names and value and len(str(value)) >= 4]


def masked_text(text: str | None, source: Source) -> str | None:
    """`text` (an error message, say) with any secret parameter value of `source` masked out."""
    if text is None:
        return None
    for value in secret_values(source):
        text = text.replace(value, MASK)
    return text


def shown_params(source: Source) -> dict[str, Any]:
    return masked_params(source.kind, dict(source.params))


def source_out(source: Source, failure_threshold: int) -> SourceOut:
    return SourceOut(
        id=source.id or 0, brand_id=source.brand_id, kind=source.kind, name=source.name, params=shown_params(source),
        schedule_seconds=source.schedule_seconds, enabled=source.enabled,
        consecutive_failures=source.consecutive_failures, failing=source.consecutive_failures >= failure_threshold,
        last_error=masked_text(source.last_error, source), last_run_at=source.last_run_at, next_run_at=source.next_run_at,
    )


def job_out(source: Source, failure_threshold: int) -> JobOut:
    shown = source_out(source, failure_threshold)
    return JobOut(source_id=shown.id, **shown.model_dump(include={
        "brand_id", "kind", "name", "schedule_seconds", "enabled", "last_run_at", "next_run_at",
        "consecutive_failures", "failing", "last_error"}))


def mention_out(row: ListedMention) -> MentionOut:
    mention = row.mention
    return MentionOut(
        id=mention.id or 0, brand_id=row.brand_id, brand=row.brand, source_id=mention.source_id,
        source_kind=row.source_kind, source_name=row.source_name, kind=mention.kind, external_id=mention.external_id,
        url=mention.url, author_name=mention.author_name, author_handle=mention.author_handle, title=mention.title,
        text=mention.text, rating=mention.rating, language=mention.language, published_at=mention.published_at,
        collected_at=mention.collected_at, status=mention.status, tags=list(mention.tags),
        sentiment=SentimentOut(label=row.sentiment, probabilities=row.probabilities or {}) if row.sentiment else None,
    )
