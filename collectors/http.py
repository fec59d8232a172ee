"""The HTTP layer every collector uses: guarded, robots-aware, throttled per host, retried politely.

One `Fetcher` is shared by all sources of a `collect` run so that per-host limits hold across
sources. Every failure leaves it as a `collectors.errors` class, never as an httpx exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from collectors._limits import HostLimiter
from collectors._netguard import GuardedTransport
from collectors._robots import RobotsCache
from collectors._status import parse_retry_after, raise_for_status, rate_limit_pause
from collectors.errors import (
    BlockedByRobots, ConnectionFailed, FetchTimeout, InvalidParams, ParseError, PermanentError, RateLimited,
    ResponseTooLarge, TransientError,
)

# httpx logs every request URL at INFO; query strings can carry API keys, so keep it quiet.
logging.getLogger("httpx").setLevel(logging.WARNING)

CREDENTIAL_HEADERS = frozenset({"authorization", "x-goog-api-key", "x-api-key", "cookie"})

DEFAULT_USER_AGENT = "Advocado/0.1 (+https://github.com/advocado/advocado; self-hosted review collector)"


@dataclass(frozen=True)
class HttpOptions:
    """How politely and defensively to fetch; the CLI fills these from settings."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 20.0
    allow_private_networks: bool = False
    max_bytes: int = 5 * 1024 * 1024
    attempts: int = 3
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0
    host_interval: float = 1.0
    host_concurrency: int = 2
    max_redirects: int = 5


