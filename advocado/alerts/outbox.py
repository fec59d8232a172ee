"""Checking rules and delivering their alerts through the outbox, with retries, backoff and cooldowns."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocado.alerts.channels import AlertMessage, Channel, SendOptions, channel_kind
from advocado.alerts.errors import AlertError, DeliveryFailed
from advocado.alerts.rules import MONITOR_RULE_HELP, Finding, evaluate, evaluate_monitor, lookback
from sentiment.opinion import load_opinions, sensitivity
from storage import Database, utcnow
from storage.alerts import DueDelivery, claim_due, last_event, list_rules, mark_unconfirmed, record_event, record_outcome
from storage.models import AlertRule, Brand

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per delivery and the exponential backoff between them (with up to 10% jitter)."""

    max_attempts: int = 5
    base_seconds: float = 60.0
    cap_seconds: float = 3600.0
    lease_seconds: float = 600.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        seconds = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds * (1 + 0.1 * (rng.random() if rng else 0.0)))


@dataclass
class CheckReport:
    """What one `alert check` did."""

    fired: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unconfirmed: int = 0
    errors: list[str] = field(default_factory=list)


def check_rules(db: Database, now: datetime | None = None, report: CheckReport | None = None) -> CheckReport:
    """Evaluate every enabled rule as of `now` and queue deliveries for those that fired.

    A rule that fired for the same window before adds nothing; one that fired for another window
    within its cooldown is suppressed.
    """
    now = now or utcnow()
    report = report or CheckReport()
    with db.read() as session:
        rules = [(rule, session.get(Brand, rule.brand_id)) for rule, _ in list_rules(session, enabled_only=True)]
    for rule, brand in rules:
        if brand is None:
            continue
        label = f"rule {rule.id} ({rule.rule}, {brand.name})"
        if rule.rule in MONITOR_RULE_HELP:
            finding = evaluate_monitor(db, rule.rule, brand.name, now)
        else:
            tuning = sensitivity(rule.sensitivity)
            with db.read() as session:
                opinions = load_opinions(session, brand, since=now - lookback(tuning), until=now + timedelta(seconds=1))
            finding = evaluate(rule.rule, brand.name, opinions, now, rule.sensitivity)
        with db.write() as session:
            stored = session.get(AlertRule, rule.id)
            if stored is None:
                continue
            stored.last_checked_at = now
            session.add(stored)
            if finding is None:
                continue
            previous = last_event(session, rule.id or 0)
            if previous is not None and previous.window_key == finding.window_key:
                report.already_sent.append(label)
            elif previous is not None and previous.created_at > now - timedelta(hours=rule.cooldown_hours):
                report.suppressed.append(label)
            elif _record(session, stored, finding, now):
                report.fired.append(label)
            else:
                report.already_sent.append(label)
    return report


def _record(session: Session, rule: AlertRule, finding: Finding, now: datetime) -> bool:
    # A concurrent check (PostgreSQL) may insert the same window first; the unique key decides.
    try:
        with session.begin_nested():
            details = {"rule": rule.rule, "sensitivity": rule.sensitivity, **finding.details}
            return record_event(session, rule, finding.window_key, finding.title, finding.text, details, now) is not None
    except IntegrityError:
        return False


def deliver_due(
    db: Database,
    options: SendOptions = SendOptions(),
    *,
    now: datetime | None = None,
    policy: RetryPolicy = RetryPolicy(),
    channels: dict[str, Channel] | None = None,
    rng: random.Random | None = None,
    report: CheckReport | None = None,
) -> CheckReport:
    """Send every delivery that is due. Each is claimed and committed before sending, and its outcome
    recorded after; a transient failure is retried later with backoff, up to `policy.max_attempts`."""
    now = now or utcnow()
    report = report or CheckReport()
    with db.write() as session:
        report.unconfirmed += mark_unconfirmed(session, now - timedelta(seconds=policy.lease_seconds))
        due = claim_due(session, now)
    if not due:
        return report
    outcomes = asyncio.run(_send_all(due, options, channels or {}))
    with db.write() as session:
        for item, error in zip(due, outcomes):
            if error is None:
                record_outcome(session, item.delivery_id, sent=True, now=now)
                report.sent += 1
                continue
            retry_at = None
            if isinstance(error, DeliveryFailed) and item.attempts < policy.max_attempts:
                retry_at = now + policy.delay(item.attempts, rng)
                report.retrying += 1
            else:
                report.failed += 1
            report.errors.append(f"channel {item.channel.id} ({item.channel.kind}): {error}")
            record_outcome(session, item.delivery_id, sent=False, now=now, error=str(error), retry_at=retry_at)
    return report


async def _send_all(due: list[DueDelivery], options: SendOptions, channels: dict[str, Channel]) -> list[AlertError | None]:
    results: list[AlertError | None] = []
    for item in due:
        try:
            kind = channel_kind(item.channel.kind)
            channel = channels.get(item.channel.kind) or kind()
            params = kind.validate(item.channel.params)
            message = AlertMessage(key=item.key, brand=item.brand, rule=str(item.event.details.get("rule", "")),
                                   title=item.event.title, text=item.event.text, window=item.event.window_key,
                                   created_at=item.event.created_at, details=item.event.details)
            await channel.send(message, params, options)
            results.append(None)
        except AlertError as error:
            results.append(error)
    return results


def run_check(db: Database, options: SendOptions = SendOptions(), *, now: datetime | None = None,
              policy: RetryPolicy = RetryPolicy(), channels: dict[str, Channel] | None = None) -> CheckReport:
    """`advocado alert check`: evaluate every rule now, then deliver everything that is due."""
    report = check_rules(db, now)
    return deliver_due(db, options, now=now, policy=policy, channels=channels, report=report)
