"""The public face's tables: embeddable widgets and the consent behind first-party testimonials.

Plus the small queries the widget endpoint needs: a widget by its public id, the approved items a
widget may show, and a cheap fingerprint of them so unchanged data is not re-selected.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
)
from sqlmodel import Field, Session, SQLModel, col, select

from storage.errors import NotFound
from storage.models import (
    Brand,
    DisplayStatus,
    Mention,
    MentionKind,
    SentimentScore,
    Source,
)
from storage.types import UTCDateTime, utcnow

SHOWN_KINDS = (MentionKind.review.value, MentionKind.testimonial.value)
"""Kinds a widget may show; survey answers and social posts stay private."""


class WidgetKind(StrEnum):
    """How a widget lays out what it shows."""

    wall = "wall"
    carousel = "carousel"
    badge = "badge"
    quote = "quote"


class WidgetMode(StrEnum):
    """Which items a widget shows: a representative mix, or hand-picked ones labelled as such."""

    representative = "representative"
    featured = "featured"


def _utc(*, nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


def new_public_id() -> str:
    """A short unguessable id for embed codes and public URLs (letters, digits, - and _)."""
    return secrets.token_urlsafe(9)


class Widget(SQLModel, table=True):
    """An embeddable display of one brand's approved reviews and testimonials."""

    __tablename__ = "widgets"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, sa_column=Column(String(32), unique=True, nullable=False))
    brand_id: int = Field(sa_column=Column(Integer, ForeignKey("brands.id", ondelete="CASCADE"), nullable=False, index=True))
    name: str = ""
    kind: str = WidgetKind.wall.value
    mode: str = WidgetMode.representative.value
    size: int = 9
    theme: str = "light"
    colors: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    featured_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    allowed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    schema_type: str | None = None
    schema_name: str | None = None
    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)


class TestimonialForm(SQLModel, table=True):
    """A public page where customers of one brand leave a testimonial, with the consent wording they agree to."""

    __tablename__ = "testimonial_forms"
    __test__ = False

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, sa_column=Column(String(32), unique=True, nullable=False))
    brand_id: int = Field(sa_column=Column(Integer, ForeignKey("brands.id", ondelete="CASCADE"), nullable=False, index=True))
    consent_text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _utc(nullable=False)


class TestimonialConsent(SQLModel, table=True):
    """Evidence of a customer's consent to publish their testimonial, and the details they chose to show.

    `ip_hash` is a salted hash of the submitter's address, never the address itself.
    """

    __tablename__ = "testimonial_consents"
    __test__ = False

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    brand_id: int = Field(sa_column=Column(Integer, ForeignKey("brands.id", ondelete="CASCADE"), nullable=False, index=True))
    consent_version: str
    consent_text: str = Field(sa_column=Column(Text, nullable=False))
    consented_at: datetime = _utc(nullable=False)
    ip_hash: str
    role: str | None = None
    company: str | None = None
    avatar_url: str | None = None
    withdrawn_at: datetime | None = _utc()


class NpsSurvey(SQLModel, table=True):
    """A public Net Promoter Score survey for one brand: the 0-10 question and one follow-up question."""

    __tablename__ = "nps_surveys"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, sa_column=Column(String(32), unique=True, nullable=False))
    brand_id: int = Field(sa_column=Column(Integer, ForeignKey("brands.id", ondelete="CASCADE"), nullable=False, index=True))
    question: str = "How likely are you to recommend {brand} to a friend or colleague?"
    follow_up: str = "What is the main reason for your score?"
    created_at: datetime = _utc(nullable=False)


class NpsResponse(SQLModel, table=True):
    """One answer to a survey; detractors (0-6) are flagged for a personal follow-up."""

    __tablename__ = "nps_responses"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    survey_id: int = Field(sa_column=Column(Integer, ForeignKey("nps_surveys.id", ondelete="CASCADE"), nullable=False, index=True))
    score: int
    category: str
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    needs_follow_up: bool = False
    followed_up_at: datetime | None = _utc()
    ip_hash: str
    created_at: datetime = _utc(nullable=False)


