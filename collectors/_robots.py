"""robots.txt with RFC 9309 semantics, parsed by protego (Scrapy's parser; longest match wins).

Fetch rules (RFC 9309 section 2.3.1): a 2xx file is parsed; a 4xx means there are no rules, so
everything is allowed; a 5xx or a network failure means the whole site is disallowed until a later
attempt succeeds. Scrapy fails open on download errors; we deliberately fail closed. Files are
cached per origin for at most a day and only the first 500 KiB are parsed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from protego import Protego

from collectors.errors import CollectorError, PolicyError

CACHE_SECONDS = 24 * 3600
UNREACHABLE_CACHE_SECONDS = 600
PARSE_LIMIT = 500 * 1024


@dataclass
class RobotsRules:
    """What one origin's robots.txt says; `parser` is None when everything or nothing is allowed."""

    parser: Protego | None
    allow_all: bool
    fetched_at: float
    ttl: float

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


def rules_from_response(status: int, body: bytes, now: float) -> RobotsRules:
    """Turn a robots.txt answer into rules, following RFC 9309's status semantics."""
    if 200 <= status < 300:
        text = body[:PARSE_LIMIT].decode("utf-8", errors="replace")
        return RobotsRules(Protego.parse(text), allow_all=True, fetched_at=now, ttl=CACHE_SECONDS)
    if 400 <= status < 500:
        return RobotsRules(None, allow_all=True, fetched_at=now, ttl=CACHE_SECONDS)
    return RobotsRules(None, allow_all=False, fetched_at=now, ttl=UNREACHABLE_CACHE_SECONDS)


def robots_url(url: httpx.URL) -> str:
    return str(url.copy_with(path="/robots.txt", query=None, fragment=None, userinfo=b""))


RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


class RobotsCache:
    """robots.txt rules per origin, fetched on first use through `fetch` and kept for a day."""

    def __init__(self, fetch: RobotsFetch, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._rules: dict[str, RobotsRules] = {}

    async def rules_for(self, url: httpx.URL) -> RobotsRules:
        origin = robots_url(url)
        now = self._clock()
        cached = self._rules.get(origin)
        if cached is not None and now - cached.fetched_at < cached.ttl:
            return cached
        try:
            status, body = await self._fetch(origin)
        except PolicyError:
            raise
        except CollectorError:
            status, body = 599, b""
        rules = rules_from_response(status, body, now)
        self._rules[origin] = rules
        return rules
