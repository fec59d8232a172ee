"""Mastodon posts from one instance: a search (needs a user token) or a public hashtag timeline."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr, field_validator, model_validator

from collectors._text import clip, html_to_text, parse_time, short
from collectors.base import Collector, Page, Params
from collectors.errors import ParseError
from storage import MentionIn, MentionKind

PAGE_SIZE = 40
MAX_PAGES = 25
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


class MastodonParams(Params):
    base_url: str = "https://mastodon.social"
    """The Mastodon instance to ask."""
    query: str | None = None
    tag: str | None = None
    token: SecretStr | None = None

    @field_validator("tag")
    @classmethod
    def _bare_tag(cls, value: str | None) -> str | None:
        return value.strip().lstrip("#") if value else None

    @model_validator(mode="after")
    def _query_or_tag(self) -> MastodonParams:
        if bool(self.query) == bool(self.tag):
            raise ValueError("give either query (search; needs token) or tag (public hashtag timeline)")
        return self


def next_max_id(link_header: str | None) -> str | None:
    """`max_id` of the `rel="next"` link in a `Link` header."""
    for url, rel in _LINK.findall(link_header or ""):
        if rel == "next":
            return (parse_qs(urlsplit(url).query).get("max_id") or [None])[0]
    return None


def status_to_mention(status: dict[str, Any]) -> MentionIn | None:
    """The normalized item of a status; None for reblogs, non-public posts and accounts that opted out of indexing."""
    account = status.get("account") or {}
    if status.get("reblog") or status.get("visibility") not in (None, "public", "unlisted") or account.get("noindex"):
        return None
    uri = status.get("uri") or status.get("url")
    if not uri:
        raise ParseError("Mastodon status without a uri")
    content = str(status.get("content") or "")
    tags = ["mastodon"] + [f"#{t['name']}" for t in status.get("tags") or [] if isinstance(t, dict) and t.get("name")]
    return MentionIn(
        external_id=str(uri), kind=MentionKind.post, url=short(status.get("url") or uri),
        author_name=short(account.get("display_name") or account.get("username")), author_handle=short(account.get("acct")),
        title=short(status.get("spoiler_text")), text=clip(html_to_text(content)), original=content or None,
        language=short(status.get("language")), published_at=parse_time(status.get("created_at")), tags=tags,
    )


def _statuses(data: Any, searching: bool) -> list[dict[str, Any]]:
    statuses = data.get("statuses") if searching and isinstance(data, dict) else data
    if not isinstance(statuses, list):
        raise ParseError("Mastodon reply has no list of statuses")
    return [s for s in statuses if isinstance(s, dict)]


class Mastodon(Collector):
    """Mastodon posts from a search or a hashtag on one instance (query and token, or tag)."""

    kind = "mastodon"
    Params = MastodonParams
    params: MastodonParams
    example = {"tag": "acme"}
    obeys_robots = False

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        p = self.params
        headers = {"Authorization": f"Bearer {p.secret('token')}"} if p.token else {}
        since_id = state.get("since_id")
        newest = since_id
        max_id: str | None = None
        for number in range(MAX_PAGES):
            if p.query:
                url = f"{p.base_url}/api/v2/search"
                query = {"q": p.query, "type": "statuses", "limit": str(PAGE_SIZE), "offset": str(number * PAGE_SIZE)}
                query |= {"min_id": since_id} if since_id else {}
            else:
                url = f"{p.base_url}/api/v1/timelines/tag/{p.tag}"
                query = {"limit": str(PAGE_SIZE)} | ({"since_id": since_id} if since_id else {})
                query |= {"max_id": max_id} if max_id else {}
            fetched = await self.get(url, params=query, headers=headers)
            statuses = _statuses(fetched.json(), searching=bool(p.query))
            ids = [str(s["id"]) for s in statuses if s.get("id")]
            newest = max([newest, *ids] if newest else ids, key=lambda i: (len(i), i), default=newest)
            max_id = next_max_id(fetched.headers.get("link")) if not p.query else None
            finished = not statuses or (not p.query and max_id is None) or len(statuses) < PAGE_SIZE or number == MAX_PAGES - 1
            items = [item for status in statuses if (item := status_to_mention(status)) is not None]
            yield Page(items, {"since_id": newest if finished else since_id})
            if finished:
                return
