"""Bluesky posts matching a search, through an app-password session (anonymous search is refused)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import SecretStr

from collectors._text import clip, parse_time, short
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import ParseError
from storage import MentionIn, MentionKind

MAX_PAGES = 10
NO_UNAUTHENTICATED = "!no-unauthenticated"


class BlueskyParams(Params):
    base_url: str = "https://bsky.social"
    query: str
    handle: str
    app_password: SecretStr


def expand_links(record: dict[str, Any]) -> str:
    """The post text with each shortened link facet spelled out; facet offsets count UTF-8 bytes."""
    raw = str(record.get("text") or "").encode()
    spans = []
    for facet in record.get("facets") or []:
        index, features = facet.get("index") or {}, facet.get("features") or []
        uri = next((f.get("uri") for f in features if str(f.get("$type", "")).endswith("#link") and f.get("uri")), None)
        start, end = index.get("byteStart"), index.get("byteEnd")
        if uri and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw):
            spans.append((start, end, str(uri)))
    out, position = [], 0
    for start, end, uri in sorted(spans):
        if start < position:
            continue
        label = raw[start:end].decode(errors="replace")
        stem = label.rstrip(".…")
        shortened = uri.startswith(stem) or uri.split("://", 1)[-1].startswith(stem)
        out += [raw[position:start].decode(errors="replace"), uri if shortened else f"{label} ({uri})"]
        position = end
    out.append(raw[position:].decode(errors="replace"))
    return "".join(out)


def post_to_mention(post: dict[str, Any]) -> MentionIn | None:
    """The normalized item of a `postView`; None when its author asked not to be shown to logged-out viewers."""
    author = post.get("author") or {}
    labels = [label.get("val") for label in [*(author.get("labels") or []), *(post.get("labels") or [])]
              if isinstance(label, dict)]
    if NO_UNAUTHENTICATED in labels:
        return None
    uri, record = post.get("uri"), post.get("record") or {}
    if not uri or not isinstance(record, dict):
        raise ParseError("Bluesky post without a uri or record")
    handle = author.get("handle") or author.get("did") or ""
    rkey = str(uri).rsplit("/", 1)[-1]
    langs = record.get("langs") or []
    return MentionIn(
        external_id=str(uri), kind=MentionKind.post, url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        author_name=short(author.get("displayName") or handle), author_handle=short(handle),
        text=clip(expand_links(record)), original=record.get("text"), language=short(langs[0] if langs else None),
        published_at=parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt")), tags=["bluesky"],
    )


def parse_search(data: Any) -> tuple[list[dict[str, Any]], str | None]:
    """(posts, cursor) of one searchPosts reply; older replies also carry `hitsTotal`."""
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise ParseError("Bluesky reply has no `posts` list")
    cursor = data.get("cursor")
    return [p for p in data["posts"] if isinstance(p, dict)], str(cursor) if cursor else None


class Bluesky(Collector):
    """Bluesky posts matching a search (query, handle, app_password)."""

    kind = "bluesky"
    Params = BlueskyParams
    params: BlueskyParams
    example = {"query": "acme", "handle": "you.bsky.social", "app_password": "xxxx-xxxx-xxxx-xxxx"}
    obeys_robots = False

    async def _session(self) -> str:
        fetched = await self.fetcher.request(
            "POST", f"{self.params.base_url}/xrpc/com.atproto.server.createSession", robots=False,
            json_body={"identifier": self.params.handle, "password": self.params.secret("app_password")})
        data = fetched.json()
        token = data.get("accessJwt") if isinstance(data, dict) else None
        if not token:
            raise ParseError("Bluesky createSession answered without an accessJwt")
        return str(token)

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        headers = {"Authorization": f"Bearer {await self._session()}"}
        mark, cursor = Watermark(state), None
        for number in range(1, MAX_PAGES + 1):
            query = {"q": self.params.query, "sort": "latest", "limit": "100"}
            if mark.since:
                query["since"] = mark.since.isoformat().replace("+00:00", "Z")
            if cursor:
                query["cursor"] = cursor
            fetched = await self.get(f"{self.params.base_url}/xrpc/app.bsky.feed.searchPosts", params=query, headers=headers)
            posts, cursor = parse_search(fetched.json())
            items = [item for post in posts if (item := post_to_mention(post)) is not None]
            finished = mark.see(items) or not posts or cursor is None or number == MAX_PAGES
            yield Page(items, mark.cursor(finished=finished))
            if finished:
                return
