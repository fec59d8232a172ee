"""Bluesky: the real searchPosts reply (labels, facets), then end to end with a session and cursor paging."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.bluesky import expand_links, parse_search, post_to_mention
from collectors.errors import ParseError
from storage import Database
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen


def test_real_search_reply_respects_no_unauthenticated(fixtures_dir: Path) -> None:
    data = json.loads((fixtures_dir / "bluesky/bsky_searchPosts_q_redistricting_2025-05-19.json").read_text())
    posts, cursor = parse_search(data)
    items = [post_to_mention(post) for post in posts]
    assert (len(items), cursor) == (25, "25")
    assert sum(item is None for item in items) == 4  # four authors carry !no-unauthenticated
    first = items[0]
    assert first is not None
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    assert first.published_at == datetime(2025, 5, 19, 17, 10, 9, 561858, tzinfo=timezone.utc)
    shortened = [i for i in items if i is not None and "open.substack.com/pub/christackett/p/the-pawn-or-the" in i.text]
    assert shortened and "christac..." not in shortened[0].text


def test_facet_offsets_are_utf8_bytes() -> None:
    text = "Café ☕ see acme.test/x... now"
    start = len("Café ☕ see ".encode())
    record = {"text": text, "facets": [{"index": {"byteStart": start, "byteEnd": start + len("acme.test/x...")},
                                        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.test/x/long"}]}]}
    assert expand_links(record) == "Café ☕ see https://acme.test/x/long now"
    other = {"text": "click here", "facets": [{"index": {"byteStart": 6, "byteEnd": 10},
                                               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.test"}]}]}
    assert expand_links(other) == "click here (https://acme.test)"


def test_older_reply_with_hits_total_and_reshaped_reply() -> None:
    assert parse_search({"posts": [], "hitsTotal": 0}) == ([], None)
    with pytest.raises(ParseError):
        parse_search({"feed": []})


def post(n: int, base: datetime, label: str | None = None) -> dict[str, Any]:
    return {"uri": f"at://did:plc:u{n}/app.bsky.feed.post/r{n}", "cid": "c",
            "author": {"did": f"did:plc:u{n}", "handle": f"u{n}.bsky.social", "displayName": f"U{n}",
                       "labels": [{"val": label}] if label else []},
            "record": {"text": f"acme post {n}", "createdAt": (base + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"), "langs": ["en"]},
            "indexedAt": (base + timedelta(minutes=n)).isoformat()}


class FakeBluesky:
    def __init__(self, server: Loopback, count: int) -> None:
        self.count = count
        self.base = datetime(2025, 1, 1, tzinfo=timezone.utc)
        server.route("/xrpc/com.atproto.server.createSession", self.session)
        server.route("/xrpc/app.bsky.feed.searchPosts", self.search)

    def session(self, seen: Seen) -> Answer:
        body = json.loads(seen.body)
        if body != {"identifier": "me.bsky.social", "password": "abcd-efgh-ijkl-mnop"}:
            return Answer('{"error": "AuthenticationRequired"}', 401)
        return Answer(json.dumps({"accessJwt": "jwt", "refreshJwt": "r", "did": "did:plc:me", "handle": "me.bsky.social"}))

    def search(self, seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != "Bearer jwt":
            return Answer('{"error": "Forbidden"}', 403)
        numbers = list(range(self.count, 0, -1))
        if "since" in seen.query:
            since = datetime.fromisoformat(seen.query["since"][0].replace("Z", "+00:00"))
            numbers = [n for n in numbers if self.base + timedelta(minutes=n) >= since]
        start = int(seen.query.get("cursor", ["0"])[0])
        chunk = numbers[start:start + 100]
        cursor = str(start + 100) if start + 100 < len(numbers) else None
        posts = [post(n, self.base, "!no-unauthenticated" if n == 7 else None) for n in chunk]
        return Answer(json.dumps({"posts": posts} | ({"cursor": cursor} if cursor else {})))


def test_end_to_end_session_cursor_and_incremental(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeBluesky(loopback, 150)
    params = {"query": "acme", "handle": "me.bsky.social", "app_password": "abcd-efgh-ijkl-mnop", "base_url": loopback.url}
    source_id = make_source(db, "bluesky", params)
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.pages, first.error) == (149, 2, None)
    assert "at://did:plc:u7/app.bsky.feed.post/r7" not in {m.external_id for m in stored_mentions(db, source_id)}
    fake.count = 152
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (2, 1)


def test_wrong_app_password_is_access_denied(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    FakeBluesky(loopback, 1)
    source_id = make_source(db, "bluesky", {"query": "acme", "handle": "me.bsky.social", "app_password": "wrong", "base_url": loopback.url})
    report = asyncio.run(run_sources(db, [source_id], options))[0]
    assert report.error_class == "AccessDenied" and "wrong" not in (report.error or "")
