"""Server-side SVG charts: bar geometry computed here, drawn by the templates (so all text is escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 720
HEIGHT = 160
SENTIMENT_ORDER = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    first_day: str
    last_day: str
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def stacked_bars(series: dict[str, dict[str, int]], parts: tuple[str, ...]) -> Chart | None:
    """One bar per day from the first to the last day in `series`, stacked by `parts` (empty days show as gaps)."""
    if not series:
        return None
    days = _days(min(series), max(series))
    peak = max(sum(counts.values()) for counts in series.values()) or 1
    slot = WIDTH / len(days)
    bars = []
    for index, day in enumerate(days):
        counts = series.get(day, {})
        top = float(HEIGHT)
        for part in parts:
            value = counts.get(part, 0)
            if not value:
                continue
            height = HEIGHT * value / peak
            top -= height
            bars.append(Bar(x=round(index * slot, 2), y=round(top, 2), width=round(max(slot * 0.8, 1), 2),
                            height=round(height, 2), css_class=f"bar-{part}", title=f"{day}: {value} {part}".strip()))
    return Chart(bars=bars, first_day=days[0], last_day=days[-1], peak=peak)


def volume_chart(volume: list[tuple[str, int]]) -> Chart | None:
    return stacked_bars({day: {"mentions": count} for day, count in volume}, ("mentions",))


def sentiment_chart(per_day: list[tuple[str, dict[str, int]]]) -> Chart | None:
    return stacked_bars(dict(per_day), SENTIMENT_ORDER)
