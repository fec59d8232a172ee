"""Shift detection on synthetic streams: real shifts are caught within days, low-volume noise never fires."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from sentiment.opinion import Sensitivity, negative_shift, rating_drop, sensitivity, shifts_by_scope
from tests.opinion.factory import START, opinion


def stream(days: int, per_day: int, negative_share: float, *, seed: int, shift_day: int | None = None,
           shifted_share: float = 0.35, source_id: int = 1) -> list:
    rng = random.Random(seed)
    items = []
    for day in range(days):
        share = shifted_share if shift_day is not None and day >= shift_day else negative_share
        for slot in range(per_day):
            negative = rng.random() < share
            rating = float(rng.choice([1, 2])) if negative else float(rng.choice([4, 5, 5]))
            items.append(opinion(rating, day=day + slot / (per_day + 1), source_id=source_id))
    return items


def first_alarm(items: list, days: int, detector=negative_shift, tuning: Sensitivity = Sensitivity()) -> int | None:
    for day in range(days):
        if detector(items, START + timedelta(days=day, hours=23), tuning).fired:
            return day
    return None


def test_a_real_negative_shift_is_caught_within_three_days() -> None:
    # 20 mentions a day, 10% negative, then 35% negative from day 40.
    for seed in range(5):
        items = stream(60, 20, 0.10, seed=seed, shift_day=40)
        assert first_alarm(items, 60) in (40, 41, 42), seed


def test_a_real_rating_drop_is_caught_within_four_days() -> None:
    # from about 4.35 to about 3.4 stars on average, 20 ratings a day
    for seed in range(5):
        items = stream(60, 20, 0.10, seed=seed, shift_day=40, shifted_share=0.40)
        assert first_alarm(items, 60, rating_drop) in (40, 41, 42, 43), seed


def test_steady_opinion_almost_never_fires_over_months() -> None:
    # 1000 daily checks of a steady 10%-negative stream at 20 a day; a z threshold of 3.5 allows
    # about one chance alarm in 4000 independent checks (the windows overlap, so fewer).
    alarms = {"negative_share": 0, "average_rating": 0}
    for seed in range(5):
        items = stream(200, 20, 0.10, seed=seed)
        for day in range(200):
            for detector in (negative_shift, rating_drop):
                result = detector(items, START + timedelta(days=day, hours=23))
                alarms[result.metric] += result.fired
    assert alarms["negative_share"] <= 2 and alarms["average_rating"] <= 2, alarms


def test_low_volume_noise_never_fires_even_when_every_mention_is_angry() -> None:
    items = stream(120, 2, 0.30, seed=7)
    items += [opinion(1, day=100 + i / 10) for i in range(5)]
    assert first_alarm(items, 120) is None
    assert first_alarm(items, 120, rating_drop) is None


def test_three_angry_posts_on_a_quiet_sunday_do_not_fire() -> None:
    items = stream(60, 3, 0.10, seed=3)
    items += [opinion(1, day=59.5), opinion(1, day=59.6), opinion(1, day=59.7)]
    result = negative_shift(items, START + timedelta(days=59, hours=23))
    assert not result.fired
    assert "within chance" in result.reason or "too few" in result.reason


def test_a_shift_reports_its_window_and_figures() -> None:
    items = stream(60, 20, 0.10, seed=1, shift_day=45)
    result = negative_shift(items, START + timedelta(days=55, hours=12))
    assert result.fired and result.baseline_value is not None and result.recent_value is not None
    assert result.recent_value > result.baseline_value + 0.10
    assert result.window == "2026-02-22..2026-02-26"
    assert result.as_dict()["window"] == result.window and result.p_value < 0.01


def test_shifts_are_judged_per_source_too() -> None:
    items = stream(60, 20, 0.10, seed=2, source_id=1) + stream(60, 20, 0.10, seed=2, shift_day=40, shifted_share=0.6, source_id=2)
    fired = {(shift.scope, shift.metric) for shift in shifts_by_scope(items, START + timedelta(days=45)) if shift.fired}
    assert ("source 2", "negative_share") in fired and ("source 1", "negative_share") not in fired


def test_sensitivity_presets() -> None:
    assert sensitivity("high").z < sensitivity("medium").z < sensitivity("low").z
    with pytest.raises(ValueError, match="unknown sensitivity"):
        sensitivity("paranoid")