@dataclass
class Fetched:
    """One response, read in full (within the size cap)."""

    status: int
    url: str
    headers: httpx.Headers
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and "location" in self.headers

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers), errors="replace")

    def json(self) -> Any:
        """The body as JSON; a truncated or non-JSON body is a `ParseError`."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"{self.url} did not answer with valid JSON: {error}") from None

    @property
    def validators(self) -> dict[str, str]:
        """ETag and Last-Modified, to send back as a conditional GET next time."""
        found = {"etag": self.headers.get("etag"), "last_modified": self.headers.get("last-modified")}
        return {name: value for name, value in found.items() if value}


def _charset(headers: httpx.Headers) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


class Fetcher:
    """Fetches for collectors: address guard, robots.txt, per-host limits, retries, size cap.

    `transport`, `sleep`, `clock` and `jitter` are for tests (a MockTransport, a fake clock).
    """

    def __init__(
        self, options: HttpOptions | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.options = options or HttpOptions()
        self._sleep = sleep
        self._jitter = jitter
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(allow_private_networks=self.options.allow_private_networks),
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=False,
            max_redirects=self.options.max_redirects,
            headers={"User-Agent": self.options.user_agent},
            trust_env=False,
        )
        self.limiter = HostLimiter(interval=self.options.host_interval, concurrency=self.options.host_concurrency,
                                   clock=clock, sleep=sleep)
        self.robots = RobotsCache(self._fetch_robots, clock=clock)
        self.requests_sent = 0

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        validators: Mapping[str, str] | None = None, robots: bool = True, accept: frozenset[int] = frozenset(),
    ) -> Fetched:
        """GET `url`, retrying transient failures; `validators` makes it a conditional GET."""
        conditional = dict(headers or {})
        if validators and validators.get("etag"):
            conditional["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            conditional["If-Modified-Since"] = validators["last_modified"]
        return await self.request("GET", url, params=params, headers=conditional, robots=robots, accept=accept)

    async def request(
        self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None, data: Mapping[str, str] | None = None,
        json_body: Any = None, robots: bool = True, retry: bool | None = None, accept: frozenset[int] = frozenset(),
    ) -> Fetched:
        """Send one request; only idempotent ones are retried unless `retry` says otherwise.

        Redirects are followed here, hop by hop, so every hop passes robots.txt, the per-host limits
        and the retries like a first request (and the address guard, in the transport).
        """
        try:
            request = self._client.build_request(method, url, params=params, headers=headers, data=data, json=json_body)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, TypeError) as error:
            raise InvalidParams(f"not a usable URL: {url!r} ({error})") from None
        attempts = self.options.attempts if (retry if retry is not None else method in ("GET", "HEAD")) else 1
        for _hop in range(self.options.max_redirects + 1):
            if robots:
                await self._check_robots(request.url)
            fetched = await self._with_retries(request, accept, attempts)
            if not fetched.is_redirect:
                return fetched
            request = self._next_hop(request, fetched)
        raise PermanentError(f"{request.url.host} redirected more than {self.options.max_redirects} times")

    async def _with_retries(self, request: httpx.Request, accept: frozenset[int], attempts: int) -> Fetched:
        for attempt in range(1, attempts + 1):
            try:
                return await self._send_once(request, accept)
            except TransientError as error:
                delay = self._backoff(attempt, error)
                if attempt == attempts or delay > self.options.max_retry_after:
                    raise
                await self._sleep(delay)
        raise AssertionError("unreachable")

    def _next_hop(self, request: httpx.Request, fetched: Fetched) -> httpx.Request:
        """The request a redirect asks for. One that carries credentials never leaves its origin:
        httpx would strip `Authorization` across origins, but not API-key headers."""
        try:
            target = request.url.join(fetched.headers["location"])
        except (KeyError, httpx.InvalidURL):
            raise PermanentError(f"{request.url.host} sent a redirect without a usable Location") from None
        same_origin = (target.scheme, target.host, target.port) == (request.url.scheme, request.url.host, request.url.port)
        if not same_origin and any(name.lower() in CREDENTIAL_HEADERS for name in request.headers):
            raise PermanentError(f"{request.url.host} redirected to {target.host}; credentials are never sent to another host")
        keep_body = fetched.status in (307, 308)
        method = request.method if keep_body or request.method == "HEAD" else "GET"
        dropped = {"host"} | (set() if keep_body else {"content-length", "content-type", "transfer-encoding"})
        headers = {name: value for name, value in request.headers.items() if name.lower() not in dropped}
        return self._client.build_request(method, target, headers=headers, content=request.content if keep_body else None)

    def _backoff(self, attempt: int, error: TransientError) -> float:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after + self._jitter()
        ceiling = min(self.options.backoff_cap, self.options.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2

    async def _send_once(self, request: httpx.Request, accept: frozenset[int]) -> Fetched:
        host = request.url.host
        async with self.limiter.slot(host):
            self.requests_sent += 1
            fetched, response = await self._read(request)
        pause = parse_retry_after(response.headers.get("retry-after")) if response.status_code in (429, 503) else None
        pause = pause if pause is not None else rate_limit_pause(response.headers)
        if pause:
            self.limiter.defer(host, min(pause, self.options.max_retry_after))
        raise_for_status(response, accept)
        return fetched

    async def _read(self, request: httpx.Request, *, follow: bool = False) -> tuple[Fetched, httpx.Response]:
        cap = self.options.max_bytes
        try:
            async with asyncio.timeout(self.options.timeout * 3):
                response = await self._client.send(request, stream=True, follow_redirects=follow)
                try:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > cap:
                        raise ResponseTooLarge(f"{request.url.host} sent {declared} bytes; the cap is {cap}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body.extend(chunk)
                        if len(body) > cap:
                            raise ResponseTooLarge(f"{request.url.host} sent more than {cap} bytes")
                finally:
                    await response.aclose()
        except TimeoutError:
            raise FetchTimeout(f"{request.url.host} took longer than {self.options.timeout * 3:.0f} s in all") from None
        except httpx.TimeoutException as error:
            raise FetchTimeout(f"{request.url.host} timed out ({type(error).__name__})") from None
        except httpx.TooManyRedirects:
            raise PermanentError(f"{request.url.host} redirected more than {self.options.max_redirects} times") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise PermanentError(f"{request.url.host} redirected to an unusable URL: {error}") from None
        except httpx.TransportError as error:
            raise ConnectionFailed(f"{request.url.host}: {type(error).__name__}: {error}") from None
        return Fetched(response.status_code, str(response.url), response.headers, bytes(body)), response

    async def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        request = self._client.build_request("GET", url)
        async with self.limiter.slot(request.url.host):
            self.requests_sent += 1
            fetched, _ = await self._read(request, follow=True)  # RFC 9309: follow at least five redirects
        return fetched.status, fetched.content

    async def _check_robots(self, url: httpx.URL) -> None:
        rules = await self.robots.rules_for(url)
        agent = self.options.user_agent
        if not rules.allowed(str(url), agent):
            raise BlockedByRobots(f"robots.txt of {url.host} does not allow {url.copy_with(query=None)}")
        delay = rules.crawl_delay(agent)
        if delay:
            self.limiter.slow_down(url.host, min(delay, 60.0))

