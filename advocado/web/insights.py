"""Insight pages of the dashboard: analytics (opinion report), alerts, and AI visibility; all behind the login."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from advocado.alerts import RULE_HELP, AlertError, channel_kind
from advocado.alerts.report import opinion_report
from advocado.web import charts
from advocado.web.pages import LoggedIn, _back, _brands, _render
from collectors.params import MASK
from monitor import brand_report, sample_answers, timeline
from sentiment.opinion import SENSITIVITIES
from storage import Brand, NotFound, utcnow
from storage.alerts import (
    add_channel,
    add_rule,
    deliveries_of,
    list_channels,
    list_rules,
    recent_events,
)
from storage.models import AlertChannel

router = APIRouter(include_in_schema=False)
PERIODS = (7, 30, 90, 365)
CHANNEL_KINDS = ("webhook", "slack", "email")


def _brand(request: Request, brand_id: int) -> Brand:
    with request.app.state.db.read() as session:
        brand = session.get(Brand, brand_id)
    if brand is None:
        raise NotFound(f"no brand with id {brand_id}")
    return brand


def _first_brand(request: Request, page: str) -> Response:
    brands = _brands(request)
    return RedirectResponse(f"/{page}/{brands[0].id}" if brands else "/brands", status_code=303)


def period_chart(by_period: list[dict[str, Any]]) -> charts.Chart | None:
    """One stacked bar per period (week or month) of the summary, by sentiment; geometry only, drawn by _chart.html."""
    rows = [row for row in by_period if row.get("volume")]
    if not rows:
        return None
    peak = max(sum(row["sentiment_counts"].values()) for row in rows) or 1
    slot = charts.WIDTH / len(rows)
    bars = []
    for index, row in enumerate(rows):
        top = float(charts.HEIGHT)
        for part in charts.SENTIMENT_ORDER:
            value = row["sentiment_counts"].get(part, 0)
            if not value:
                continue
            height = charts.HEIGHT * value / peak
            top -= height
            bars.append(charts.Bar(x=round(index * slot, 2), y=round(top, 2), width=round(max(slot * 0.8, 1), 2),
                                   height=round(height, 2), css_class=f"bar-{part}",
                                   title=f"{row['label']}: {value} {part}"))
    return charts.Chart(bars=bars, first_day=rows[0]["label"], last_day=rows[-1]["label"], peak=peak)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_home(request: Request, caller: LoggedIn) -> Response:
    return _first_brand(request, "analytics")


@router.get("/analytics/{brand_id}", response_class=HTMLResponse)
def analytics(request: Request, brand_id: int, caller: LoggedIn, days: int = 90, period: str = "week") -> HTMLResponse:
    days = min(max(days, 0), 3650)
    period = period if period in ("day", "week", "month") else "week"
    brand = _brand(request, brand_id)
    since = utcnow() - timedelta(days=days) if days else None
    report = opinion_report(request.app.state.db, brand.name, since=since, period=period)
    return _render(request, "analytics.html", caller, brand=brand, brands=_brands(request), days=days, period=period,
                   periods=PERIODS, report=report, summary=report["summary"]["overall"],
                   chart=period_chart(report["summary"]["by_period"]))


def _shown_channel(channel: AlertChannel) -> tuple[dict[str, Any], list[str]]:
    """The channel's parameters fit to show, and the stored secret values to mask in error texts."""
    raw = dict(channel.params)
    try:
        shown = channel_kind(channel.kind).masked(raw)
    except AlertError:
        shown = {name: MASK if value else "" for name, value in raw.items()}  # unknown kind: hide every value
    secrets = [str(raw[name]) for name, value in shown.items() if value != raw.get(name) and len(str(raw[name])) >= 4]
    return shown, secrets


def _masked(text: str | None, secrets: list[str]) -> str | None:
    for secret in secrets:
        text = text.replace(secret, MASK) if text else text
    return text


