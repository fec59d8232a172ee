"""The opinion report: summaries, themes with quotes, the mix check and recent alerts for one brand.

`opinion_report` is what `advocado report` prints and what the dashboard's analytics page can
render: plain data (dicts, lists, numbers, strings), ready for JSON.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sentiment.opinion import extract_themes, load_opinions, summarize_brand, themes_by_mention
from storage import Brand, Database, DisplayStatus, get_brand, utcnow
from storage.alerts import deliveries_of, recent_events
from widgets import check_mix, select_representative

SHOWN_STATUSES = (DisplayStatus.approved.value,)
SELECTION_SIZE = 9


def opinion_report(db: Database, brand_name: str, *, since: datetime | None = None, until: datetime | None = None,
                   now: datetime | None = None, period: str = "week", selection_size: int = SELECTION_SIZE) -> dict[str, Any]:
    """Everything the report shows for `brand_name` over [since, until) (all time by default)."""
    now = now or utcnow()
    with db.read() as session:
        brand = get_brand(session, brand_name)
        opinions = load_opinions(session, brand, since=since, until=until)
        alerts = _alerts(session, brand, since)
    themes = extract_themes(opinions, brand_words=[brand.name, *brand.aliases])
    approved = [opinion for opinion in opinions if opinion.status in SHOWN_STATUSES]
    selection = select_representative(opinions, selection_size, themes=themes_by_mention(themes), now=now)
    return {
        "brand": brand.name,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "generated_at": now.isoformat(),
        "summary": summarize_brand(opinions, period).as_dict(),
        "themes": [theme.as_dict() for theme in themes],
        "mix_check": {"displayed": "approved mentions", **check_mix(approved, opinions).as_dict()},
        "representative_selection": {
            **selection.as_dict(),
            "items": [{"mention_id": item.mention_id, "rating": item.rating, "sentiment": item.sentiment,
                       "published_at": item.published_at.isoformat() if item.published_at else None,
                       "text": item.full_text[:300]} for item in selection.items],
        },
        "alerts": alerts,
    }


def _alerts(session: Any, brand: Brand, since: datetime | None) -> list[dict[str, Any]]:
    events = recent_events(session, brand, since=since)
    deliveries = deliveries_of(session, [event.id for event, _ in events if event.id is not None])
    by_event: dict[int, list[dict[str, Any]]] = {}
    for delivery in deliveries:
        by_event.setdefault(delivery.event_id, []).append(
            {"channel_id": delivery.channel_id, "status": delivery.status, "attempts": delivery.attempts,
             "last_error": delivery.last_error})
    return [{"id": event.id, "rule": rule.rule, "window": event.window_key, "title": event.title, "text": event.text,
             "created_at": event.created_at.isoformat(), "deliveries": by_event.get(event.id or 0, [])}
            for event, rule in events]


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`30d`, `12w`, `6m` (30-day months) before now, or an ISO date or timestamp (UTC unless it says)."""
    now = now or utcnow()
    value = text.strip().lower()
    units = {"d": 1, "w": 7, "m": 30}
    if value[:-1].isdigit() and value[-1:] in units:
        return now - timedelta(days=int(value[:-1]) * units[value[-1]])
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"cannot read {text!r} as a time: use 30d, 12w, 6m or a date like 2026-05-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
