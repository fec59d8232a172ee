"""HTTP answers mapped to the collector error tree, and the server's wishes about when to come back."""

from __future__ import annotations

import email.utils
from datetime import datetime, timezone

import httpx

from collectors._text import parse_time
from collectors.errors import AccessDenied, ClientError, NotFound, RateLimited, UpstreamError


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def rate_limit_pause(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """Seconds until an exhausted `x-ratelimit-*` / `ratelimit-*` budget resets (Reddit, Mastodon, Bluesky)."""
    remaining = headers.get("x-ratelimit-remaining") or headers.get("ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset")
    try:
        if remaining is None or reset is None or float(remaining) >= 1:
            return None
    except ValueError:
        return None
    try:
        seconds = float(reset)
    except ValueError:
        when = parse_time(reset)
        if when is None:
            return None
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds > 1e9:  # Bluesky sends an epoch timestamp, Reddit seconds to go
        seconds -= (now or datetime.now(timezone.utc)).timestamp()
    return max(0.0, seconds)


def raise_for_status(response: httpx.Response, accept: frozenset[int] = frozenset()) -> None:
    """Map an HTTP status to the error tree; `accept` lists statuses the caller handles itself."""
    status = response.status_code
    if status < 400 or status in accept:
        return
    where = f"{response.request.method} {response.request.url.copy_with(query=None)}"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 429 or (status == 503 and retry_after is not None):
        raise RateLimited(f"{where} answered {status} (rate limited)", retry_after)
    if status >= 500 or status in (408, 425):
        raise UpstreamError(f"{where} answered {status}")
    if status in (404, 410):
        raise NotFound(f"{where} answered {status} (not found)")
    if status in (401, 403):
        raise AccessDenied(f"{where} answered {status} (credentials missing or refused)")
    raise ClientError(f"{where} answered {status}")