def _alerts_view(request: Request, caller: Any, **extra: Any) -> HTMLResponse:
    with request.app.state.db.read() as session:
        channels = list_channels(session)
        rules = list_rules(session)
        events = [(event, rule, brand.name) for brand in _brands(request)
                  for event, rule in recent_events(session, brand, limit=20)]
        events.sort(key=lambda row: (row[0].created_at, row[0].id or 0), reverse=True)
        events = events[:50]
        deliveries = deliveries_of(session, [event.id for event, _, _ in events if event.id is not None])
    shown = {channel.id: _shown_channel(channel) for channel in channels}
    every_secret = [secret for _, secrets_ in shown.values() for secret in secrets_]
    names = {channel.id: f"{channel.id}: {channel.kind} {channel.name}".strip() for channel in channels}
    by_event: dict[int, list[dict[str, Any]]] = {}
    for delivery in deliveries:
        by_event.setdefault(delivery.event_id, []).append({
            "channel": names.get(delivery.channel_id, str(delivery.channel_id)), "status": delivery.status,
            "attempts": delivery.attempts, "sent_at": delivery.sent_at, "next_attempt_at": delivery.next_attempt_at,
            "last_error": _masked(delivery.last_error, every_secret)})
    return _render(request, "alerts.html", caller,
                   channels=[(channel, shown[channel.id][0]) for channel in channels],
                   rules=[(rule, brand, [names.get(i, str(i)) for i in rule.channel_ids]) for rule, brand in rules],
                   events=[(event, rule, brand, _masked(event.text, every_secret), by_event.get(event.id or 0, []))
                           for event, rule, brand in events],
                   channel_kinds=CHANNEL_KINDS, rule_help=RULE_HELP, sensitivities=list(SENSITIVITIES),
                   channel_options=[(channel.id, names[channel.id]) for channel in channels],
                   brand_options=[(brand.id, brand.name) for brand in _brands(request)], **extra)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, caller: LoggedIn) -> HTMLResponse:
    return _alerts_view(request, caller)


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def channel_raw(kind: str, *, url: str, secret: str, host: str, port: str, security: str, username: str,
                password: str, sender: str, recipients: str) -> tuple[dict[str, Any], str | None]:
    """The raw parameters of a new channel from the form, as `alert channel add` builds them (empty fields left
    out), and the webhook signing secret generated when none was given."""
    generated = None
    if kind == "webhook":
        if not secret:
            secret = generated = secrets.token_urlsafe(32)
        raw: dict[str, Any] = {"url": url, "secret": secret}
    elif kind == "slack":
        raw = {"url": url}
    else:
        raw = {"host": host, "port": port or "587", "security": security or "starttls", "username": username,
               "password": password, "sender": sender, "recipients": _lines(recipients)}
    return {key: value for key, value in raw.items() if value not in ("", None)}, generated


Text = Annotated[str, Form(max_length=2000)]


@router.post("/alerts/channels")
def alerts_channel_add(request: Request, caller: LoggedIn, kind: Annotated[str, Form(max_length=50)],
                       name: Annotated[str, Form(max_length=200)] = "", url: Text = "", secret: Text = "",
                       host: Text = "", port: Annotated[str, Form(max_length=10)] = "",
                       security: Annotated[str, Form(max_length=20)] = "", username: Text = "",
                       password: Text = "", sender: Text = "", recipients: Text = "") -> Response:
    """Add a channel, validated by its kind as the CLI does; secrets are never shown back, except a generated
    webhook secret, once, on the page this answers with."""
    url, secret, host, sender = url.strip(), secret.strip(), host.strip(), sender.strip()
    given = [value for value in (url, secret, password) if len(value) >= 4]
    try:
        if kind not in CHANNEL_KINDS:
            raise AlertError(f"unknown channel kind {kind!r}; use webhook, slack or email")
        chosen = channel_kind(kind)
        raw, generated = channel_raw(kind, url=url, secret=secret, host=host, port=port.strip(),
                                     security=security.strip(), username=username.strip(), password=password,
                                     sender=sender, recipients=recipients)
        params = chosen.validate(raw)
    except AlertError as error:
        return _back("/alerts#add-channel", problem=_masked(str(error), given) or "invalid channel")
    with request.app.state.db.write() as session:
        channel = add_channel(session, kind, chosen.stored(params), name=name.strip())
        channel_id = channel.id
    if generated is None:
        return _back("/alerts#channels", notice=f"Added {kind} channel {channel_id}.")
    page = _alerts_view(request, caller, added_channel=channel_id, generated_secret=generated)
    page.headers["cache-control"] = "no-store"
    return page


@router.post("/alerts/rules")
async def alerts_rule_add(request: Request, caller: LoggedIn) -> Response:
    """Add a rule with the checks of `alert add`: a known rule and sensitivity, a cooldown of 0 or more hours,
    an existing brand and existing channels."""
    form = await request.form()
    rule = str(form.get("rule") or "")
    sensitivity = str(form.get("sensitivity") or "medium")
    brand_id = str(form.get("brand_id") or "")
    channel_ids = [int(str(v)) for v in form.getlist("channel_ids") if str(v).isdigit()][:100]
    if rule not in RULE_HELP:
        return _back("/alerts#add-rule", problem=f"Unknown rule {rule[:50]!r}; use one of: {', '.join(RULE_HELP)}.")
    if sensitivity not in SENSITIVITIES:
        return _back("/alerts#add-rule", problem=f"Unknown sensitivity; use one of {', '.join(SENSITIVITIES)}.")
    try:
        cooldown = float(str(form.get("cooldown_hours") or "24"))
    except ValueError:
        cooldown = -1.0
    if not math.isfinite(cooldown) or cooldown < 0 or cooldown > 24 * 366:
        return _back("/alerts#add-rule", problem="The cooldown is a number of hours, 0 or more.")
    try:
        with request.app.state.db.write() as session:
            brand = session.get(Brand, int(brand_id)) if brand_id.isdigit() else None
            if brand is None:
                raise NotFound("choose a brand")
            added = add_rule(session, brand, rule, channel_ids, sensitivity=sensitivity, cooldown_hours=cooldown)
            rule_id, brand_name = added.id, brand.name
    except NotFound as error:
        return _back("/alerts#add-rule", problem=f"Rule not added: {error}.")
    unsent = "" if channel_ids else " It has no channel: its alerts are recorded and shown, not sent."
    return _back("/alerts#rules", notice=f"Added rule {rule_id}: {rule} for {brand_name}.{unsent}")


