"""The admin API under /api/v1: JSON in and out, Bearer-token auth on every route, paginated lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import func
from sqlmodel import col, select

from advocado.web import actions
from advocado.web.auth import Caller, api_caller
from advocado.web.present import job_out, mention_out, source_out
from advocado.web.schemas import (
    BrandIn,
    BrandOut,
    BrandPatch,
    DayCount,
    DaySentiment,
    ErrorBody,
    JobsOut,
    MentionList,
    MentionOut,
    ModerationIn,
    ModerationOut,
    OverviewOut,
    ParamInfo,
    RunQueued,
    ScoringStatus,
    SourceIn,
    SourceKindOut,
    SourceOut,
    SourcePatch,
    SourceShare,
)
from collectors import registry
from storage import (
    Brand,
    Database,
    Mention,
    MentionFilter,
    NotFound,
    Source,
    competitors_of,
    get_source,
    list_mentions,
    overview,
)
from storage.listing import get_listed_mention

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [(401, "No valid token"), (404, "Not found"), (409, "Conflict"), (422, "Invalid input")]
}

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_caller)], responses=ERRORS)


class ServerState:
    """What the routes need from the app: the database, the jobs and the failure threshold."""

    def __init__(self, request: Request) -> None:
        self.db: Database = request.app.state.db
        self.jobs = request.app.state.jobs
        self.failure_threshold: int = request.app.state.failure_threshold


State = Annotated[ServerState, Depends(ServerState)]


def _brand_out(db: Database, brand: Brand) -> BrandOut:
    with db.read() as session:
        count = session.exec(select(func.count()).select_from(Mention).join(Source, col(Source.id) == Mention.source_id)
                             .where(Source.brand_id == brand.id)).one()
        competitors = [c.name for c in competitors_of(session, brand)]
    return BrandOut(id=brand.id or 0, name=brand.name, aliases=brand.aliases, domains=brand.domains,
                    competitors=competitors, mentions=int(count))


def _brand(db: Database, brand_id: int) -> Brand:
    with db.read() as session:
        brand = session.get(Brand, brand_id)
    if brand is None:
        raise NotFound(f"no brand with id {brand_id}")
    return brand


@router.get("/me", summary="The token this request is made with")
def me(caller: Annotated[Caller, Depends(api_caller)]) -> dict[str, str]:
    return {"token": caller.name}


@router.get("/brands", summary="List brands")
def brands(state: State) -> list[BrandOut]:
    with state.db.read() as session:
        found = list(session.exec(select(Brand).order_by(col(Brand.name))))
    return [_brand_out(state.db, brand) for brand in found]


@router.post("/brands", status_code=201, summary="Add a brand")
def brand_add(body: BrandIn, state: State) -> BrandOut:
    brand_id = actions.create_brand(state.db, body.name, body.aliases, body.domains, body.competitors)
    return _brand_out(state.db, _brand(state.db, brand_id))


@router.get("/brands/{brand_id}", summary="One brand")
def brand_get(brand_id: Id, state: State) -> BrandOut:
    return _brand_out(state.db, _brand(state.db, brand_id))


@router.patch("/brands/{brand_id}", summary="Change a brand's aliases and domains, add competitors")
def brand_patch(brand_id: Id, body: BrandPatch, state: State) -> BrandOut:
    actions.update_brand(state.db, brand_id, body.aliases, body.domains, body.add_competitors)
    return _brand_out(state.db, _brand(state.db, brand_id))


@router.get("/brands/{brand_id}/overview", summary="A brand's volume, sentiment and ratings over time")
def brand_overview(brand_id: Id, state: State, days: Annotated[int, Query(ge=1, le=3650)] = 90) -> OverviewOut:
    brand = _brand(state.db, brand_id)
    with state.db.read() as session:
        figures = overview(session, brand, days=days)
    return OverviewOut(
        brand_id=brand_id, days=days, since=figures.since, total=figures.total, average_rating=figures.average_rating,
        rated=figures.rated, volume=[DayCount(day=d, count=c) for d, c in figures.volume],
        sentiment=[DaySentiment(day=d, **counts) for d, counts in figures.sentiment],
        sentiment_totals=figures.sentiment_totals,
        by_source=[SourceShare(source=s, count=c, average_rating=r) for s, c, r in figures.by_source],
        latest_negative=[mention_out(row) for row in figures.latest_negative],
    )


@router.get("/source-kinds", summary="The kinds of source and their parameters")
def source_kinds() -> list[SourceKindOut]:
    kinds = []
    for collector in registry():
        secrets = collector.Params.secret_fields()
        kinds.append(SourceKindOut(kind=collector.kind, description=collector.description(), params=[
            ParamInfo(name=name, required=info.is_required(), secret=name in secrets)
            for name, info in collector.Params.model_fields.items()]))
    return kinds


@router.get("/sources", summary="List sources (secret parameters masked)")
def sources(state: State, brand_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> list[SourceOut]:
    with state.db.read() as session:
        query = select(Source).order_by(col(Source.id))
        if brand_id is not None:
            query = query.where(Source.brand_id == brand_id)
        return [source_out(source, state.failure_threshold) for source in session.exec(query)]


@router.post("/sources", status_code=201, summary="Add a source")
def source_add(body: SourceIn, state: State) -> SourceOut:
    source_id = actions.create_source(state.db, body.brand_id, body.kind, body.name, body.params,
                                      body.schedule_seconds, body.enabled)
    return source_get(source_id, state)


@router.get("/sources/{source_id}", summary="One source, with its last run and failures")
def source_get(source_id: Id, state: State) -> SourceOut:
    with state.db.read() as session:
        return source_out(get_source(session, source_id), state.failure_threshold)


@router.patch("/sources/{source_id}", summary="Change, enable or disable a source")
def source_patch(source_id: Id, body: SourcePatch, state: State) -> SourceOut:
    actions.update_source(state.db, source_id, name=body.name, params=body.params,
                          schedule_seconds=body.schedule_seconds, unschedule=body.unschedule, enabled=body.enabled)
    return source_get(source_id, state)


@router.post("/sources/{source_id}/run", status_code=202, summary="Run a source now")
def source_run(source_id: Id, state: State) -> RunQueued:
    source_get(source_id, state)
    if state.jobs is None or not state.jobs.run_now(source_id):
        raise actions.Conflict("the scheduler is not running in this process; use `advocado collect --source "
                               f"{source_id}` or start `advocado serve` with the scheduler")
    return RunQueued(source_id=source_id, queued=True)


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@router.get("/mentions", summary="Search and filter mentions, newest first")
def mentions(
    state: State,
    brand_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    kind: Annotated[Literal["review", "post", "comment", "testimonial", "survey_answer"] | None, Query()] = None,
    sentiment: Annotated[Literal["negative", "neutral", "positive", "unscored"] | None, Query()] = None,
    min_rating: Annotated[float | None, Query(ge=1, le=5)] = None,
    max_rating: Annotated[float | None, Query(ge=1, le=5)] = None,
    since: Annotated[date | None, Query(description="Published on or after this day (UTC).")] = None,
    until: Annotated[date | None, Query(description="Published on or before this day (UTC).")] = None,
    status: Annotated[Literal["pending", "approved", "rejected", "hidden"] | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words that must all appear.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MentionList:
    where = MentionFilter(brand_id=brand_id, source_id=source_id, kind=kind, sentiment=sentiment, min_rating=min_rating,
                          max_rating=max_rating, since=_day_start(since),
                          until=_day_start(until + timedelta(days=1)) if until and until < date.max else None,
                          status=status, tag=tag, search=q)
    with state.db.read() as session:
        found = list_mentions(session, where, page=page, per_page=per_page)
    return MentionList(items=[mention_out(row) for row in found.items], total=found.total, page=found.page,
                       per_page=found.per_page, pages=found.pages)


@router.get("/mentions/{mention_id}", summary="One mention")
def mention_get(mention_id: Id, state: State) -> MentionOut:
    with state.db.read() as session:
        row = get_listed_mention(session, mention_id)
    if row is None:
        raise NotFound(f"no mention with id {mention_id}")
    return mention_out(row)


@router.post("/mentions/moderate", summary="Approve, reject, hide or tag mentions in bulk")
def mentions_moderate(body: ModerationIn, state: State) -> ModerationOut:
    return ModerationOut(changed=actions.moderate_mentions(state.db, body.ids, body.action, body.add_tags,
                                                           body.remove_tags))


@router.get("/jobs", summary="Scheduler, scoring and per-source job status")
def jobs(state: State) -> JobsOut:
    next_runs = state.jobs.next_runs() if state.jobs is not None else {}
    with state.db.read() as session:
        rows = []
        for source in session.exec(select(Source).order_by(col(Source.id))):
            row = job_out(source, state.failure_threshold)
            if source.id in next_runs and source.enabled:
                row.next_run_at = max(next_runs[source.id], row.next_run_at or next_runs[source.id])
            rows.append(row)
    scoring = None
    if state.jobs is not None:
        s = state.jobs.scoring
        scoring = ScoringStatus(model=s.model, available=s.available, problem=s.problem,
                                last_scored_at=s.last_scored_at, last_scored=s.last_scored)
    return JobsOut(scheduler_running=bool(state.jobs and state.jobs.running), scoring=scoring, jobs=rows)
