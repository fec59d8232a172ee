"""Source runs: every error absorbed and recorded, pages stored with their cursor, backoff, due sources."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

from collectors import Collector, Fetcher, HttpOptions, Page, Params, Registry, due_sources, run_sources
from collectors.errors import UpstreamError
from collectors.runner import next_run_after_failure
from storage import Database, MentionIn, Source, utcnow
from tests.collectors.conftest import make_source, stored_mentions


class FakeParams(Params):
    base_url: str = "https://fake.test"
    fail_after: int = 99
    failure: str = "upstream"


class Fake(Collector):
    """Two pages of made-up reviews; fails where told to."""

    kind = "fake"
    Params = FakeParams
    params: FakeParams
    example: dict[str, str] = {}

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        for number in (1, 2):
            if number > self.params.fail_after:
                if self.params.failure == "bug":
                    raise ValueError("a bug in the collector")
                raise UpstreamError("the service answered 502")
            yield Page([MentionIn(external_id=f"{number}", text=f"page {number}", rating=4)], {"after_page": number})


def registry_with_fake() -> Registry:
    fakes = Registry()
    fakes.register(Fake)
    return fakes


def run(db: Database, ids: list[int]) -> list[Any]:
    async def go() -> list[Any]:
        async with Fetcher(HttpOptions()) as fetcher:
            return await run_sources(db, ids, HttpOptions(), collectors=registry_with_fake(), fetcher=fetcher, failure_threshold=2)

    return asyncio.run(go())


def source_row(db: Database, source_id: int) -> Source:
    with db.read() as session:
        return session.get(Source, source_id)


def test_a_failure_mid_run_keeps_the_pages_before_it_and_their_cursor(any_db: Database) -> None:
    db = any_db
    source_id = make_source(db, "fake", {"fail_after": 1})
    [report] = run(db, [source_id])
    assert (report.new, report.error_class) == (1, "UpstreamError")
    assert [m.external_id for m in stored_mentions(db, source_id)] == ["1"]
    row = source_row(db, source_id)
    assert row.state == {"after_page": 1}
    assert (row.consecutive_failures, row.last_error) == (1, "UpstreamError: the service answered 502")


def test_a_bug_in_one_collector_is_recorded_and_the_others_still_run(db: Database) -> None:
    broken = make_source(db, "fake", {"fail_after": 0, "failure": "bug"})
    healthy = make_source(db, "fake", {})
    reports = {r.source_id: r for r in run(db, [broken, healthy])}
    assert reports[broken].error_class == "InternalError" and "a bug in the collector" in reports[broken].error
    assert (reports[healthy].new, reports[healthy].error) == (2, None)


def test_failing_is_reported_only_after_the_threshold_and_success_resets(db: Database) -> None:
    source_id = make_source(db, "fake", {"fail_after": 0})
    assert [r.failing for r in run(db, [source_id])] == [False]
    assert [r.failing for r in run(db, [source_id])] == [True]
    with db.write() as session:
        row = session.get(Source, source_id)
        row.params = {}
        session.add(row)
    [report] = run(db, [source_id])
    assert (report.error, report.failing) == (None, False)
    assert (source_row(db, source_id).consecutive_failures, source_row(db, source_id).last_error) == (0, None)


def test_invalid_stored_parameters_are_a_recorded_error(db: Database) -> None:
    source_id = make_source(db, "fake", {"fail_after": "soon"})
    [report] = run(db, [source_id])
    assert report.error_class == "InvalidParams" and "fail_after" in report.error


def test_failure_backoff_doubles_from_five_minutes_and_stops_at_a_day() -> None:
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert [next_run_after_failure(now, n, None) - now for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert next_run_after_failure(now, 30, None) - now == timedelta(days=1)
    assert next_run_after_failure(now, 1, 6 * 3600) - now == timedelta(hours=6)


def test_due_sources_skip_imports_disabled_and_backing_off_sources(db: Database) -> None:
    due = make_source(db, "fake", {})
    imported = make_source(db, "import", {})
    disabled = make_source(db, "fake", {})
    waiting = make_source(db, "fake", {})
    with db.write() as session:
        session.get(Source, disabled).enabled = False
        session.get(Source, waiting).next_run_at = utcnow() + timedelta(minutes=5)
    assert imported and due_sources(db, collectors=registry_with_fake()) == [due]


def test_watermark_moves_only_when_a_run_finishes_and_survives_a_garbled_cursor() -> None:
    from collectors import Watermark

    def item(day: int) -> MentionIn:
        return MentionIn(external_id=str(day), published_at=datetime(2024, 1, day, tzinfo=timezone.utc))

    mark = Watermark({"since": "2024-01-05T00:00:00+00:00"})
    assert mark.see([item(9), item(8)]) is False
    assert mark.cursor(finished=False) == {"since": "2024-01-05T00:00:00+00:00"}
    assert mark.see([item(6), item(5)]) is True
    assert mark.cursor(finished=True) == {"since": "2024-01-09T00:00:00+00:00"}
    assert Watermark({"since": "yesterday"}).since is None
