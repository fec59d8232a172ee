"""Hacker News stories and comments that mention a query, through Algolia's search API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from collectors._text import clip, html_to_text, parse_time, short
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import ParseError
from storage import MentionIn, MentionKind

HITS_PER_PAGE = 100
ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsParams(Params):
    base_url: str = "https://hn.algolia.com"
    query: str
    tags: str = "(story,comment)"


def parse_hits(data: Any) -> tuple[list[dict[str, Any]], int, int]:
    """(hits, nbPages, nbHits) of one search reply; old (2014) and new (with `exhaustive`) replies alike."""
    if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
        raise ParseError("Algolia reply has no `hits` list")
    hits = [hit for hit in data["hits"] if isinstance(hit, dict) and hit.get("objectID")]
    return hits, int(data.get("nbPages") or 0), int(data.get("nbHits") or 0)


def hit_to_mention(hit: dict[str, Any]) -> MentionIn:
    """The normalized item of one story or comment hit; HTML text becomes plain text with links kept."""
    tags = hit.get("_tags") or []
    is_comment = "comment" in tags or bool(hit.get("comment_text"))
    html = hit.get("comment_text") if is_comment else hit.get("story_text")
    title = hit.get("story_title") if is_comment else hit.get("title")
    text = html_to_text(html) if html else ""
    if not text and not is_comment:
        text = " ".join(part for part in (hit.get("title"), hit.get("url")) if part)
    published = parse_time(hit.get("created_at")) or parse_time(hit.get("created_at_i"))
    return MentionIn(
        external_id=str(hit["objectID"]), kind=MentionKind.comment if is_comment else MentionKind.post,
        url=ITEM_URL.format(hit["objectID"]), author_name=short(hit.get("author")), author_handle=short(hit.get("author")),
        title=short(title), text=clip(text), original=html or None, published_at=published,
        tags=["hackernews", "comment" if is_comment else "story"],
    )


class HackerNews(Collector):
    """Hacker News stories and comments matching a search (query)."""

    kind = "hackernews"
    Params = HackerNewsParams
    params: HackerNewsParams
    example = {"query": "acme"}
    obeys_robots = False

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        mark = Watermark(state)
        since = int(mark.since.timestamp()) if mark.since else None
        upper: int | None = None  # Algolia stops at 1,000 hits per query: slice older ones by date
        strict = False
        while True:
            oldest, page, pages, total = None, 0, 1, 0
            while page < pages:
                filters = [f"created_at_i>{since}"] if since is not None else []
                if upper is not None:
                    filters.append(f"created_at_i{'<' if strict else '<='}{upper}")
                query = {"query": self.params.query, "tags": self.params.tags, "hitsPerPage": str(HITS_PER_PAGE),
                         "page": str(page)} | ({"numericFilters": ",".join(filters)} if filters else {})
                fetched = await self.get(f"{self.params.base_url}/api/v1/search_by_date", params=query)
                hits, pages, total = parse_hits(fetched.json())
                items = [hit_to_mention(hit) for hit in hits]
                mark.see(items)
                stamps = [int(hit["created_at_i"]) for hit in hits if isinstance(hit.get("created_at_i"), int)]
                oldest = min([*stamps, oldest] if oldest is not None else stamps, default=oldest)
                page += 1
                more_slices = page >= pages and total > pages * HITS_PER_PAGE and oldest is not None
                finished = page >= pages and not more_slices
                yield Page(items, mark.cursor(finished=finished))
            if not (total > pages * HITS_PER_PAGE and oldest is not None):
                return
            strict = oldest == upper  # no progress means over 1,000 hits share one second: step past it
            upper = oldest
