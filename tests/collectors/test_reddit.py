"""Reddit: the real search Listing, deleted items, and OAuth end to end with `after` pagination."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.reddit import parse_listing, thing_to_mention
from storage import Database, MentionKind
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen


def test_real_search_listing(fixtures_dir: Path) -> None:
    data = json.loads((fixtures_dir / "reddit/oauth_r_all_search_q_praw_oauth_search_2016.json").read_text())
    things, after = parse_listing(data)
    items = [thing_to_mention(thing) for thing in things]
    assert (len(items), after) == (6, None)
    first = items[0]
    assert first is not None
    assert (first.external_id, first.kind, first.author_name) == ("t3_3gpbiu", MentionKind.post, "dClauzel")
    assert first.published_at == datetime(2015, 8, 12, 9, 8, 34, tzinfo=timezone.utc)
    assert first.url.startswith("https://www.reddit.com/r/redditdev/comments/3gpbiu/")
    assert "&#39;" not in first.text and "<p>" not in first.text and "subreddit:redditdev" in first.tags


def test_comments_and_deleted_items() -> None:
    comment = {"kind": "t1", "data": {"name": "t1_c1", "body": "Love **acme**", "body_html": "<div class=\"md\"><p>Love <strong>acme</strong></p></div>",
                                      "author": "bob", "created_utc": 1700000000, "permalink": "/r/x/comments/1/_/c1/", "link_title": "Thread"}}
    removed = {"kind": "t1", "data": {"name": "t1_c2", "body": "[removed]", "author": "[deleted]", "created_utc": 1700000000}}
    item = thing_to_mention(comment)
    assert item is not None and (item.kind, item.text, item.title) == (MentionKind.comment, "Love acme", "Thread")
    assert thing_to_mention(removed) is None


def test_a_non_listing_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_listing({"error": 403})


class FakeReddit:
    def __init__(self, server: Loopback, count: int) -> None:
        self.count = count
        self.tokens = 0
        server.route("/api/v1/access_token", self.token)
        server.route("/r/acme/search.json", self.search)

    def token(self, seen: Seen) -> Answer:
        expected = "Basic " + base64.b64encode(b"id123:s3cret").decode()
        if seen.headers.get("Authorization") != expected or b"grant_type=client_credentials" not in seen.body:
            return Answer('{"error": "invalid_grant"}', 401)
        self.tokens += 1
        return Answer(json.dumps({"access_token": "tok", "token_type": "bearer", "expires_in": 86400}))

    def search(self, seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != "Bearer tok":
            return Answer("{}", 403)
        assert seen.query["restrict_sr"] == ["1"] and seen.query["sort"] == ["new"] and seen.query["raw_json"] == ["1"]
        numbers = list(range(self.count, 0, -1))
        start = numbers.index(int(seen.query["after"][0].split("_")[1])) + 1 if "after" in seen.query else 0
        chunk = numbers[start:start + 100]
        children: list[dict[str, Any]] = [{"kind": "t3", "data": {
            "name": f"t3_{n}", "id": str(n), "title": f"Post {n}", "selftext": f"About acme {n}", "author": f"u{n}",
            "created_utc": 1_700_000_000 + n, "permalink": f"/r/acme/comments/{n}/post/", "subreddit": "acme"}} for n in chunk]
        after = f"t3_{chunk[-1]}" if start + 100 < len(numbers) else None
        return Answer(json.dumps({"kind": "Listing", "data": {"children": children, "after": after}}),
                      headers={"x-ratelimit-remaining": "99", "x-ratelimit-reset": "60"})


def test_end_to_end_oauth_pages_and_incremental(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeReddit(loopback, 250)
    params = {"query": "acme", "subreddit": "r/acme", "client_id": "id123", "client_secret": "s3cret",
              "base_url": loopback.url, "api_url": loopback.url}
    source_id = make_source(db, "reddit", params)
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.pages, first.error) == (250, 3, None)
    assert {m.external_id for m in stored_mentions(db, source_id)} == {f"t3_{n}" for n in range(1, 251)}
    fake.count = 251
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (1, 1)


def test_wrong_client_secret_is_access_denied(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    FakeReddit(loopback, 1)
    source_id = make_source(db, "reddit", {"query": "acme", "subreddit": "acme", "client_id": "id123", "client_secret": "nope",
                                           "base_url": loopback.url, "api_url": loopback.url})
    report = asyncio.run(run_sources(db, [source_id], options))[0]
    assert report.error_class == "AccessDenied"
    assert "nope" not in (report.error or "")
