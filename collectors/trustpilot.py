"""Trustpilot reviews of one business, from its public review pages (all languages, newest first)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup
from pydantic import field_validator

from collectors._structured import first, is_review, json_ld, name_of, walk
from collectors._text import clip, parse_time, rating, short, tidy
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import ParseError
from collectors.webpage import review_rating
from storage import MentionIn, MentionKind

MAX_PAGES = 1000


class TrustpilotParams(Params):
    base_url: str = "https://www.trustpilot.com"
    domain: str

    @field_validator("domain")
    @classmethod
    def _bare_domain(cls, value: str) -> str:
        value = value.lower().removeprefix("https://").removeprefix("http://").strip("/")
        if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", value):
            raise ValueError("the domain is the business's web address as Trustpilot shows it, e.g. example.com")
        return value


@dataclass
class ReviewPage:
    """The reviews on one page and how many pages there are (None when the page does not say)."""

    reviews: list[MentionIn]
    total_pages: int | None


def _next_data(soup: BeautifulSoup) -> dict[str, Any] | None:
    script = soup.find("script", id="__NEXT_DATA__")
    if script is None:
        return None
    try:
        data = json.loads(script.string or "")
    except ValueError:
        return None
    props = data.get("props", {}) if isinstance(data, dict) else {}
    page_props = props.get("pageProps") if isinstance(props, dict) else None
    return page_props if isinstance(page_props, dict) else None


def _looks_like_review(node: Any) -> bool:
    return isinstance(node, dict) and "id" in node and "rating" in node and ("text" in node or "title" in node)


def _find_reviews(page_props: dict[str, Any]) -> list[dict[str, Any]] | None:
    # Builds rename pageProps keys; prefer `reviews`, else the first list that holds review-shaped objects.
    reviews = page_props.get("reviews")
    if isinstance(reviews, list) and all(_looks_like_review(r) for r in reviews):
        return reviews
    for node in walk({k: v for k, v in page_props.items() if k not in ("relevantReviews", "aiSummary")}):
        for value in node.values():
            if isinstance(value, list) and value and all(_looks_like_review(r) for r in value):
                return value
    return [] if isinstance(reviews, list) else None


def _total_pages(page_props: dict[str, Any]) -> int | None:
    for node in walk(page_props.get("filters") or page_props):
        value = node.get("totalPages")
        if isinstance(value, int):
            return value
    return None


def review_url(base_url: str, review_id: str) -> str:
    return f"{base_url}/reviews/{review_id}"


def next_data_review(review: dict[str, Any], base_url: str) -> MentionIn:
    """The normalized item of one `__NEXT_DATA__` review."""
    consumer = review.get("consumer") or {}
    dates = review.get("dates") or {}
    verification = (review.get("labels") or {}).get("verification") or {}
    tags = [f"country:{consumer['countryCode']}"] if consumer.get("countryCode") else []
    if verification.get("isVerified"):
        tags.append("verified")
    text = str(review.get("text") or "")
    return MentionIn(
        external_id=str(review["id"]), kind=MentionKind.review, url=review_url(base_url, str(review["id"])),
        author_name=short(consumer.get("displayName")), author_handle=short(consumer.get("id")),
        title=short(review.get("title")), text=clip(tidy(text)), original=text or None,
        rating=rating(review.get("rating")), language=short(review.get("language")),
        published_at=parse_time(dates.get("publishedDate") or dates.get("submittedDate")), tags=tags,
    )


def json_ld_review(review: dict[str, Any], base_url: str) -> MentionIn:
    """The normalized item of one JSON-LD review (the fallback); ids match the `__NEXT_DATA__` ones."""
    review_id = str(review.get("@id") or "").rstrip("/").rsplit("/", 1)[-1]
    if not review_id:
        raise ParseError("Trustpilot JSON-LD review without an @id")
    body = str(first(review.get("reviewBody")) or "")
    author = first(review.get("author"))
    profile = str(author.get("url") or "") if isinstance(author, dict) else ""
    return MentionIn(
        external_id=review_id, kind=MentionKind.review, url=review_url(base_url, review_id),
        author_name=short(name_of(author)),
        author_handle=short(profile.rstrip("/").rsplit("/users/", 1)[-1] if "/users/" in profile else None),
        title=short(first(review.get("headline")) or name_of(review.get("name"))),
        text=clip(tidy(body)), original=body or None, rating=review_rating(review),
        language=short(first(review.get("inLanguage"))), published_at=parse_time(first(review.get("datePublished"))),
    )


def parse_review_page(html: str | bytes, base_url: str = "https://www.trustpilot.com") -> ReviewPage:
    """Reviews from a Trustpilot review page: `__NEXT_DATA__` first, the JSON-LD `@graph` if that fails."""
    soup = BeautifulSoup(html, "html.parser")
    page_props = _next_data(soup)
    if page_props is not None and (reviews := _find_reviews(page_props)) is not None:
        return ReviewPage([next_data_review(r, base_url) for r in reviews], _total_pages(page_props))
    nodes = [node for block in json_ld(soup) for node in walk(block)]
    reviews_ld = [node for node in nodes if is_review(node)]
    if reviews_ld or any("organization" in str(node.get("@type", "")).lower() for node in nodes):
        return ReviewPage([json_ld_review(r, base_url) for r in reviews_ld], None)
    raise ParseError("Trustpilot page has neither __NEXT_DATA__ reviews nor JSON-LD reviews")


class Trustpilot(Collector):
    """Trustpilot reviews of one business in every language (domain)."""

    kind = "trustpilot"
    Params = TrustpilotParams
    params: TrustpilotParams
    example = {"domain": "example.com"}

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        mark = Watermark(state)
        url = f"{self.params.base_url}/review/{self.params.domain}"
        for number in range(1, MAX_PAGES + 1):
            query = {"sort": "recency", "languages": "all"} | ({"page": str(number)} if number > 1 else {})
            fetched = await self.get(url, params=query, accept=frozenset({404}) if number > 1 else frozenset())
            page = ReviewPage([], number) if fetched.status == 404 else parse_review_page(fetched.content, self.params.base_url)
            finished = mark.see(page.reviews) or not page.reviews or number >= (page.total_pages or number)
            yield Page(page.reviews, mark.cursor(finished=finished))
            if finished:
                return
