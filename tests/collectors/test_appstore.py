"""App Store: the feed parsers on real captured responses and edge shapes, then end to end on loopback."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.appstore import parse_atom_feed, parse_json_feed, to_mention
from collectors.errors import ParseError
from storage import Database, Source
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen

APP = "474495017"


def test_real_dutch_feed_page_parses_all_50_reviews(fixtures_dir: Path) -> None:
    data = json.loads((fixtures_dir / "appstore/itunes_nl_customerreviews_id474495017_2023.json").read_text())
    page = parse_json_feed(data)
    items = [to_mention(review, APP, "nl") for review in page.reviews]
    assert len(items) == 50
    assert page.last_page == 10
    assert Counter(item.rating for item in items) == {1.0: 30, 2.0: 11, 3.0: 4, 4.0: 2, 5.0: 3}
    first = items[0]
    assert first.external_id == "9571111689"
    assert first.author_name == "Tony18Jr"
    assert first.published_at == datetime(2023, 2, 1, 12, 6, 45, tzinfo=timezone.utc)  # -07:00 stored as UTC
    assert first.text.startswith("Elke keer kan ik")
    assert "country:nl" in first.tags
    assert len({item.external_id for item in items}) == 50


def test_real_empty_feed_has_no_reviews_and_no_last_page(fixtures_dir: Path) -> None:
    data = json.loads((fixtures_dir / "appstore/itunes_en_customerreviews_empty_2015.json").read_text())
    page = parse_json_feed(data)
    assert page.reviews == []
    assert page.last_page is None


def review(n: int, when: str = "2024-03-01T10:00:00-07:00", stars: str = "4") -> dict[str, Any]:
    return {"id": {"label": str(n)}, "title": {"label": f"Title {n}"}, "content": {"label": f"Review {n}", "attributes": {"type": "text"}},
            "im:rating": {"label": stars}, "author": {"name": {"label": f"user{n}"}, "uri": {"label": f"https://itunes.apple.com/us/reviews/id{n}"}},
            "updated": {"label": when}, "im:version": {"label": "1.0"}}


def feed(entries: Any, last_page: int | None = None) -> dict[str, Any]:
    links = [{"attributes": {"rel": "self", "href": "https://itunes.apple.com/x"}}]
    if last_page:
        links.append({"attributes": {"rel": "last", "href": f"https://itunes.apple.com/us/rss/customerreviews/page={last_page}/id=1/sortby=mostrecent/xml?urlDesc=/x"}})
    body: dict[str, Any] = {"feed": {"link": links, "id": {"label": "x"}}}
    if entries is not None:
        body["feed"]["entry"] = entries
    return body


def test_single_review_feed_is_an_object_not_a_list() -> None:
    assert [r["id"] for r in parse_json_feed(feed(review(1))).reviews] == ["1"]


def test_legacy_app_metadata_entry_is_skipped() -> None:
    metadata = {"im:name": {"label": "The App"}, "id": {"label": "https://itunes.apple.com/app/id1"}, "im:artist": {"label": "Acme"}}
    assert [r["id"] for r in parse_json_feed(feed([metadata, review(2), review(3)])).reviews] == ["2", "3"]


def test_reshaped_feed_is_a_parse_error_not_zero_reviews() -> None:
    with pytest.raises(ParseError):
        parse_json_feed({"results": []})
    with pytest.raises(ParseError):
        parse_json_feed({"feed": {"entry": "oops"}})


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns:im="http://itunes.apple.com/rss" xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>https://itunes.apple.com/us/rss/customerreviews/id=1/sortby=mostrecent/xml</id>
  <link rel="last" href="https://itunes.apple.com/us/rss/customerreviews/page=4/id=1/sortby=mostrecent/xml?urlDesc=/x"/>
  <entry><id>https://itunes.apple.com/app/id1</id><title>App metadata</title><im:name>App</im:name></entry>
  <entry>
    <updated>2024-02-29T23:30:00-08:00</updated><id>777</id><title>Great &amp; fast</title>
    <content type="text">Works &lt;well&gt;</content><content type="html">&lt;b&gt;Works&lt;/b&gt;</content>
    <im:rating>5</im:rating><im:version>2.1</im:version>
    <author><name>ann</name><uri>https://itunes.apple.com/us/reviews/id9</uri></author>
  </entry>
</feed>"""


