"""Trustpilot: real review pages (both the __NEXT_DATA__ path and the JSON-LD fallback), then end to end."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.trustpilot import parse_review_page
from storage import Database, Source
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen

NEXT_DATA = re.compile(r'<script id="__NEXT_DATA__".*?</script>', re.S)


@pytest.mark.parametrize(("name", "count", "pages"), [
    ("trustpilot_review_sumeria.eu_raw_2025-05.html", 20, 55),
    ("trustpilot_review_burgerking.no_raw_2025-05.html", 19, 1),
    ("trustpilot_review_www.granada.no_raw_2025-05_single_review.html", 1, 1),
])
def test_real_pages_parse_from_next_data_and_json_ld_alike(fixtures_dir: Path, name: str, count: int, pages: int) -> None:
    html = (fixtures_dir / "trustpilot" / name).read_text()
    page = parse_review_page(html)
    assert (len(page.reviews), page.total_pages) == (count, pages)
    fallback = parse_review_page(NEXT_DATA.sub("", html))
    assert [r.external_id for r in fallback.reviews] == [r.external_id for r in page.reviews]
    for ld, nd in zip(fallback.reviews, page.reviews, strict=True):
        assert (ld.author_name, ld.author_handle, ld.title, ld.rating, ld.published_at, ld.url, ld.language) == (
            nd.author_name, nd.author_handle, nd.title, nd.rating, nd.published_at, nd.url, nd.language)
        # The JSON-LD copy drops line breaks between paragraphs; everything else matches.
        assert "".join(ld.text.split()) == "".join(nd.text.split())


def test_real_single_review_fields(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "trustpilot/trustpilot_review_www.granada.no_raw_2025-05_single_review.html").read_text()
    [review] = parse_review_page(html).reviews
    assert review.external_id == "5faa6d8c5e693f0a8422eca0"
    assert (review.author_name, review.rating, review.language) == ("Hilde Rahn", 5.0, "no")
    assert review.title == "En perfekt samarbeidsparter innen ehandel"
    assert review.published_at == datetime(2020, 11, 10, 10, 38, 4, tzinfo=timezone.utc)
    assert review.url == "https://www.trustpilot.com/reviews/5faa6d8c5e693f0a8422eca0"


def test_renamed_page_props_key_is_still_found() -> None:
    review = {"id": "r1", "rating": 2, "text": "meh", "title": "t", "dates": {"publishedDate": "2024-01-01T00:00:00Z"},
              "consumer": {"displayName": "X"}}
    data = {"props": {"pageProps": {"businessUnitReviews": {"items": [review]}, "filters": {"pagination": {"totalPages": 3}}}}}
    html = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
    page = parse_review_page(html)
    assert ([r.external_id for r in page.reviews], page.total_pages) == (["r1"], 3)


def test_a_page_with_neither_source_of_reviews_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_review_page("<html><body>Please verify you are a human</body></html>")


def fake_page(reviews: list[dict[str, Any]], total_pages: int) -> str:
    data = {"props": {"pageProps": {"reviews": reviews, "filters": {"pagination": {"totalPages": total_pages}}}}, "buildId": "x"}
    return f'<html><script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></html>'


class FakeTrustpilot:
    def __init__(self, server: Loopback, count: int, per_page: int = 4) -> None:
        self.count = count
        self.per_page = per_page
        server.route("/review/acme.test", self.answer)

    def answer(self, seen: Seen) -> Answer:
        assert seen.query["languages"] == ["all"] and seen.query["sort"] == ["recency"]
        page = int(seen.query.get("page", ["1"])[0])
        numbers = list(range(self.count, 0, -1))
        pages = max(1, -(-len(numbers) // self.per_page))
        if page > pages:
            return Answer("gone", 404, content_type="text/html")
        chunk = numbers[(page - 1) * self.per_page: page * self.per_page]
        reviews = [{"id": f"r{n}", "rating": 1 + n % 5, "title": f"T{n}", "text": f"Review number {n}", "language": "en",
                    "dates": {"publishedDate": f"2024-04-{n:02d}T12:00:00.000Z"}, "consumer": {"displayName": f"C{n}", "countryCode": "GB"},
                    "labels": {"verification": {"isVerified": n % 2 == 0}}} for n in chunk]
        return Answer(fake_page(reviews, pages), content_type="text/html")


def test_end_to_end_all_pages_then_only_new(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeTrustpilot(loopback, count=10)
    source_id = make_source(db, "trustpilot", {"domain": "acme.test", "base_url": loopback.url})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.pages, first.error) == (10, 3, None)
    stored = {m.external_id: m for m in stored_mentions(db, source_id)}
    assert stored["r4"].rating == 5.0 and stored["r4"].author_name == "C4" and "verified" in stored["r4"].tags
    with db.read() as session:
        assert session.get(Source, source_id).state == {"since": "2024-04-10T12:00:00+00:00"}

    loopback.requests.clear()
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (0, 1)

    fake.count = 12
    third = asyncio.run(run_sources(db, [source_id], options))[0]
    assert third.new == 2
