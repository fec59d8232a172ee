"""The dashboard: server-rendered pages behind a login; every form posts back here (same origin only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import col, select

from advocado.web import actions, charts
from advocado.web.auth import SESSION_COOKIE, Caller, authenticator, page_caller
from advocado.web.present import job_out, shown_params, source_out
from collectors import registry
from collectors.errors import CollectorError
from storage import (
    AlreadyExists,
    Brand,
    MentionFilter,
    NotFound,
    Source,
    competitors_of,
    get_source,
    list_mentions,
    overview,
)

TEMPLATES = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(default=True)))
PER_PAGE = 50
FILTERS = ("brand_id", "source_id", "kind", "sentiment", "min_rating", "max_rating", "since", "until", "status", "tag", "q")

router = APIRouter(include_in_schema=False)
LoggedIn = Annotated[Caller, Depends(page_caller)]


def _render(request: Request, name: str, caller: Caller | None, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"caller": caller, "notice": request.query_params.get("notice"),
                                                      "problem": request.query_params.get("problem"), **context})


def _local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _back(target: str, *, notice: str | None = None, problem: str | None = None) -> RedirectResponse:
    extra = urlencode({k: v for k, v in (("notice", notice), ("problem", problem)) if v})
    if extra:
        base = target.split("#")[0]
        target = base + ("&" if "?" in base else "?") + extra
    return RedirectResponse(target, status_code=303)


def _brands(request: Request) -> list[Brand]:
    with request.app.state.db.read() as session:
        return list(session.exec(select(Brand).order_by(col(Brand.name))))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _render(request, "login.html", None, next=_local_path(next))


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=500)], next: Annotated[str, Form()] = "/") -> Response:
    caller = authenticator(request).check_secret(token.strip())
    if caller is None:
        refused = _render(request, "login.html", None, next=_local_path(next),
                          problem="That token is unknown, revoked or expired.")
        refused.status_code = 401
        return refused
    response = RedirectResponse(_local_path(next), status_code=303)
    authenticator(request).set_cookie(response, request, caller)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, caller: LoggedIn) -> Response:
    brands = _brands(request)
    return RedirectResponse(f"/brands/{brands[0].id}" if brands else "/brands", status_code=303)


@router.get("/brands/{brand_id}", response_class=HTMLResponse)
def brand_overview(request: Request, brand_id: int, caller: LoggedIn, days: int = 90) -> HTMLResponse:
    days = min(max(days, 1), 3650)
    with request.app.state.db.read() as session:
        brand = session.get(Brand, brand_id)
        if brand is None:
            raise NotFound(f"no brand with id {brand_id}")
        figures = overview(session, brand, days=days)
    return _render(request, "overview.html", caller, brand=brand, brands=_brands(request), figures=figures, days=days,
                   volume=charts.volume_chart(figures.volume), sentiment=charts.sentiment_chart(figures.sentiment))


def _day(value: str | None, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1) if end else day, time.min, tzinfo=UTC)


def _number(value: str | None, kind: type = int) -> Any:
    try:
        return kind(value) if value not in (None, "") else None
    except ValueError:
        return None


def _mention_page(request: Request, caller: Caller, *, queue: bool) -> HTMLResponse:
    args = {name: request.query_params.get(name, "") for name in FILTERS}
    if queue and not args["status"]:
        args["status"] = "pending"
    where = MentionFilter(
        brand_id=_number(args["brand_id"]), source_id=_number(args["source_id"]), kind=args["kind"] or None,
        sentiment=args["sentiment"] or None, min_rating=_number(args["min_rating"], float),
        max_rating=_number(args["max_rating"], float), since=_day(args["since"]), until=_day(args["until"], end=True),
        status=args["status"] or None, tag=args["tag"] or None, search=args["q"] or None)
    page = max(1, min(_number(request.query_params.get("page")) or 1, 100_000))
    with request.app.state.db.read() as session:
        found = list_mentions(session, where, page=page, per_page=PER_PAGE)
        sources = list(session.exec(select(Source).order_by(col(Source.id))))
    query = {k: v for k, v in args.items() if v}
    return _render(request, "mentions.html", caller, found=found, args=args,
                   brand_options=[(b.id, b.name) for b in _brands(request)],
                   source_options=[(s.id, f"{s.id}: {s.kind} {s.name}".strip()) for s in sources],
                   queue=queue, here=request.url.path + ("?" + urlencode(query | {"page": page}) if query or page > 1 else ""),
                   page_link=lambda n: request.url.path + "?" + urlencode(query | {"page": n}))


@router.get("/mentions", response_class=HTMLResponse)
def mentions(request: Request, caller: LoggedIn) -> HTMLResponse:
    return _mention_page(request, caller, queue=False)


@router.get("/moderation", response_class=HTMLResponse)
def moderation(request: Request, caller: LoggedIn) -> HTMLResponse:
    return _mention_page(request, caller, queue=True)


@router.post("/mentions/moderate")
async def moderate(request: Request, caller: LoggedIn) -> Response:
    form = await request.form()
    back = _local_path(str(form.get("next") or "/mentions"), "/mentions")
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()][:1000]
    action = str(form.get("action") or "") or None
    tags = [t for t in str(form.get("tag") or "").split(",") if t.strip()]
    if not ids:
        return _back(back, problem="Select at least one mention.")
    if action == "tag":
        action = None
    if action is None and not tags:
        return _back(back, problem="Choose an action or type a tag.")
    changed = actions.moderate_mentions(request.app.state.db, ids, action, tags, [])
    return _back(back, notice=f"{changed} mention(s) updated.")


@router.get("/brands", response_class=HTMLResponse)
def brands_page(request: Request, caller: LoggedIn) -> HTMLResponse:
    threshold = request.app.state.failure_threshold
    rows = []
    with request.app.state.db.read() as session:
        for brand in session.exec(select(Brand).order_by(col(Brand.name))):
            found = session.exec(select(Source).where(Source.brand_id == brand.id).order_by(col(Source.id)))
            rows.append((brand, [c.name for c in competitors_of(session, brand)],
                         [source_out(s, threshold) for s in found]))
    return _render(request, "brands.html", caller, rows=rows, kinds=list(registry()))


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def _params(text: str) -> dict[str, str]:
    params = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if key.strip():
            if not sep:
                raise actions.InvalidInput(f"parameter line {line.strip()!r}: expected KEY=VALUE")
            params[key.strip()] = value.strip()
    return params


def _schedule(value: str) -> int | None:
    minutes = _number(value.strip())
    if value.strip() and (minutes is None or minutes < 1):
        raise actions.InvalidInput("the schedule is a whole number of minutes (1 or more), or empty for none")
    return minutes * 60 if minutes else None


@router.post("/brands")
def brand_add(request: Request, caller: LoggedIn, name: Annotated[str, Form(max_length=200)],
              aliases: Annotated[str, Form(max_length=2000)] = "", domains: Annotated[str, Form(max_length=2000)] = "",
              competitors: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        brand_id = actions.create_brand(request.app.state.db, name, _list(aliases), _list(domains), _list(competitors))
    except (AlreadyExists, actions.InvalidInput, ValueError) as error:
        return _back("/brands", problem=str(error))
    return _back(f"/brands#brand-{brand_id}", notice=f"Added brand {name.strip()}.")


@router.post("/brands/{brand_id}/edit")
def brand_edit(request: Request, brand_id: int, caller: LoggedIn, aliases: Annotated[str, Form(max_length=2000)] = "",
               domains: Annotated[str, Form(max_length=2000)] = "",
               competitor: Annotated[str, Form(max_length=200)] = "") -> Response:
    actions.update_brand(request.app.state.db, brand_id, _list(aliases), _list(domains), _list(competitor))
    return _back("/brands", notice="Brand saved.")


@router.post("/sources")
def source_add(request: Request, caller: LoggedIn, brand_id: Annotated[int, Form()], kind: Annotated[str, Form(max_length=50)],
               name: Annotated[str, Form(max_length=200)] = "", params: Annotated[str, Form(max_length=10_000)] = "",
               every_minutes: Annotated[str, Form(max_length=10)] = "") -> Response:
    try:
        source_id = actions.create_source(request.app.state.db, brand_id, kind, name, _params(params),
                                          _schedule(every_minutes))
    except (actions.InvalidInput, CollectorError) as error:
        return _back("/brands", problem=str(error))
    return _back("/brands", notice=f"Added source {source_id}.")


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(request: Request, source_id: int, caller: LoggedIn) -> HTMLResponse:
    with request.app.state.db.read() as session:
        source = get_source(session, source_id)
    return _render(request, "source.html", caller, source=source_out(source, request.app.state.failure_threshold),
                   params="\n".join(f"{k}={v}" for k, v in shown_params(source).items()))


@router.post("/sources/{source_id}")
def source_edit(request: Request, source_id: int, caller: LoggedIn, name: Annotated[str, Form(max_length=200)] = "",
                params: Annotated[str, Form(max_length=10_000)] = "",
                every_minutes: Annotated[str, Form(max_length=10)] = "") -> Response:
    try:
        schedule = _schedule(every_minutes)
        actions.update_source(request.app.state.db, source_id, name=name, params=_params(params),
                              schedule_seconds=schedule, unschedule=schedule is None)
    except (actions.InvalidInput, CollectorError) as error:
        return _back(f"/sources/{source_id}", problem=str(error))
    return _back("/brands", notice=f"Source {source_id} saved.")


@router.post("/sources/{source_id}/enabled")
def source_enable(request: Request, source_id: int, caller: LoggedIn, enabled: Annotated[str, Form()]) -> Response:
    actions.update_source(request.app.state.db, source_id, enabled=enabled == "true")
    return _back("/brands", notice=f"Source {source_id} {'enabled' if enabled == 'true' else 'disabled'}.")


@router.post("/sources/{source_id}/run")
def source_run(request: Request, source_id: int, caller: LoggedIn) -> Response:
    with request.app.state.db.read() as session:
        get_source(session, source_id)
    jobs = request.app.state.jobs
    if jobs is None or not jobs.run_now(source_id):
        return _back("/brands", problem="The scheduler is not running in this process; use `advocado collect "
                                        f"--source {source_id}`.")
    return _back("/brands", notice=f"Source {source_id} is running now; refresh to see the result.")


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, caller: LoggedIn) -> HTMLResponse:
    jobs = request.app.state.jobs
    next_runs = jobs.next_runs() if jobs is not None else {}
    threshold = request.app.state.failure_threshold
    with request.app.state.db.read() as session:
        rows = [job_out(s, threshold) for s in session.exec(select(Source).order_by(col(Source.id)))]
    return _render(request, "jobs.html", caller, rows=rows, jobs=jobs, next_runs=next_runs,
                   running=bool(jobs and jobs.running))