def test_atom_xml_feed_parses_like_json() -> None:
    page = parse_atom_feed(ATOM)
    assert page.last_page == 4
    item = to_mention(page.reviews[0], "1", "us")
    assert (item.external_id, item.title, item.text, item.rating, item.author_name) == ("777", "Great & fast", "Works <well>", 5.0, "ann")
    assert item.published_at == datetime(2024, 3, 1, 7, 30, tzinfo=timezone.utc)


def test_broken_xml_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_atom_feed(b"<feed><entry>")


class FakeAppStore:
    """Serves newest-first review pages per country, 3 reviews a page, like Apple's feed."""

    def __init__(self, server: Loopback, reviews: dict[str, list[int]]) -> None:
        self.reviews = reviews
        for country in reviews:
            for page in range(1, 12):
                server.route(f"/{country}/rss/customerreviews/page={page}/id={APP}/sortby=mostrecent/json",
                             lambda seen, c=country, p=page: self.answer(c, p, seen))

    def answer(self, country: str, page: int, _seen: Seen) -> Answer:
        numbers = sorted(self.reviews[country], reverse=True)
        pages = max(1, -(-len(numbers) // 3))
        if page > min(pages, 10):
            return Answer("<html>bad request</html>", 400, content_type="text/html")
        chunk = numbers[(page - 1) * 3: page * 3]
        entries = [review(n, when=f"2024-03-01T{n % 24:02d}:{n // 24 % 60:02d}:00Z", stars=str(1 + n % 5)) for n in chunk]
        return Answer(json.dumps(feed(entries, last_page=pages)))


def collect(db: Database, source_id: int, options: HttpOptions) -> Any:
    return asyncio.run(run_sources(db, [source_id], options))[0]


def test_end_to_end_pages_incremental_and_cursor(any_db: Database, loopback: Loopback, options: HttpOptions,
                                                  request: pytest.FixtureRequest) -> None:
    db = any_db
    store = FakeAppStore(loopback, {"us": list(range(1, 8)), "gb": [100, 101]})
    source_id = make_source(db, "appstore", {"app_id": APP, "countries": "us,gb", "base_url": loopback.url})

    first = collect(db, source_id, options)
    assert first.error is None
    assert (first.new, first.updated, first.unchanged) == (9, 0, 0)
    assert loopback.paths().count(f"/us/rss/customerreviews/page=3/id={APP}/sortby=mostrecent/json") == 1
    with db.read() as session:
        source = session.get(Source, source_id)
        assert set(source.state["countries"]) == {"us", "gb"}
        assert source.state["countries"]["us"]["since"] == "2024-03-01T07:00:00+00:00"
    stored = stored_mentions(db, source_id)
    assert {m.external_id for m in stored} == {str(n) for n in [*range(1, 8), 100, 101]}
    assert all(m.rating is not None and 1 <= m.rating <= 5 for m in stored)

    loopback.requests.clear()
    second = collect(db, source_id, options)
    assert (second.new, second.error) == (0, None)
    assert loopback.paths() == [f"/us/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json",
                                f"/gb/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json"]

    store.reviews["us"].append(8)
    third = collect(db, source_id, options)
    assert third.new == 1


def test_a_failed_run_is_recorded_and_the_cursor_kept(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    source_id = make_source(db, "appstore", {"app_id": APP, "countries": "us", "base_url": loopback.url})
    loopback.route(f"/us/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json", Answer("{}", 500))
    report = collect(db, source_id, options)
    assert report.error_class == "UpstreamError"
    with db.read() as session:
        source = session.get(Source, source_id)
        assert source.consecutive_failures == 1
        assert source.last_error.startswith("UpstreamError")
        assert source.state == {}


def test_end_to_end_atom_xml_format(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    loopback.route(f"/us/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/xml",
                   Answer(ATOM.replace(b"page=4", b"page=1"), content_type="application/atom+xml"))
    source_id = make_source(db, "appstore", {"app_id": APP, "countries": "us", "format": "xml", "base_url": loopback.url})
    report = collect(db, source_id, options)
    assert (report.new, report.pages, report.error) == (1, 1, None)
    assert [(m.external_id, m.rating) for m in stored_mentions(db, source_id)] == [("777", 5.0)]
