"""The listing queries behind the API and pages, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from storage import Brand, Database, MentionFilter, list_mentions, moderate, overview
from storage.listing import _page
from tests.web.conftest import NOW, _seed


def test_filters_search_tags_and_overview_on_every_database(any_db: Database) -> None:
    site = _seed(any_db)
    with any_db.write() as session:
        moderate(session, [site.mention_ids["r4"]], add_tags=["home page", "quotes"])
    with any_db.read() as session:
        def ids(**where: object) -> list[str]:
            found = list_mentions(session, MentionFilter(brand_id=site.brand_id, **where))  # type: ignore[arg-type]
            return [row.mention.external_id for row in found.items]

        assert ids() == ["r1", "r2", "r3", "r4", "x1", "u1"]
        assert ids(search="SUPPORT quick") == ["r1"]
        assert ids(search="50%_off") == []
        assert ids(tag="home page") == ["r4"] and ids(tag="home") == []
        assert ids(sentiment="negative", max_rating=1) == ["r2"]
        figures = overview(session, session.get(Brand, site.brand_id), days=30, now=NOW)  # type: ignore[arg-type]
    assert figures.total == 6 and figures.sentiment_totals == {"positive": 2, "negative": 2, "neutral": 1}
    assert [day for day, _ in figures.volume] == ["2026-11-14", "2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18",
                                                  "2026-11-19"]
    assert [row.mention.external_id for row in figures.latest_negative] == ["r2", "x1"]


def test_both_query_plans_give_the_same_page(db: Database) -> None:
    site = _seed(db)
    where = MentionFilter(brand_id=site.brand_id)
    with db.read() as session:
        by_source = _page(session, where, offset=1, limit=3, by_time=False)
        by_time = _page(session, where, offset=1, limit=3, by_time=True)
    assert [r.mention.id for r in by_source] == [r.mention.id for r in by_time]
    assert [r.mention.external_id for r in by_time] == ["r2", "r3", "r4"]
