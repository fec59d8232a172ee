"""YouTube: real comment thread pages, quota errors, and end to end with page tokens."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.youtube import comment_to_mention, parse_threads
from storage import Database, MentionKind
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen


def load(fixtures_dir: Path, name: str) -> Any:
    return json.loads((fixtures_dir / "youtube" / name).read_text())


def test_real_thread_page(fixtures_dir: Path) -> None:
    items, token = parse_threads(load(fixtures_dir, "youtube_v3_comment_threads_by_video_paged_1.json"))
    assert len(items) == 5 and token and token.startswith("QURTSl9p")
    first = items[0]
    assert (first.external_id, first.kind, first.author_name) == ("UgyZ1jqkHKYvi1-ruOZ4AaABAg", MentionKind.comment, "himani agarwal")
    assert first.text == "Google.com (http://google.com/)"
    assert first.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert first.author_handle == "UCzj-CjKYmGlZ7vTL-vOe57A"


def test_real_last_page_has_no_token_and_the_same_ids(fixtures_dir: Path) -> None:
    first, _ = parse_threads(load(fixtures_dir, "youtube_v3_comment_threads_by_video_paged_1.json"))
    last, token = parse_threads(load(fixtures_dir, "youtube_v3_comment_threads_by_video_paged_2.json"))
    assert token is None
    assert [i.external_id for i in last] == [i.external_id for i in first]


def test_real_reply_list_comments_parse(fixtures_dir: Path) -> None:
    replies = load(fixtures_dir, "youtube_v3_comments_by_parent_paged_1.json")["items"]
    items = [comment_to_mention(reply) for reply in replies]
    assert items and all(item.external_id and item.published_at for item in items)


def test_reshaped_reply_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_threads({"kind": "youtube#commentThreadListResponse"})


def thread(n: int, replies: int = 0) -> dict[str, Any]:
    def comment(cid: str, text: str) -> dict[str, Any]:
        return {"id": cid, "snippet": {"videoId": "vid", "authorDisplayName": f"A{n}", "textDisplay": text,
                                       "textOriginal": text, "publishedAt": f"2024-01-01T{n // 60:02d}:{n % 60:02d}:00Z",
                                       "authorChannelId": {"value": f"UC{n}"}}}
    body: dict[str, Any] = {"id": f"t{n}", "snippet": {"topLevelComment": comment(f"t{n}", f"Comment {n}")}}
    if replies:
        body["replies"] = {"comments": [comment(f"t{n}.r{i}", f"Reply {i}") for i in range(replies)]}
    return body


class FakeYouTube:
    def __init__(self, server: Loopback, count: int) -> None:
        self.count = count
        self.quota_left = True
        server.route("/youtube/v3/commentThreads", self.answer)

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("X-Goog-Api-Key") != "k3y" or "key" in seen.query:
            return Answer(json.dumps({"error": {"code": 403, "errors": [{"reason": "forbidden"}]}}), 403)
        if not self.quota_left:
            return Answer(json.dumps({"error": {"code": 403, "errors": [{"reason": "quotaExceeded"}]}}), 403)
        numbers = list(range(self.count, 0, -1))
        start = int(seen.query.get("pageToken", ["0"])[0])
        chunk = numbers[start:start + 100]
        token = {"nextPageToken": str(start + 100)} if start + 100 < len(numbers) else {}
        return Answer(json.dumps({"items": [thread(n, replies=1 if n % 10 == 0 else 0) for n in chunk]} | token))


def test_end_to_end_tokens_replies_incremental_and_quota(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeYouTube(loopback, 120)
    source_id = make_source(db, "youtube", {"video_id": "vid", "api_key": "k3y", "base_url": loopback.url})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.pages, first.error) == (132, 2, None)
    assert "t10.r0" in {m.external_id for m in stored_mentions(db, source_id)}
    fake.count = 121
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.pages) == (1, 1)
    fake.quota_left = False
    third = asyncio.run(run_sources(db, [source_id], options))[0]
    assert third.error_class == "RateLimited"
    bad_key = make_source(db, "youtube", {"video_id": "vid", "api_key": "nope", "base_url": loopback.url})
    assert asyncio.run(run_sources(db, [bad_key], options))[0].error_class == "AccessDenied"
