"""Google Play: the real batchexecute reply, the chunked and empty forms, then end to end with page tokens."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.googleplay import parse_reviews, request_body, review_to_mention
from storage import Database
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen

APP = "com.google.android.apps.translate"


def test_real_first_page(fixtures_dir: Path) -> None:
    body = (fixtures_dir / "googleplay/batchexecute_UsvDTd_reviews_com.google.android.apps.translate_page1.txt").read_text()
    reviews, token = parse_reviews(body)
    assert len(reviews) == 150 and token and token.startswith("CtgB")
    items = [review_to_mention(r, APP, "en", "us") for r in reviews]
    assert len({i.external_id for i in items}) == 150
    assert Counter(i.rating for i in items) == {5.0: 77, 1.0: 34, 3.0: 16, 2.0: 15, 4.0: 8}
    first = items[0]
    assert (first.external_id, first.author_name, first.text) == ("017452fc-0d4b-471d-b406-bcf0f52387a7", "Formann Ali", "niec")
    assert first.published_at is not None and first.published_at.tzinfo is not None
    assert sum(1 for r in reviews if r[7]) == 42  # developer replies ride along in the raw tuple


def envelope(payload: Any, chunked: bool = False) -> str:
    rows = [["wrb.fr", "UsvDTd", None if payload is None else json.dumps(payload), None, None, None, "generic"], ["di", 50]]
    if not chunked:
        return ")]}'\n\n" + json.dumps(rows)
    parts = [json.dumps([row]) for row in rows]
    return ")]}'\n" + "".join(f"{len(p)}\n{p}\n" for p in parts)


def test_chunked_and_empty_replies() -> None:
    review = ["id1", ["Ann"], 4, None, "Good", [1_700_000_000, 0], 3, None, None, None, "1.2.3"]
    reviews, token = parse_reviews(envelope([[review], [None, "NEXT"]], chunked=True))
    assert (len(reviews), token) == (1, "NEXT")
    assert review_to_mention(reviews[0], "a.b", "en", "us").tags == ["country:us", "version:1.2.3"]
    assert parse_reviews(envelope([])) == ([], None)
    with pytest.raises(ParseError):
        parse_reviews(envelope(None))
    with pytest.raises(ParseError):
        parse_reviews('[["wrb.fr"]]')


def test_request_body_asks_for_newest_with_the_token() -> None:
    outer = json.loads(request_body("a.b", "TOK")["f.req"])
    assert outer[0][0][0] == "UsvDTd"
    assert json.loads(outer[0][0][1]) == [None, None, [2, 2, [150, None, "TOK"], None, []], ["a.b", 7]]


class FakePlay:
    def __init__(self, server: Loopback, count: int) -> None:
        self.count = count
        server.route("/_/PlayStoreUi/data/batchexecute", self.answer)

    def answer(self, seen: Seen) -> Answer:
        assert seen.method == "POST" and seen.query["hl"] == ["de"] and seen.query["gl"] == ["at"]
        inner = json.loads(json.loads(parse_qs(seen.body.decode())["f.req"][0])[0][0][1])
        count, token = inner[2][2][0], inner[2][2][2]
        numbers = list(range(self.count, 0, -1))
        start = int(token or 0)
        chunk = numbers[start:start + count]
        reviews = [[f"r{n}", [f"user{n}"], 1 + n % 5, None, f"Bewertung {n}", [1_700_000_000 + n * 60, 0], 0, None, None, None, "2.0"]
                   for n in chunk]
        next_token = [None, str(start + count)] if start + count < len(numbers) else [None, None]
        return Answer(envelope([reviews, next_token], chunked=bool(start)), content_type="application/json; charset=utf-8")


def test_end_to_end_tokens_and_incremental(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakePlay(loopback, 320)
    source_id = make_source(db, "googleplay", {"app_id": "com.acme.app", "lang": "de", "country": "at", "base_url": loopback.url})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.pages, first.error) == (320, 3, None)
    stored = {m.external_id: m for m in stored_mentions(db, source_id)}
    assert stored["r4"].rating == 5.0 and stored["r4"].language == "de"
    fake.count = 325
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (5, 1)
