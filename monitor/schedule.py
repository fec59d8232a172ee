"""When the monitor runs on its own: brands that were run by hand at least once are run again every
`every` (daily by default) by whoever hosts the loop (`advocado serve` / `advocado worker`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import col, select

from monitor.analyze import DEFAULT_CONTROL_BRAND, Scorer
from monitor.run import DEFAULT_SAMPLES, RunOptions, RunReport, analyse_run, collect
from storage import Database, list_brands
from storage.models import MonitorRun


def due_brands(db: Database, now: datetime, every: timedelta = timedelta(days=1)) -> list[str]:
    """Brands whose newest monitor run started `every` or longer ago (never-run brands are not scheduled:
    asking costs money, so a first run by hand opts a brand in)."""
    due = []
    with db.read() as session:
        for brand in list_brands(session):
            last = session.exec(select(MonitorRun).where(MonitorRun.brand_id == brand.id)
                                .order_by(col(MonitorRun.started_at).desc())).first()
            if last is not None and now - last.started_at >= every:
                due.append(brand.name)
    return due


async def run_due(db: Database, *, now: Callable[[], datetime], every: timedelta = timedelta(days=1),
                  samples: int = DEFAULT_SAMPLES, options: RunOptions | None = None, scorer: Scorer | None = None,
                  control_brand: str | None = DEFAULT_CONTROL_BRAND) -> list[RunReport]:
    """Run and analyse every due brand, one after another; returns their reports. Call it from the
    scheduler's loop (for example every hour); a brand that fails is skipped until its next turn."""
    from monitor.errors import MonitorError

    reports = []
    for brand in due_brands(db, now(), every):
        try:
            report = await collect(db, brand, samples=samples, options=options)
        except MonitorError:
            continue
        analyse_run(db, report.run_id, brand, scorer=scorer, control_brand=control_brand)
        reports.append(report)
    return reports
