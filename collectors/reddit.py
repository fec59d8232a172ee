"""Reddit posts and comments matching a search, site-wide or in one subreddit."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

from pydantic import SecretStr, field_validator

from collectors._text import clip, html_to_text, parse_time, short, tidy
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import AccessDenied, ParseError
from storage import MentionIn, MentionKind

MAX_PAGES = 10  # Reddit's search listings end after about 1,000 results anyway
_GONE = {"[deleted]", "[removed]"}


class RedditParams(Params):
    base_url: str = "https://www.reddit.com"
    api_url: str = "https://oauth.reddit.com"
    """Where OAuth-authenticated calls go (used with client_id and client_secret)."""
    query: str
    subreddit: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None

    @field_validator("subreddit")
    @classmethod
    def _bare_name(cls, value: str | None) -> str | None:
        return value.strip().removeprefix("/").removeprefix("r/") if value else None

    @field_validator("api_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.rstrip("/")


def parse_listing(data: Any) -> tuple[list[dict[str, Any]], str | None]:
    """(things, `after`) of one Listing."""
    listing = data.get("data") if isinstance(data, dict) and data.get("kind") == "Listing" else None
    if not isinstance(listing, dict) or not isinstance(listing.get("children"), list):
        raise ParseError("Reddit reply is not a Listing")
    things = [child for child in listing["children"] if isinstance(child, dict) and isinstance(child.get("data"), dict)]
    after = listing.get("after")
    return things, str(after) if after else None


def thing_to_mention(thing: dict[str, Any], site: str = "https://www.reddit.com") -> MentionIn | None:
    """The normalized item of a post (t3) or comment (t1); None for deleted or removed ones."""
    data = thing["data"]
    is_comment = thing.get("kind") == "t1"
    plain = data.get("body") if is_comment else data.get("selftext")
    html = data.get("body_html") if is_comment else data.get("selftext_html")
    if (plain or "").strip() in _GONE or data.get("removed_by_category"):
        return None
    name = data.get("name") or (f"{thing.get('kind')}_{data['id']}" if data.get("id") else None)
    if not name:
        raise ParseError("Reddit item without a name or id")
    text = html_to_text(html) if html else tidy(plain or "")
    author = data.get("author") if data.get("author") not in _GONE else None
    tags = ["reddit", "comment" if is_comment else "post"] + ([f"subreddit:{data['subreddit']}"] if data.get("subreddit") else [])
    return MentionIn(
        external_id=str(name), kind=MentionKind.comment if is_comment else MentionKind.post,
        url=short(site + data["permalink"] if str(data.get("permalink", "")).startswith("/") else data.get("url")),
        author_name=short(author), author_handle=short(author),
        title=short(data.get("link_title") if is_comment else data.get("title")),
        text=clip(text), original=html or plain or None, published_at=parse_time(data.get("created_utc")), tags=tags,
    )


class Reddit(Collector):
    """Reddit posts and comments matching a search (query; optional subreddit, client_id, client_secret)."""

    kind = "reddit"
    Params = RedditParams
    params: RedditParams
    example = {"query": "acme", "subreddit": "acme"}
    obeys_robots = False

    async def _token(self) -> str | None:
        p = self.params
        if not (p.client_id and p.client_secret):
            return None
        basic = base64.b64encode(f"{p.client_id}:{p.secret('client_secret')}".encode()).decode()
        fetched = await self.fetcher.request(
            "POST", f"{p.base_url}/api/v1/access_token", data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"}, robots=False, retry=True)
        token = fetched.json().get("access_token") if isinstance(fetched.json(), dict) else None
        if not token:
            raise AccessDenied("Reddit gave no access token for these client credentials")
        return str(token)

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        p = self.params
        token = await self._token()
        root = p.api_url if token else p.base_url
        path = f"/r/{p.subreddit}/search.json" if p.subreddit else "/search.json"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        mark, after = Watermark(state), None
        for number in range(1, MAX_PAGES + 1):
            query = {"q": p.query, "sort": "new", "t": "all", "limit": "100", "raw_json": "1"}
            query |= ({"restrict_sr": "1"} if p.subreddit else {}) | ({"after": after} if after else {})
            things, after = parse_listing((await self.get(root + path, params=query, headers=headers)).json())
            items = [item for thing in things if (item := thing_to_mention(thing)) is not None]
            finished = mark.see(items) or after is None or number == MAX_PAGES
            yield Page(items, mark.cursor(finished=finished))
            if finished:
                return
