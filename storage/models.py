"""The tables: brands and their competitors, sources, mentions, sentiment scores, tombstones."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class MentionKind(StrEnum):
    """What a mention is, in the user's words."""

    review = "review"
    post = "post"
    comment = "comment"
    testimonial = "testimonial"
    survey_answer = "survey_answer"


class DisplayStatus(StrEnum):
    """Whether a mention may be shown publicly; everything starts pending moderation."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    hidden = "hidden"


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _fk(target: str, *, nullable: bool = False) -> Any:
    return Field(sa_column=Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True))


def _utc(*, nullable: bool = True, index: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime, nullable=True, index=index))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=index))


class Brand(SQLModel, table=True):
    """A brand the team watches, with the other names and web domains it goes by."""

    __tablename__ = "brands"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    aliases: list[str] = _json_list()
    domains: list[str] = _json_list()
    created_at: datetime = _utc(nullable=False)


class Competitor(SQLModel, table=True):
    """A competitor of one brand, with its own aliases and domains."""

    __tablename__ = "competitors"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = _fk("brands.id")
    name: str
    aliases: list[str] = _json_list()
    domains: list[str] = _json_list()


class Source(SQLModel, table=True):
    """Somewhere mentions come from: a collector with its parameters, or a file import."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = _fk("brands.id")
    kind: str = Field(index=True)
    name: str = ""
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule_seconds: int | None = None
    enabled: bool = True
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    consecutive_failures: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_run_at: datetime | None = _utc()
    next_run_at: datetime | None = _utc()
    created_at: datetime = _utc(nullable=False)


class Mention(SQLModel, table=True):
    """One review, social post, comment, testimonial or survey answer."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'hidden')", name="known_status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = _fk("sources.id")
    kind: str = MentionKind.review.value
    external_id: str
    url: str | None = None
    author_name: str | None = Field(default=None, index=True)
    author_handle: str | None = None
    title: str | None = None
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    original: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rating: float | None = None
    language: str | None = None
    published_at: datetime | None = _utc(index=True)
    collected_at: datetime = _utc(nullable=False)
    updated_at: datetime | None = _utc()
    content_hash: str
    status: str = DisplayStatus.pending.value
    tags: list[str] = _json_list()
    consent_ref: str | None = None


class SentimentScore(SQLModel, table=True):
    """A sentiment label with class probabilities given to a mention by one model version."""

    __tablename__ = "sentiment_scores"
    __table_args__ = (UniqueConstraint("mention_id", "model_id", "model_version"),)

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = _fk("mentions.id")
    model_id: str
    model_version: str
    label: str
    probabilities: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scored_at: datetime = _utc(nullable=False)


class Tombstone(SQLModel, table=True):
    """What is left of an erased mention: enough to never ingest it again, no personal data."""

    __tablename__ = "tombstones"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_tombstones_content_hash", "content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int
    external_id: str
    content_hash: str
    reason: str = "erasure request"
    erased_at: datetime = _utc(nullable=False)


class ApiToken(SQLModel, table=True):
    """An admin API token: only its SHA-256 hash and a short prefix to recognise it are stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    prefix: str = Field(index=True)
    token_hash: str
    created_at: datetime = _utc(nullable=False)
    expires_at: datetime | None = _utc()
    last_used_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()


class AlertChannel(SQLModel, table=True):
    """Where alerts go: a webhook, a Slack incoming webhook or an email address, with its parameters.

    `params` holds secrets too (webhook signing key, the Slack URL, SMTP password); the channel kind
    names its secret fields, and listings and logs mask them.
    """

    __tablename__ = "alert_channels"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    name: str = ""
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    created_at: datetime = _utc(nullable=False)


class AlertRule(SQLModel, table=True):
    """One detector watched for one brand, the channels it alerts, and its cooldown."""

    __tablename__ = "alert_rules"

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = _fk("brands.id")
    rule: str
    sensitivity: str = "medium"
    channel_ids: list[int] = _json_list()
    cooldown_hours: float = 24.0
    enabled: bool = True
    last_checked_at: datetime | None = _utc()
    created_at: datetime = _utc(nullable=False)


