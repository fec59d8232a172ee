"""Rules fire once per window and channel; deliveries retry with backoff, respect cooldowns, and a crash
between sending and recording never sends twice."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from advocado.alerts import RetryPolicy, SendOptions, check_rules, deliver_due, run_check
from advocado.alerts.channels import channel_kind
from advocado.alerts.channels.webhook import Webhook
from storage import Database, MentionIn, add_brand, get_or_add_source, ingest
from storage.alerts import add_channel, add_rule
from storage.models import AlertDelivery, AlertEvent
from tests.alerts.receivers import http_receiver, smtp_receiver

NOW = datetime(2026, 3, 30, 12, tzinfo=timezone.utc)
LOOPBACK = SendOptions(timeout=5, allow_private_networks=True)
POLICY = RetryPolicy(max_attempts=3, base_seconds=60, cap_seconds=600, lease_seconds=600)
SECRET = "s3cret-signing-key-0123"


def shifted_items(now: datetime, *, recent_negative: float = 0.5, prefix: str = "r", recent_days: int = 3) -> list[MentionIn]:
    """A month at 4 mentions a day, 10% negative, then the last `recent_days` days at 10 a day, `recent_negative` negative."""
    rng = random.Random(5)
    items = []
    for day in range(32 + recent_days, 0, -1):
        recent = day <= recent_days
        for slot in range(10 if recent else 4):
            negative = rng.random() < (recent_negative if recent else 0.10)
            when = now - timedelta(days=day - 1, hours=slot + 1)
            items.append(MentionIn(external_id=f"{prefix}-{day}-{slot}", rating=1.0 if negative else 5.0,
                                   text=f"review {day} {slot}", published_at=when))
    return items


def setup(db: Database, channels: list[tuple[str, dict]], rule: str = "negative-shift", cooldown: float = 24.0,
          items: list[MentionIn] | None = None) -> int:
    with db.write() as session:
        brand = add_brand(session, "Acme")
        source_id = get_or_add_source(session, brand, "import", "file").id
        ids = []
        for kind, params in channels:
            chosen = channel_kind(kind)
            channel = add_channel(session, kind, chosen.stored(chosen.validate(params)))
            ids.append(channel.id)
        rule_id = add_rule(session, brand, rule, ids, cooldown_hours=cooldown).id
    assert source_id is not None and rule_id is not None
    ingest(db, source_id, items if items is not None else shifted_items(NOW))
    return rule_id


def statuses(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        return [(d.status, d.attempts) for d in session.exec(select(AlertDelivery).order_by(AlertDelivery.id))]


def test_a_negative_shift_alerts_once_on_every_channel(any_db: Database) -> None:
    db = any_db
    with http_receiver() as hook, http_receiver() as slack, smtp_receiver() as (port, inbox):
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET}), ("slack", {"url": slack.url}),
                   ("email", {"host": "127.0.0.1", "port": port, "security": "none", "sender": "a@acme.example",
                              "recipients": ["team@acme.example"]})])
        first = run_check(db, LOOPBACK, now=NOW, policy=POLICY)
        again = run_check(db, LOOPBACK, now=NOW + timedelta(hours=3), policy=POLICY)
    assert (first.sent, len(first.fired)) == (3, 1)
    assert (again.sent, again.fired, len(again.already_sent)) == (0, [], 1)
    assert len(hook.requests) == len(slack.requests) == len(inbox.messages) == 1
    assert hook.requests[0].json()["rule"] == "negative-shift"
    assert "Negative shift for Acme" in slack.requests[0].json()["text"]
    assert statuses(db) == [("sent", 1)] * 3


def test_steady_opinion_sends_nothing(db: Database) -> None:
    with http_receiver() as hook:
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET})], items=shifted_items(NOW, recent_negative=0.1))
        report = run_check(db, LOOPBACK, now=NOW, policy=POLICY)
    assert (report.fired, report.sent, hook.requests) == ([], 0, [])


def test_failed_deliveries_are_retried_with_backoff_then_sent_once(db: Database) -> None:
    with http_receiver([500, 503]) as hook:
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET})])
        assert run_check(db, LOOPBACK, now=NOW, policy=POLICY).retrying == 1
        assert deliver_due(db, LOOPBACK, now=NOW + timedelta(seconds=59), policy=POLICY).retrying == 0  # not due yet
        assert deliver_due(db, LOOPBACK, now=NOW + timedelta(seconds=60), policy=POLICY).retrying == 1
        assert deliver_due(db, LOOPBACK, now=NOW + timedelta(seconds=179), policy=POLICY).sent == 0  # 60 + 120 backoff
        assert deliver_due(db, LOOPBACK, now=NOW + timedelta(seconds=180), policy=POLICY).sent == 1
        assert deliver_due(db, LOOPBACK, now=NOW + timedelta(days=1), policy=POLICY).sent == 0
    assert len(hook.requests) == 3
    assert statuses(db) == [("sent", 3)]


def test_a_delivery_gives_up_after_the_last_attempt_or_a_permanent_refusal(db: Database) -> None:
    with http_receiver([500, 500, 500, 500]) as hook, http_receiver([404]) as gone:
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET}), ("slack", {"url": gone.url})])
        first = run_check(db, LOOPBACK, now=NOW, policy=POLICY)
        for minutes in (1, 3, 10):
            deliver_due(db, LOOPBACK, now=NOW + timedelta(minutes=minutes), policy=POLICY)
    assert (first.retrying, first.failed) == (1, 1)
    assert statuses(db) == [("failed", 3), ("failed", 1)]
    assert len(hook.requests) == 3 and len(gone.requests) == 1
    with db.read() as session:
        assert "500" in (session.exec(select(AlertDelivery)).first().last_error or "")


class Crash(BaseException):
    """The process dying right after the receiver got the message."""


class CrashAfterSending(Webhook):
    async def send(self, *args: object, **kwargs: object) -> None:
        await super().send(*args, **kwargs)  # type: ignore[arg-type]
        raise Crash


def test_a_crash_between_send_and_record_never_sends_twice(any_db: Database) -> None:
    db = any_db
    with http_receiver() as hook:
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET})])
        check_rules(db, now=NOW)
        with pytest.raises(Crash):
            deliver_due(db, LOOPBACK, now=NOW, policy=POLICY, channels={"webhook": CrashAfterSending()})
        # The restarted process replays the check and delivers: nothing is sent again.
        replay = run_check(db, LOOPBACK, now=NOW + timedelta(minutes=1), policy=POLICY)
        later = run_check(db, LOOPBACK, now=NOW + timedelta(minutes=11), policy=POLICY)
    assert len(hook.requests) == 1
    assert (replay.sent, replay.fired, later.sent, later.unconfirmed) == (0, [], 0, 1)
    assert statuses(db) == [("unconfirmed", 1)]
    with db.read() as session:
        assert len(session.exec(select(AlertEvent)).all()) == 1


def test_cooldown_suppresses_a_new_window_until_it_passes(db: Database) -> None:
    with http_receiver() as hook:
        # the shift goes on for two more days after NOW
        setup(db, [("webhook", {"url": hook.url, "secret": SECRET})], cooldown=48,
              items=shifted_items(NOW + timedelta(days=2), recent_days=5, recent_negative=0.8))
        assert run_check(db, LOOPBACK, now=NOW, policy=POLICY).fired
        next_day = run_check(db, LOOPBACK, now=NOW + timedelta(days=1), policy=POLICY)
        after = run_check(db, LOOPBACK, now=NOW + timedelta(days=2, hours=1), policy=POLICY)
    assert len(next_day.suppressed) == 1 and next_day.sent == 0
    assert after.fired and after.sent == 1
    assert len(hook.requests) == 2


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_seconds=60, cap_seconds=300)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4, 10)] == [60, 120, 240, 300, 300]
    assert 300 <= policy.delay(10, random.Random(1)).total_seconds() <= 330

