"""The admin API's JSON shapes, as documented in /openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Name = Annotated[str, Field(min_length=1, max_length=200)]
Names = Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)]
Tags = Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=20)]
ScheduleSeconds = Annotated[int, Field(ge=60, le=365 * 86400)]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a machine-readable code and a sentence for people."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    scheduler: bool


class BrandIn(BaseModel):
    name: Name
    aliases: Names = []
    domains: Names = []
    competitors: Names = []


class BrandPatch(BaseModel):
    aliases: Names | None = None
    domains: Names | None = None
    add_competitors: Names = []


class BrandOut(BaseModel):
    id: int
    name: str
    aliases: list[str]
    domains: list[str]
    competitors: list[str]
    mentions: int


class ParamInfo(BaseModel):
    name: str
    required: bool
    secret: bool


class SourceKindOut(BaseModel):
    kind: str
    description: str
    params: list[ParamInfo]


class SourceIn(BaseModel):
    brand_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    kind: Annotated[str, Field(min_length=1, max_length=50)]
    name: Annotated[str, Field(max_length=200)] = ""
    params: dict[str, Any] = {}
    schedule_seconds: ScheduleSeconds | None = None
    enabled: bool = True


class SourcePatch(BaseModel):
    """Fields to change; a secret parameter sent back masked (`********`) keeps its stored value."""

    name: Annotated[str, Field(max_length=200)] | None = None
    params: dict[str, Any] | None = None
    schedule_seconds: ScheduleSeconds | None = None
    unschedule: bool = False
    enabled: bool | None = None


class SourceOut(BaseModel):
    id: int
    brand_id: int
    kind: str
    name: str
    params: dict[str, Any] = Field(description="Secret parameters are masked as `********`.")
    schedule_seconds: int | None
    enabled: bool
    consecutive_failures: int
    failing: bool
    last_error: str | None
    last_run_at: datetime | None
    next_run_at: datetime | None


class RunQueued(BaseModel):
    source_id: int
    queued: bool


class SentimentOut(BaseModel):
    label: str
    probabilities: dict[str, float]


class MentionOut(BaseModel):
    id: int
    brand_id: int
    brand: str
    source_id: int
    source_kind: str
    source_name: str
    kind: str
    external_id: str
    url: str | None
    author_name: str | None
    author_handle: str | None
    title: str | None
    text: str
    rating: float | None
    language: str | None
    published_at: datetime | None
    collected_at: datetime
    status: str
    tags: list[str]
    sentiment: SentimentOut | None


class MentionList(BaseModel):
    items: list[MentionOut]
    total: int
    page: int
    per_page: int
    pages: int


class ModerationIn(BaseModel):
    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(min_length=1, max_length=1000)]
    action: Literal["approve", "reject", "hide", "pending"] | None = None
    add_tags: Tags = []
    remove_tags: Tags = []


class ModerationOut(BaseModel):
    changed: int


class DayCount(BaseModel):
    day: str
    count: int


class DaySentiment(BaseModel):
    day: str
    negative: int
    neutral: int
    positive: int


class SourceShare(BaseModel):
    source: str
    count: int
    average_rating: float | None


class OverviewOut(BaseModel):
    brand_id: int
    days: int
    since: datetime
    total: int
    average_rating: float | None
    rated: int
    volume: list[DayCount]
    sentiment: list[DaySentiment]
    sentiment_totals: dict[str, int]
    by_source: list[SourceShare]
    latest_negative: list[MentionOut]


class ScoringStatus(BaseModel):
    model: str
    available: bool | None = Field(description="None until the model is first needed.")
    problem: str | None
    last_scored_at: datetime | None
    last_scored: int


class JobOut(BaseModel):
    source_id: int
    brand_id: int
    kind: str
    name: str
    schedule_seconds: int | None
    enabled: bool
    last_run_at: datetime | None
    next_run_at: datetime | None
    consecutive_failures: int
    failing: bool
    last_error: str | None


class JobsOut(BaseModel):
    scheduler_running: bool
    scoring: ScoringStatus | None
    jobs: list[JobOut]
