"""Google Play reviews of one app, newest first, through the store web page's `batchexecute` call."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from pydantic import field_validator

from collectors._text import clip, parse_time, rating, short, tidy
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import ParseError
from storage import MentionIn, MentionKind

RPC = "UsvDTd"
PAGE_SIZE = 150
MAX_PAGES = 20
SORT_NEWEST = 2
_XSSI = ")]}'"


class GooglePlayParams(Params):
    base_url: str = "https://play.google.com"
    app_id: str
    lang: str = "en"
    country: str = "us"

    @field_validator("app_id")
    @classmethod
    def _package_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+", value):
            raise ValueError("the Google Play app id is the package name, e.g. com.example.app")
        return value


def request_body(app_id: str, token: str | None, count: int = PAGE_SIZE) -> dict[str, str]:
    """The `f.req` form field asking for one page of newest reviews."""
    inner = json.dumps([None, None, [2, SORT_NEWEST, [count, None, token], None, []], [app_id, 7]], separators=(",", ":"))
    return {"f.req": json.dumps([[[RPC, inner, None, "generic"]]], separators=(",", ":"))}


def _rows(body: str) -> list[Any]:
    text = body.lstrip()
    if not text.startswith(_XSSI):
        raise ParseError("Google Play answer lacks the )]}' guard; not a batchexecute reply")
    text = text[len(_XSSI):].strip()
    try:
        parsed = json.loads(text)
        return parsed if isinstance(parsed, list) else []
    except ValueError:
        pass
    rows: list[Any] = []  # the chunked form: a byte count line, then a JSON array, repeated
    for line in text.splitlines():
        line = line.strip()
        if not line or line.isdigit():
            continue
        try:
            chunk = json.loads(line)
        except ValueError:
            raise ParseError("Google Play batchexecute reply is truncated or malformed") from None
        rows.extend(chunk if isinstance(chunk, list) else [])
    return rows


def parse_reviews(body: str) -> tuple[list[list[Any]], str | None]:
    """(review tuples, next page token) from a batchexecute reply."""
    row = next((r for r in _rows(body) if isinstance(r, list) and len(r) > 2 and r[:2] == ["wrb.fr", RPC]), None)
    if row is None:
        raise ParseError(f"Google Play reply has no {RPC} result")
    if row[2] is None:
        raise ParseError("Google Play returned an empty result for this app (unknown app id?)")
    try:
        payload = json.loads(row[2])
    except (TypeError, ValueError):
        raise ParseError("Google Play review payload is not JSON") from None
    if payload in ([], None):
        return [], None
    if not isinstance(payload, list) or not isinstance(payload[0], list):
        raise ParseError("Google Play review payload has an unexpected shape")
    token = payload[1][1] if len(payload) > 1 and isinstance(payload[1], list) and len(payload[1]) > 1 else None
    return [r for r in payload[0] if isinstance(r, list) and r], (str(token) if token else None)


def _at(values: list[Any], *path: int) -> Any:
    current: Any = values
    for index in path:
        if not isinstance(current, list) or index >= len(current):
            return None
        current = current[index]
    return current


def review_to_mention(review: list[Any], app_id: str, lang: str, country: str) -> MentionIn:
    """The normalized item of one review tuple (id, author, stars, text, [seconds, nanos], ..., version)."""
    review_id = _at(review, 0)
    if not isinstance(review_id, str):
        raise ParseError("Google Play review without an id")
    text = str(_at(review, 4) or "")
    version = _at(review, 10)
    return MentionIn(
        external_id=review_id, kind=MentionKind.review,
        url=f"https://play.google.com/store/apps/details?id={app_id}&reviewId={review_id}",
        author_name=short(_at(review, 1, 0)), text=clip(tidy(text)), original=text or None,
        rating=rating(_at(review, 2)), language=lang, published_at=parse_time(_at(review, 5, 0)),
        tags=[f"country:{country}"] + ([f"version:{version}"] if isinstance(version, str) else []),
    )


class GooglePlay(Collector):
    """Google Play reviews of one app (app_id; optional lang, country)."""

    kind = "googleplay"
    Params = GooglePlayParams
    params: GooglePlayParams
    example = {"app_id": "com.example.app", "lang": "en", "country": "us"}

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        p = self.params
        url = f"{p.base_url}/_/PlayStoreUi/data/batchexecute"
        mark, token = Watermark(state), None
        for number in range(1, MAX_PAGES + 1):
            fetched = await self.fetcher.request(
                "POST", url, params={"rpcids": RPC, "hl": p.lang, "gl": p.country}, data=request_body(p.app_id, token),
                robots=self.obeys_robots, retry=True)  # a read-only call: safe to repeat
            reviews, token = parse_reviews(fetched.text)
            items = [review_to_mention(review, p.app_id, p.lang, p.country) for review in reviews]
            finished = mark.see(items) or token is None or not items or number == MAX_PAGES
            yield Page(items, mark.cursor(finished=finished))
            if finished:
                return