class AlertEvent(SQLModel, table=True):
    """A rule that fired, once per rule and window: a replayed check finds it there and adds nothing."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("rule_id", "window_key"),)

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = _fk("alert_rules.id")
    window_key: str
    title: str
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc(nullable=False, index=True)


class AlertDelivery(SQLModel, table=True):
    """The outbox: one row per event and channel, with every attempt's outcome.

    Status runs pending → sending → sent, or back to pending with a later `next_attempt_at` after a
    transient failure, or to failed; a row left in `sending` by a crash becomes `unconfirmed` and is
    never sent again, so a crash between sending and recording cannot double-send.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("rule_id", "channel_id", "window_key"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'unconfirmed')", name="known_delivery_status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = _fk("alert_events.id")
    rule_id: int = _fk("alert_rules.id")
    channel_id: int = _fk("alert_channels.id")
    window_key: str
    status: str = Field(default="pending", index=True)
    attempts: int = 0
    next_attempt_at: datetime = _utc(nullable=False)
    claimed_at: datetime | None = _utc()
    sent_at: datetime | None = _utc()
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc(nullable=False)


class MonitorEngine(SQLModel, table=True):
    """An AI assistant the monitor asks: its kind (openai, anthropic, ...) and parameters.

    `params` holds the API key too when one was given for this engine; the engine kind names its
    secret fields, listings mask them, and a stored key is only ever sent to the stored `base_url`.
    """

    __tablename__ = "monitor_engines"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    name: str = Field(unique=True)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    created_at: datetime = _utc(nullable=False)


class MonitorPrompt(SQLModel, table=True):
    """A question buyers ask, possibly a template with {brand}, {competitor} and {category}, with tags."""

    __tablename__ = "monitor_prompts"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    tags: list[str] = _json_list()
    enabled: bool = True
    created_at: datetime = _utc(nullable=False)


class MonitorRun(SQLModel, table=True):
    """One round of asking every prompt of a brand to every chosen engine, `samples` times each."""

    __tablename__ = "monitor_runs"

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = _fk("brands.id")
    samples: int = 5
    engine_ids: list[int] = _json_list()
    status: str = "running"
    requests: int = 0
    estimated_cost: float = 0.0
    started_at: datetime = _utc(nullable=False, index=True)
    finished_at: datetime | None = _utc()


class MonitorAnswer(SQLModel, table=True):
    """One answer of one engine to one prompt, kept raw so it can be analysed again later.

    `status` is ok, failed (after retries) or skipped (over budget); `retrieval_status` is searched,
    not_searched or tool_error (a search that failed inside an HTTP-200 answer).
    """

    __tablename__ = "monitor_answers"
    __table_args__ = (UniqueConstraint("run_id", "engine_id", "prompt_id", "sample"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = _fk("monitor_runs.id")
    engine_id: int = _fk("monitor_engines.id")
    prompt_id: int = _fk("monitor_prompts.id")
    sample: int = 0
    prompt_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    engine_kind: str = ""
    collection_method: str = "api"
    model: str | None = None
    status: str = "ok"
    retrieval_status: str | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    raw: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    requests: int = 0
    estimated_cost: float = 0.0
    latency_ms: int | None = None
    analysis_version: str | None = None
    asked_at: datetime = _utc(nullable=False, index=True)


class MonitorMention(SQLModel, table=True):
    """A tracked name found in an answer: the brand, a competitor, or the fictitious control brand."""

    __tablename__ = "monitor_mentions"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = _fk("monitor_answers.id")
    entity: str
    competitor_id: int | None = None
    name: str
    position: int | None = None
    first_offset: int = 0
    occurrences: int = 1
    prominence: float = 0.0
    sentiment: str | None = None
    sentiment_score: float | None = None
    analysis_version: str = ""


class MonitorCitation(SQLModel, table=True):
    """A web page an answer cited inline, or only retrieved while searching, normalised."""

    __tablename__ = "monitor_citations"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = _fk("monitor_answers.id")
    kind: str
    url: str = Field(sa_column=Column(Text, nullable=False))
    raw_url: str = Field(sa_column=Column(Text, nullable=False))
    domain: str = Field(index=True)
    title: str | None = None
    entity: str | None = None
    competitor_id: int | None = None
    analysis_version: str = ""
