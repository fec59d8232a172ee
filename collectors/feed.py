"""Entries of any RSS or Atom feed: blogs, forums, Google Alerts; fetched with conditional GET."""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from collectors._text import clip, html_to_text, short
from collectors.base import Collector, Page, Params
from collectors.errors import ParseError
from storage import MentionIn, MentionKind, content_key


class FeedParams(Params):
    base_url: str = ""
    """Not used: `url` is the feed's full address."""
    url: str


def unwrap_link(link: str | None) -> str | None:
    """The target of a Google Alerts redirect link (`https://www.google.com/url?...&url=...`); others unchanged."""
    if not link:
        return None
    parts = urlsplit(link)
    if parts.hostname in ("www.google.com", "google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return link


def _time(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(stamp), tz=timezone.utc) if stamp else None


def entry_to_mention(entry: Any, language: str | None) -> MentionIn:
    """The normalized item of one feed entry; an entry with no id is keyed by its link, title and date."""
    content = entry.get("content") or []
    html = (content[0].get("value") if content else None) or entry.get("summary") or ""
    link = unwrap_link(entry.get("link"))
    published = _time(entry)
    title = html_to_text(entry.get("title")) if entry.get("title") else None
    external_id = entry.get("id") or link or content_key(title, published.isoformat() if published else None, html)
    return MentionIn(
        external_id=str(external_id)[:2000], kind=MentionKind.post, url=short(link),
        author_name=short((entry.get("author_detail") or {}).get("name") or entry.get("author")),
        title=short(title), text=clip(html_to_text(html)), original=html[:400_000] or None,
        language=short(language), published_at=published, tags=["feed"],
    )


def parse_feed(body: bytes) -> list[MentionIn]:
    """Every entry of an RSS or Atom document; a body that is no feed at all is a `ParseError`."""
    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        raise ParseError(f"not an RSS or Atom feed ({parsed.get('bozo_exception') or 'unknown format'})")
    language = parsed.feed.get("language")
    items: dict[str, MentionIn] = {}
    for entry in parsed.entries:
        item = entry_to_mention(entry, language)
        items.setdefault(item.external_id, item)
    return list(items.values())


class Feed(Collector):
    """Entries of an RSS or Atom feed, e.g. a blog or Google Alerts (url)."""

    kind = "feed"
    Params = FeedParams
    params: FeedParams
    example = {"url": "https://www.example.com/feed.xml"}

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        fetched = await self.get(self.params.url, validators=state.get("http"))
        if fetched.not_modified:
            yield Page([], dict(state))
            return
        yield Page(parse_feed(fetched.content), {"http": fetched.validators})
