"""The few statistics opinion analytics needs: intervals for rates and means, and tests for change."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate with the bounds of its confidence interval."""

    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": round(self.value, 4), "low": round(self.low, 4), "high": round(self.high, 4)}


def wilson(successes: int, total: int, z: float = Z95) -> Interval:
    """The share `successes / total` with its Wilson score interval (sound at small counts and at 0% or 100%).

    With no observations the share is unknown: 0 with the widest interval, [0, 1].
    """
    if total <= 0:
        return Interval(0.0, 0.0, 1.0)
    if not 0 <= successes <= total:
        raise ValueError(f"successes must be between 0 and {total}, got {successes}")
    share = successes / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total)) / denominator
    return Interval(share, max(0.0, centre - margin), min(1.0, centre + margin))


def mean_interval(values: Sequence[float], z: float = Z95, bounds: tuple[float, float] = (1.0, 5.0)) -> Interval | None:
    """The mean of `values` with a normal-approximation interval, clipped to `bounds`; None when empty."""
    if not values:
        return None
    mean = sum(values) / len(values)
    if len(values) < 2:
        return Interval(mean, bounds[0], bounds[1])
    variance = sum((value - mean) ** 2 for value in values) / (len(values) - 1)
    margin = z * math.sqrt(variance / len(values))
    return Interval(mean, max(bounds[0], mean - margin), min(bounds[1], mean + margin))


def net_sentiment_interval(positive: int, negative: int, total: int, z: float = Z95) -> Interval:
    """(positive - negative) / total, from -1 to 1, with a normal-approximation interval."""
    if total <= 0:
        return Interval(0.0, -1.0, 1.0)
    p, n = positive / total, negative / total
    net = p - n
    variance = (p + n - net * net) / total
    margin = z * math.sqrt(max(variance, 0.0))
    return Interval(net, max(-1.0, net - margin), min(1.0, net + margin))


def normal_tail(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_z(hits_a: int, total_a: int, hits_b: int, total_b: int) -> float:
    """The pooled two-proportion z statistic for share b minus share a (0 when it is undefined)."""
    if total_a <= 0 or total_b <= 0:
        return 0.0
    pooled = (hits_a + hits_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    if spread == 0:
        return 0.0
    return (hits_b / total_b - hits_a / total_a) / spread


def welch_z(baseline: Sequence[float], recent: Sequence[float]) -> float:
    """(mean(recent) - mean(baseline)) over the standard error of the difference (0 when undefined)."""
    if len(baseline) < 2 or len(recent) < 2:
        return 0.0

    def mean_and_var(values: Sequence[float]) -> tuple[float, float]:
        mean = sum(values) / len(values)
        return mean, sum((value - mean) ** 2 for value in values) / (len(values) - 1)

    mean_a, var_a = mean_and_var(baseline)
    mean_b, var_b = mean_and_var(recent)
    # A floor on the variance: ten identical 5-star ratings are not infinitely certain.
    spread = math.sqrt(max(var_a, 0.25) / len(baseline) + max(var_b, 0.25) / len(recent))
    return (mean_b - mean_a) / spread