def marked_segments(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[str, str | None]]:
    """`text` cut into (piece, kind) segments, kind set where a tracked name was found; overlaps are skipped.
    The template escapes every piece and wraps marked ones in <mark>."""
    segments: list[tuple[str, str | None]] = []
    at = 0
    for start, end, kind, _name in sorted(spans):
        if start < at or end <= start or end > len(text):
            continue
        if start > at:
            segments.append((text[at:start], None))
        segments.append((text[start:end], kind))
        at = end
    if at < len(text):
        segments.append((text[at:], None))
    return segments


@router.get("/visibility", response_class=HTMLResponse)
def visibility_home(request: Request, caller: LoggedIn) -> Response:
    return _first_brand(request, "visibility")


@dataclass(frozen=True)
class RatePoint:
    """One period's rate as a bar with its 95% interval as a whisker (SVG units, y down); `rate` is the
    `Rate.as_dict()` the table shows."""

    label: str
    rate: dict[str, Any]
    x: float
    width: float
    y: float
    y_low: float
    y_high: float


@dataclass(frozen=True)
class RateChart:
    engine: str
    bucket_days: int
    points: list[RatePoint]
    first: str
    last: str
    width: int = charts.WIDTH
    height: int = charts.HEIGHT


def bucket_days_for(days: int) -> int:
    return 1 if days <= 31 else 7 if days <= 180 else 30


def rate_charts(rows: list[dict[str, Any]], *, start: datetime, days: int, bucket_days: int,
                metric: str = "mention_rate") -> list[RateChart]:
    """Per engine, one bar per period of `timeline(...)` rows with answers, at its place among all periods
    from `start`, with a whisker from the interval's low to its high; geometry only, drawn by _rate_chart.html."""
    slots = max(1, math.ceil(days / bucket_days))
    slot = charts.WIDTH / slots
    by_engine: dict[str, list[RatePoint]] = {}
    for row in rows:
        rate = row[metric]
        period = datetime.fromisoformat(row["period"])
        index = min(max(round((period - start).total_seconds() / (bucket_days * 86400)), 0), slots - 1)
        value, low, high = (rate["value"], rate["low"], rate["high"]) if rate["n"] else (0.0, 0.0, 0.0)
        by_engine.setdefault(row["engine"], []).append(RatePoint(
            label=period.date().isoformat(), rate=rate, x=round(index * slot, 2), width=round(max(slot * 0.7, 1), 2),
            y=round(charts.HEIGHT * (1 - value), 2), y_low=round(charts.HEIGHT * (1 - low), 2),
            y_high=round(charts.HEIGHT * (1 - high), 2)))
    first = start.date().isoformat()
    last = (start + timedelta(days=days)).date().isoformat()
    return [RateChart(engine=engine, bucket_days=bucket_days, points=points, first=first, last=last)
            for engine, points in sorted(by_engine.items())]


@router.get("/visibility/{brand_id}", response_class=HTMLResponse)
def visibility_page(request: Request, brand_id: int, caller: LoggedIn, days: int = 30) -> HTMLResponse:
    days = min(max(days, 1), 3650)
    brand = _brand(request, brand_id)
    now = utcnow()
    report = brand_report(request.app.state.db, brand.name, since=now - timedelta(days=days))
    samples = sample_answers(request.app.state.db, brand.name, limit=5)
    bucket = bucket_days_for(days)
    over_time = rate_charts(timeline(request.app.state.db, brand.name, now=now, days=days, bucket_days=bucket),
                            start=now - timedelta(days=days), days=days, bucket_days=bucket)
    return _render(request, "visibility.html", caller, brand=brand, brands=_brands(request), days=days,
                   periods=PERIODS, report=report, over_time=over_time,
                   samples=[(sample, marked_segments(sample.text, sample.mentions)) for sample in samples])
