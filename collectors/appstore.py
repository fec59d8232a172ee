"""App Store customer reviews from Apple's public RSS feed (JSON or Atom XML), per country."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import field_validator

from collectors._text import clip, parse_time, rating, short, tidy
from collectors.base import Collector, Page, Params, Watermark, comma_list
from collectors.errors import NotFound, ParseError
from storage import MentionIn, MentionKind

MAX_PAGES = 10  # Apple serves at most 10 pages of 50 per country; page 11 answers 400
_ATOM = "{http://www.w3.org/2005/Atom}"
_IM = "{http://itunes.apple.com/rss}"
_LAST_PAGE = re.compile(r"/page=(\d+)/")


class AppStoreParams(Params):
    base_url: str = "https://itunes.apple.com"
    app_id: str
    countries: list[str] = ["us"]
    format: Literal["json", "xml"] = "json"

    _split = field_validator("countries", mode="before")(comma_list)

    @field_validator("app_id")
    @classmethod
    def _digits(cls, value: str) -> str:
        value = value.removeprefix("id")
        if not value.isdigit():
            raise ValueError("the App Store app id is the number in the app's URL, e.g. 284882215")
        return value

    @field_validator("countries")
    @classmethod
    def _country_codes(cls, value: list[str]) -> list[str]:
        codes = [code.lower() for code in value]
        if not codes or any(not re.fullmatch(r"[a-z]{2}", code) for code in codes):
            raise ValueError("countries are two-letter storefront codes, e.g. us,gb,nl")
        return codes


@dataclass
class FeedPage:
    """One page of the review feed: its reviews (as plain dicts) and the last page number it names."""

    reviews: list[dict[str, Any]]
    last_page: int | None


def _label(node: Any) -> str | None:
    if isinstance(node, dict):
        value = node.get("label")
        return None if value is None else str(value)
    return None


def parse_json_feed(data: Any) -> FeedPage:
    """Reviews from the JSON feed: every scalar is `{"label": ...}`; `entry` is a list, a dict or absent;
    older feeds open with an app-metadata entry, which has no `im:rating` and is skipped."""
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise ParseError("App Store feed has no `feed` object")
    entries = feed.get("entry", [])
    entries = [entries] if isinstance(entries, dict) else entries
    if not isinstance(entries, list):
        raise ParseError("App Store feed `entry` is neither a list nor an object")
    reviews = []
    for entry in entries:
        if not isinstance(entry, dict) or "im:rating" not in entry:
            continue
        author = entry.get("author") or {}
        reviews.append({
            "id": _label(entry.get("id")), "title": _label(entry.get("title")),
            "text": _label(entry.get("content")), "rating": _label(entry.get("im:rating")),
            "author": _label(author.get("name")), "author_uri": _label(author.get("uri")),
            "updated": _label(entry.get("updated")), "version": _label(entry.get("im:version")),
        })
    links = feed.get("link") or []
    links = [links] if isinstance(links, dict) else links
    last = next((str((link.get("attributes") or {}).get("href") or "") for link in links
                 if isinstance(link, dict) and (link.get("attributes") or {}).get("rel") == "last"), "")
    return FeedPage(reviews, _page_number(last))


def parse_atom_feed(body: bytes) -> FeedPage:
    """Reviews from the Atom XML feed (same fields as the JSON one)."""
    try:
        # Apple's feed has no DTD; expat >= 2.4.1 (Python 3.11) refuses entity-expansion bombs.
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ParseError(f"App Store Atom feed is not valid XML: {error}") from None
    if root.tag != f"{_ATOM}feed":
        raise ParseError(f"App Store Atom feed has root {root.tag!r}, not feed")
    reviews = []
    for entry in root.iter(f"{_ATOM}entry"):
        if entry.find(f"{_IM}rating") is None:
            continue
        content = next((c for c in entry.findall(f"{_ATOM}content") if c.get("type", "text") == "text"), None)
        reviews.append({
            "id": entry.findtext(f"{_ATOM}id"), "title": entry.findtext(f"{_ATOM}title"),
            "text": content.text if content is not None else None, "rating": entry.findtext(f"{_IM}rating"),
            "author": entry.findtext(f"{_ATOM}author/{_ATOM}name"),
            "author_uri": entry.findtext(f"{_ATOM}author/{_ATOM}uri"),
            "updated": entry.findtext(f"{_ATOM}updated"), "version": entry.findtext(f"{_IM}version"),
        })
    last = next((link.get("href", "") for link in root.findall(f"{_ATOM}link") if link.get("rel") == "last"), "")
    return FeedPage(reviews, _page_number(last))


def _page_number(href: str) -> int | None:
    match = _LAST_PAGE.search(href)
    return int(match.group(1)) if match else None


def to_mention(review: dict[str, Any], app_id: str, country: str) -> MentionIn:
    """The normalized item of one review."""
    if not review.get("id"):
        raise ParseError("App Store review without an id")
    text = tidy(review.get("text") or "")
    return MentionIn(
        external_id=review["id"], kind=MentionKind.review,
        url=f"https://apps.apple.com/{country}/app/id{app_id}?see-all=reviews",
        author_name=short(review.get("author")), author_handle=short(review.get("author_uri")),
        title=short(review.get("title")), text=clip(text), original=review.get("text"),
        rating=rating(review.get("rating")), published_at=parse_time(review.get("updated")),
        tags=[f"country:{country}"] + ([f"version:{review['version']}"] if review.get("version") else []),
    )


class AppStore(Collector):
    """App Store reviews of one app in one or more countries (app_id, countries)."""

    kind = "appstore"
    Params = AppStoreParams
    example = {"app_id": "284882215", "countries": "us,gb"}
    params: AppStoreParams

    def page_url(self, country: str, page: int) -> str:
        p = self.params
        return f"{p.base_url}/{country}/rss/customerreviews/page={page}/id={p.app_id}/sortby=mostrecent/{p.format}"

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        marks = {cc: Watermark(state.get("countries", {}).get(cc, {})) for cc in self.params.countries}
        cursors = {cc: marks[cc].cursor(finished=False) for cc in self.params.countries}
        for country in self.params.countries:
            mark = marks[country]
            page_number, last_page = 1, MAX_PAGES
            while True:
                fetched = await self.get(self.page_url(country, page_number), accept=frozenset({400}))
                if fetched.status == 400 and page_number > 1:
                    feed = FeedPage([], None)  # past the last page Apple serves
                elif fetched.status == 400:
                    raise NotFound(f"App Store has no review feed for app {self.params.app_id} in {country}")
                else:
                    feed = parse_atom_feed(fetched.content) if self.params.format == "xml" else parse_json_feed(fetched.json())
                items = [to_mention(review, self.params.app_id, country) for review in feed.reviews]
                last_page = min(MAX_PAGES, feed.last_page or last_page)
                finished = mark.see(items) or not items or page_number >= last_page
                cursors[country] = mark.cursor(finished=finished)
                yield Page(items, {"countries": dict(cursors)})
                if finished:
                    break
                page_number += 1
