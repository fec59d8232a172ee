"""Hacker News (Algolia): real replies of 2014, and end to end with date slicing past the 1,000-hit cap."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.hackernews import hit_to_mention, parse_hits
from storage import Database, MentionKind, Source
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen


def load(fixtures_dir: Path, name: str) -> object:
    return json.loads((fixtures_dir / "hn_algolia" / name).read_text())


def test_real_story_hit(fixtures_dir: Path) -> None:
    hits, pages, total = parse_hits(load(fixtures_dir, "search_by_date_story_query_apple_2014.json"))
    assert (pages, total) == (1000, 23818)
    story = hit_to_mention(hits[0])
    assert (story.external_id, story.kind, story.author_name) == ("7919424", MentionKind.post, "bradleyjg")
    assert story.title == "Judge says concerned about Apple, Google hiring settlement"
    assert story.published_at == datetime(2014, 6, 20, 3, 35, 46, tzinfo=timezone.utc)
    assert story.url == "https://news.ycombinator.com/item?id=7919424"


def test_real_comment_hit_html_becomes_plain_text(fixtures_dir: Path) -> None:
    hits, _, _ = parse_hits(load(fixtures_dir, "search_comments_query_apple_2014.json"))
    comment = hit_to_mention(hits[0])
    assert comment.kind == MentionKind.comment
    assert comment.text.startswith("It's a little early") and "&#x27;" not in comment.text and "<p>" not in comment.text
    assert "<p>" in comment.original
    assert comment.title == "Patent war goes nuclear: Microsoft, Apple-owned Rockstar sues Google"


def test_modern_reply_with_children_and_exhaustive_is_accepted() -> None:
    reply = {"hits": [{"objectID": "1", "created_at_i": 1700000000, "comment_text": "<a href=\"https://acme.test\">acme</a> rocks",
                       "_tags": ["comment"], "author": "a", "children": [2, 3], "updated_at": "2024-01-01T00:00:00Z"}],
             "nbHits": 1, "nbPages": 1, "page": 0, "exhaustive": {"nbHits": True}}
    hits, _, _ = parse_hits(reply)
    assert hit_to_mention(hits[0]).text == "acme (https://acme.test) rocks"


def test_reshaped_reply_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_hits({"results": []})


class FakeAlgolia:
    """search_by_date over N hits, newest first, honouring numericFilters and the 1,000-hit cap."""

    def __init__(self, server: Loopback, count: int) -> None:
        self.stamps = [1_700_000_000 + n * 60 for n in range(count)]
        server.route("/api/v1/search_by_date", self.answer)

    def answer(self, seen: Seen) -> Answer:
        per_page, page = int(seen.query["hitsPerPage"][0]), int(seen.query["page"][0])
        matching = sorted(self.stamps, reverse=True)
        for condition in seen.query.get("numericFilters", [""])[0].split(","):
            if match := re.fullmatch(r"created_at_i(<=|<|>)(\d+)", condition):
                op, value = match.group(1), int(match.group(2))
                matching = [s for s in matching if (s > value if op == ">" else s < value if op == "<" else s <= value)]
        capped = matching[:1000]
        chunk = capped[page * per_page:(page + 1) * per_page]
        hits = [{"objectID": str(s), "created_at_i": s, "created_at": datetime.fromtimestamp(s, timezone.utc).isoformat(),
                 "author": "u", "story_text": f"<p>story {s}</p>", "title": f"S{s}", "_tags": ["story"]} for s in chunk]
        return Answer(json.dumps({"hits": hits, "nbHits": len(matching), "page": page,
                                  "nbPages": -(-len(capped) // per_page), "hitsPerPage": per_page}))


def test_end_to_end_slices_past_1000_hits_then_only_new(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    fake = FakeAlgolia(loopback, 1150)
    source_id = make_source(db, "hackernews", {"query": "acme", "base_url": loopback.url})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.error) == (1150, None)
    assert len(stored_mentions(db, source_id)) == 1150
    filters = [seen.query.get("numericFilters", [""])[0] for seen in loopback.requests]
    assert any(f.startswith("created_at_i<=") for f in filters)

    loopback.requests.clear()
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, len(loopback.requests)) == (0, 1)
    assert loopback.requests[0].query["numericFilters"] == [f"created_at_i>{max(fake.stamps)}"]

    fake.stamps.append(max(fake.stamps) + 60)
    assert asyncio.run(run_sources(db, [source_id], options))[0].new == 1
    with db.read() as session:
        assert session.get(Source, source_id).state["since"] == datetime.fromtimestamp(max(fake.stamps), timezone.utc).isoformat()
