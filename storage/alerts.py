"""Alert channels, rules, events and the delivery outbox: the rows and their state changes.

The outbox rules: an event is unique per (rule, window) and a delivery per (rule, channel,
window), so replaying a check adds nothing. A delivery is claimed (`sending`) in its own committed
transaction before anything is sent; one still `sending` after a crash is marked `unconfirmed`,
never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.errors import NotFound
from storage.models import AlertChannel, AlertDelivery, AlertEvent, AlertRule, Brand
from storage.types import utcnow


def add_channel(session: Session, kind: str, params: dict[str, Any], name: str = "") -> AlertChannel:
    """Store a channel; `params` must already be validated by the channel kind."""
    channel = AlertChannel(kind=kind, name=name, params=params)
    session.add(channel)
    session.flush()
    return channel


def get_channel(session: Session, channel_id: int) -> AlertChannel:
    channel = session.get(AlertChannel, channel_id)
    if channel is None:
        raise NotFound(f"no alert channel with id {channel_id}")
    return channel


def list_channels(session: Session) -> list[AlertChannel]:
    return list(session.exec(select(AlertChannel).order_by(col(AlertChannel.id))))


def add_rule(session: Session, brand: Brand, rule: str, channel_ids: Sequence[int], *, sensitivity: str = "medium",
             cooldown_hours: float = 24.0) -> AlertRule:
    """Store a rule for `brand`; every channel id must exist."""
    for channel_id in channel_ids:
        get_channel(session, channel_id)
    assert brand.id is not None
    alert_rule = AlertRule(brand_id=brand.id, rule=rule, channel_ids=list(dict.fromkeys(channel_ids)),
                           sensitivity=sensitivity, cooldown_hours=cooldown_hours)
    session.add(alert_rule)
    session.flush()
    return alert_rule


def list_rules(session: Session, brand: Brand | None = None, *, enabled_only: bool = False) -> list[tuple[AlertRule, str]]:
    """Rules with their brand's name, in id order."""
    query = select(AlertRule, Brand.name).join(Brand, col(Brand.id) == AlertRule.brand_id)
    if brand is not None:
        query = query.where(AlertRule.brand_id == brand.id)
    if enabled_only:
        query = query.where(col(AlertRule.enabled).is_(True))
    return [(rule, name) for rule, name in session.exec(query.order_by(col(AlertRule.id)))]


def last_event(session: Session, rule_id: int) -> AlertEvent | None:
    return session.exec(select(AlertEvent).where(AlertEvent.rule_id == rule_id)
                        .order_by(col(AlertEvent.created_at).desc(), col(AlertEvent.id).desc())).first()


def record_event(session: Session, rule: AlertRule, window_key: str, title: str, text: str,
                 details: dict[str, Any], now: datetime | None = None) -> AlertEvent | None:
    """Record that `rule` fired for `window_key` and queue one delivery per channel, in the caller's
    transaction; None when this rule already fired for this window."""
    assert rule.id is not None
    existing = session.exec(select(AlertEvent).where(AlertEvent.rule_id == rule.id,
                                                     AlertEvent.window_key == window_key)).first()
    if existing is not None:
        return None
    now = now or utcnow()
    event = AlertEvent(rule_id=rule.id, window_key=window_key, title=title, text=text, details=details, created_at=now)
    session.add(event)
    session.flush()
    assert event.id is not None
    for channel_id in rule.channel_ids:
        session.add(AlertDelivery(event_id=event.id, rule_id=rule.id, channel_id=channel_id, window_key=window_key,
                                  next_attempt_at=now, created_at=now))
    session.flush()
    return event


def recent_events(session: Session, brand: Brand, *, since: datetime | None = None, limit: int = 20) -> list[tuple[AlertEvent, AlertRule]]:
    """The brand's newest alert events with their rules."""
    query = (select(AlertEvent, AlertRule).join(AlertRule, col(AlertRule.id) == AlertEvent.rule_id)
             .where(AlertRule.brand_id == brand.id))
    if since is not None:
        query = query.where(col(AlertEvent.created_at) >= since)
    rows = session.exec(query.order_by(col(AlertEvent.created_at).desc(), col(AlertEvent.id).desc()).limit(limit))
    return [(event, rule) for event, rule in rows]


def deliveries_of(session: Session, event_ids: Sequence[int]) -> list[AlertDelivery]:
    return list(session.exec(select(AlertDelivery).where(col(AlertDelivery.event_id).in_(list(event_ids)))
                             .order_by(col(AlertDelivery.id))))


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery with what sending it needs."""

    delivery_id: int
    attempts: int
    key: str
    event: AlertEvent
    channel: AlertChannel
    brand: str


def mark_unconfirmed(session: Session, stale_before: datetime) -> int:
    """Deliveries claimed before `stale_before` and never recorded (a crash mid-send) become `unconfirmed`."""
    result = session.execute(
        update(AlertDelivery).where(col(AlertDelivery.status) == "sending", col(AlertDelivery.claimed_at) < stale_before)
        .values(status="unconfirmed", last_error="the process stopped while sending; not resent to avoid a duplicate")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_due(session: Session, now: datetime, limit: int = 100) -> list[DueDelivery]:
    """Mark pending deliveries whose time has come as `sending` and return them (commit before sending)."""
    rows = session.exec(
        select(AlertDelivery, AlertEvent, AlertChannel, Brand.name)
        .join(AlertEvent, col(AlertEvent.id) == AlertDelivery.event_id)
        .join(AlertChannel, col(AlertChannel.id) == AlertDelivery.channel_id)
        .join(AlertRule, col(AlertRule.id) == AlertDelivery.rule_id)
        .join(Brand, col(Brand.id) == AlertRule.brand_id)
        .where(col(AlertDelivery.status) == "pending", col(AlertDelivery.next_attempt_at) <= now)
        .order_by(col(AlertDelivery.next_attempt_at), col(AlertDelivery.id)).limit(limit)
    ).all()
    claimed = []
    for delivery, event, channel, brand in rows:
        delivery.status, delivery.claimed_at, delivery.attempts = "sending", now, delivery.attempts + 1
        session.add(delivery)
        assert delivery.id is not None
        claimed.append(DueDelivery(delivery.id, delivery.attempts,
                                   f"advocado-{delivery.rule_id}-{delivery.channel_id}-{delivery.window_key}",
                                   event, channel, brand))
    session.flush()
    return claimed


def record_outcome(session: Session, delivery_id: int, *, sent: bool, now: datetime, error: str | None = None,
                   retry_at: datetime | None = None) -> None:
    """After one attempt: `sent`, or pending again at `retry_at`, or `failed` when there is no retry."""
    delivery = session.get(AlertDelivery, delivery_id)
    if delivery is None:
        return
    if sent:
        delivery.status, delivery.sent_at, delivery.last_error = "sent", now, None
    else:
        delivery.status = "pending" if retry_at is not None else "failed"
        delivery.next_attempt_at = retry_at or delivery.next_attempt_at
        delivery.last_error = (error or "unknown error")[:1000]
    session.add(delivery)


def stale_cutoff(now: datetime, lease_seconds: float) -> datetime:
    return now - timedelta(seconds=lease_seconds)
