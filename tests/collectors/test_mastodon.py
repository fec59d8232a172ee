"""Mastodon: the real v2 search reply, what is skipped, and end to end with Link pagination and since_id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.mastodon import MastodonParams, next_max_id, status_to_mention
from storage import Database, Source
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen


def test_real_search_statuses(fixtures_dir: Path) -> None:
    data = json.loads((fixtures_dir / "mastodon/mastodon_social_v2_search_q_halcy.json").read_text())
    items = [status_to_mention(s) for s in data["statuses"]]
    assert len(items) == 2 and all(items)
    first = items[0]
    assert first is not None
    assert first.external_id == "https://icosahedron.website/users/greg/statuses/116388148912635764"
    assert (first.author_name, first.author_handle, first.language) == ("Greg", "greg@icosahedron.website", "en")
    assert first.text.startswith("@cancel @halcy not only is this")
    assert "https://www.youtube.com/watch?v=MWCSw_cNxKc" in first.text and "<p>" in (first.original or "")


@pytest.mark.parametrize("status", [
    {"uri": "u1", "reblog": {"uri": "u0"}, "visibility": "public"},
    {"uri": "u2", "visibility": "private", "content": "secret"},
    {"uri": "u3", "visibility": "direct", "content": "dm"},
    {"uri": "u4", "visibility": "public", "account": {"noindex": True}},
])
def test_reblogs_non_public_posts_and_noindex_accounts_are_skipped(status: dict[str, Any]) -> None:
    assert status_to_mention(status) is None


def test_link_header_next_page() -> None:
    header = '<https://m.test/api/v1/timelines/tag/acme?max_id=105>; rel="next", <https://m.test/api/v1/timelines/tag/acme?min_id=200>; rel="prev"'
    assert next_max_id(header) == "105"
    assert next_max_id('<https://m.test/x?min_id=1>; rel="prev"') is None


def test_params_need_exactly_one_of_query_and_tag() -> None:
    with pytest.raises(ValueError):
        MastodonParams()
    with pytest.raises(ValueError):
        MastodonParams(query="a", tag="b")
    assert MastodonParams(tag="#Acme").tag == "Acme"


def status(n: int, host: str) -> dict[str, Any]:
    return {"id": str(n), "uri": f"{host}/users/u/statuses/{n}", "url": f"{host}/@u/{n}", "visibility": "public",
            "created_at": f"2024-06-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000Z", "content": f"<p>#acme post {n}</p>",
            "account": {"acct": f"u{n}", "display_name": f"User {n}"}, "tags": [{"name": "acme"}]}


class FakeInstance:
    def __init__(self, server: Loopback, count: int) -> None:
        self.server = server
        self.count = count
        server.route("/api/v1/timelines/tag/acme", self.tag)
        server.route("/api/v2/search", self.search)

    def _window(self, seen: Seen) -> list[int]:
        ids = list(range(self.count, 0, -1))
        if "max_id" in seen.query:
            ids = [i for i in ids if i < int(seen.query["max_id"][0])]
        for key in ("since_id", "min_id"):
            if key in seen.query:
                ids = [i for i in ids if i > int(seen.query[key][0])]
        return ids

    def tag(self, seen: Seen) -> Answer:
        ids = self._window(seen)[: int(seen.query["limit"][0])]
        headers = {"Link": f'<{self.server.url}/api/v1/timelines/tag/acme?max_id={ids[-1]}>; rel="next"'} if ids else {}
        return Answer(json.dumps([status(i, self.server.url) for i in ids]), headers=headers)

    def search(self, seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != "Bearer t0k":
            return Answer('{"error": "The access token is invalid"}', 401)
        offset, limit = int(seen.query["offset"][0]), int(seen.query["limit"][0])
        ids = self._window(seen)[offset:offset + limit]
        return Answer(json.dumps({"accounts": [], "hashtags": [], "statuses": [status(i, self.server.url) for i in ids]}))


def test_end_to_end_hashtag_timeline(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeInstance(loopback, 100)
    source_id = make_source(db, "mastodon", {"tag": "acme", "base_url": loopback.url})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.error) == (100, None)
    assert [seen.query.get("max_id") for seen in loopback.requests] == [None, ["61"], ["21"]]  # a short page is the last
    with db.read() as session:
        assert session.get(Source, source_id).state == {"since_id": "100"}
    fake.count = 103
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (3, 1)
    assert stored_mentions(db, source_id)[0].text == "#acme post 100"


def test_end_to_end_search_needs_the_token(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    FakeInstance(loopback, 50)
    with_token = make_source(db, "mastodon", {"query": "acme", "token": "t0k", "base_url": loopback.url})
    without = make_source(db, "mastodon", {"query": "acme", "base_url": loopback.url})
    good, bad = asyncio.run(run_sources(db, [with_token, without], options))
    assert (good.new, good.error) == (50, None)
    assert bad.error_class == "AccessDenied"
    assert asyncio.run(run_sources(db, [with_token], options))[0].new == 0
