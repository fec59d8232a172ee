"""Reviews published on any web page as schema.org `Review` (JSON-LD or microdata)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from collectors._structured import first, is_aggregate, is_review, name_of, structured_nodes
from collectors._text import clip, html_to_text, parse_time, rating, short, tidy
from collectors.base import Collector, Page, Params
from collectors.errors import ParseError
from storage import MentionIn, MentionKind, content_key

_MARKUP = re.compile(r"<[a-zA-Z/!]|&#?\w+;")


class WebpageParams(Params):
    base_url: str = ""
    """Not used: `url` is the page's full address."""
    url: str


def review_rating(review: dict[str, Any]) -> float | None:
    """`reviewRating` as 1-5: a number, a numeric string, or a Rating with its own best/worst scale."""
    raw = first(review.get("reviewRating"))
    if isinstance(raw, dict):
        best = first(raw.get("bestRating"))
        try:
            scale = float(best) if best not in (None, "") else 5.0
        except (TypeError, ValueError):
            scale = 5.0
        return rating(first(raw.get("ratingValue")), best=scale)
    return rating(raw)


def review_to_mention(review: dict[str, Any], page_url: str) -> MentionIn:
    """The normalized item of one schema.org Review."""
    body = first(review.get("reviewBody")) or first(review.get("description")) or first(review.get("text")) or ""
    body = str(body)
    author = name_of(review.get("author"))
    published = parse_time(first(review.get("datePublished")) or first(review.get("dateCreated")))
    link = first(review.get("url")) or (review.get("@id") if str(review.get("@id", "")).startswith("http") else None)
    text = html_to_text(body) if _MARKUP.search(body) else tidy(body)
    external_id = str(link) if link else content_key(author, published.isoformat() if published else None, text)
    return MentionIn(
        external_id=external_id[:2000], kind=MentionKind.review, url=short(link or page_url),
        author_name=short(author), title=short(name_of(review.get("name")) or first(review.get("headline"))),
        text=clip(text), original=body[:400_000] or None, rating=review_rating(review),
        language=short(first(review.get("inLanguage"))), published_at=published,
    )


def reviews_on_page(html: str | bytes, page_url: str) -> tuple[list[MentionIn], int]:
    """The page's reviews, duplicates across blocks removed, and how many aggregate ratings it has."""
    nodes = structured_nodes(html)
    reviews: dict[str, MentionIn] = {}
    for node in nodes:
        if is_review(node):
            item = review_to_mention(node, page_url)
            reviews.setdefault(item.external_id, item)
    return list(reviews.values()), sum(1 for node in nodes if is_aggregate(node))


class Webpage(Collector):
    """schema.org reviews (JSON-LD or microdata) published on one web page (url)."""

    kind = "webpage"
    Params = WebpageParams
    params: WebpageParams
    example = {"url": "https://www.example.com/products/anvil"}

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        fetched = await self.get(self.params.url, validators=state.get("http"))
        if fetched.not_modified:
            yield Page([], dict(state))
            return
        items, aggregates = reviews_on_page(fetched.content, self.params.url)
        if not items and not aggregates:
            raise ParseError(f"no schema.org Review or AggregateRating found on {self.params.url}")
        yield Page(items, {"http": fetched.validators})