class CampaignCustomer(SQLModel, table=True):
    """A customer who may be asked for a review: imported with their first purchase date."""

    __tablename__ = "campaign_customers"
    __table_args__ = (UniqueConstraint("brand_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(sa_column=Column(Integer, ForeignKey("brands.id", ondelete="CASCADE"), nullable=False, index=True))
    email: str
    name: str = ""
    first_purchase_at: datetime = _utc(nullable=False)
    unsubscribed_at: datetime | None = _utc()
    created_at: datetime = _utc(nullable=False)


class ReviewRequest(SQLModel, table=True):
    """One review-request email, sent or failed: attempt 0 starts a sequence, 1 and 2 are reminders.

    Only a SHA-256 hash of the link's random token is kept; the token itself is only in the email.
    """

    __tablename__ = "review_requests"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("campaign_customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    sequence_started_at: datetime = _utc(nullable=False)
    attempt: int = 0
    sent_at: datetime = _utc(nullable=False)
    status: str = "sent"
    error: str | None = None
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    used_at: datetime | None = _utc()


def nps_category(score: int) -> str:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


@dataclass(frozen=True)
class NpsSummary:
    """A survey's Net Promoter Score: % promoters minus % detractors, with the counts behind it."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    to_follow_up: list[NpsResponse]

    @property
    def score(self) -> int | None:
        if not self.responses:
            return None
        return round(100 * (self.promoters - self.detractors) / self.responses)


def nps_summary(session: Session, survey: NpsSurvey) -> NpsSummary:
    """Counts by category and the detractors still waiting for a personal follow-up."""
    responses = list(session.exec(select(NpsResponse).where(NpsResponse.survey_id == survey.id).order_by(col(NpsResponse.id))))
    count = {name: sum(1 for r in responses if r.category == name) for name in ("promoter", "passive", "detractor")}
    return NpsSummary(len(responses), count["promoter"], count["passive"], count["detractor"],
                      [r for r in responses if r.needs_follow_up and r.followed_up_at is None])


def survey_for_brand(session: Session, brand_id: int) -> NpsSurvey:
    """The brand's NPS survey, created on first use."""
    survey = session.exec(select(NpsSurvey).where(NpsSurvey.brand_id == brand_id).order_by(col(NpsSurvey.id))).first()
    if survey is None:
        survey = NpsSurvey(brand_id=brand_id)
        session.add(survey)
        session.flush()
    return survey


def get_survey(session: Session, public_id: str) -> NpsSurvey:
    """The survey with this public id, or NotFound."""
    survey = session.exec(select(NpsSurvey).where(NpsSurvey.public_id == public_id)).first()
    if survey is None:
        raise NotFound(f"no survey {public_id!r}")
    return survey


class PublicSecret(SQLModel, table=True):
    """A random key the public pages sign with (form timestamps, withdrawal links), kept across restarts."""

    __tablename__ = "public_secrets"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    value: str
    created_at: datetime = _utc(nullable=False)


def public_secret(session: Session, name: str) -> bytes:
    """The named signing key, created on first use."""
    stored = session.exec(select(PublicSecret).where(PublicSecret.name == name)).first()
    if stored is None:
        stored = PublicSecret(name=name, value=secrets.token_urlsafe(32))
        session.add(stored)
        session.flush()
    return stored.value.encode()


@dataclass(frozen=True)
class ShownItem:
    """An approved mention a widget may show, with what the mix needs and the public details."""

    mention_id: int
    kind: str
    name: str | None
    title: str | None
    text: str
    rating: float | None
    published_at: datetime | None
    sentiment: str | None
    role: str | None = None
    company: str | None = None
    avatar_url: str | None = None

    @property
    def stars(self) -> int | None:
        return None if self.rating is None else round(self.rating)

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


def _shown_filter(brand_id: int) -> Any:
    live_consent = and_(col(TestimonialConsent.ref).is_not(None), col(TestimonialConsent.withdrawn_at).is_(None))
    return and_(col(Source.brand_id) == brand_id, col(Mention.status) == DisplayStatus.approved.value,
                col(Mention.kind).in_(SHOWN_KINDS),
                or_(col(Mention.kind) != MentionKind.testimonial.value, live_consent))


def _joined(query: Any) -> Any:
    return (query.join(Source, col(Source.id) == Mention.source_id)
            .outerjoin(TestimonialConsent, col(TestimonialConsent.ref) == Mention.consent_ref))


def shown_items(session: Session, brand_id: int) -> list[ShownItem]:
    """Every item of the brand a widget may show: approved reviews, and approved testimonials whose
    consent is on record and not withdrawn; each with its newest sentiment label."""
    label = (select(SentimentScore.label).where(SentimentScore.mention_id == Mention.id)
             .order_by(col(SentimentScore.scored_at).desc()).limit(1).scalar_subquery())
    rows = session.exec(_joined(select(Mention, TestimonialConsent, label))
                        .where(_shown_filter(brand_id)).order_by(col(Mention.id))).all()
    items = []
    for mention, consent, sentiment in rows:
        items.append(ShownItem(
            mention_id=mention.id, kind=mention.kind, name=mention.author_name, title=mention.title,
            text=mention.text, rating=mention.rating, published_at=mention.published_at, sentiment=sentiment,
            role=consent.role if consent else None, company=consent.company if consent else None,
            avatar_url=consent.avatar_url if consent else None))
    return items


def shown_fingerprint(session: Session, widget: Widget) -> tuple[Any, ...]:
    """Changes whenever the set or content of the items the widget may show changes (one aggregate query)."""
    query = select(func.count(), func.sum(Mention.id), func.max(Mention.updated_at))
    row = session.exec(_joined(query).where(_shown_filter(widget.brand_id))).one()
    return (widget.updated_at, *row)


def get_widget(session: Session, public_id: str) -> Widget:
    """The widget with this public id, or NotFound."""
    widget = session.exec(select(Widget).where(Widget.public_id == public_id)).first()
    if widget is None:
        raise NotFound(f"no widget {public_id!r}")
    return widget


def get_form(session: Session, public_id: str) -> TestimonialForm:
    """The testimonial form with this public id, or NotFound."""
    form = session.exec(select(TestimonialForm).where(TestimonialForm.public_id == public_id)).first()
    if form is None:
        raise NotFound(f"no testimonial form {public_id!r}")
    return form


def form_for_brand(session: Session, brand_id: int, consent_text: str) -> TestimonialForm:
    """The brand's testimonial form, created with `consent_text` on first use."""
    form = session.exec(select(TestimonialForm).where(TestimonialForm.brand_id == brand_id)
                        .order_by(col(TestimonialForm.id))).first()
    if form is None:
        form = TestimonialForm(brand_id=brand_id, consent_text=consent_text)
        session.add(form)
        session.flush()
    return form


def list_widgets(session: Session, brand_id: int | None = None) -> list[Widget]:
    query = select(Widget).order_by(col(Widget.id))
    if brand_id is not None:
        query = query.where(Widget.brand_id == brand_id)
    return list(session.exec(query))


def brand_of(session: Session, widget: Widget) -> Brand:
    brand = session.get(Brand, widget.brand_id)
    if brand is None:
        raise NotFound(f"no brand with id {widget.brand_id}")
    return brand
