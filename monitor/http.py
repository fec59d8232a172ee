"""Sending questions to providers: the address guard, retries that honour Retry-After, per-engine
concurrency, and a budget cap on requests and estimated cost.

Every failure leaves this module as a `monitor.errors` class, never as an httpx exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from collectors import GuardedTransport
from collectors.errors import AddressRefused as CollectorAddressRefused
from monitor.errors import (
    AccessDenied, AddressRefused, BadRequest, BudgetExhausted, ConnectionFailed, ParseError, RateLimited,
    RequestTimeout, TransientError, UpstreamError,
)

# httpx logs request URLs at INFO; Gemini's `?key=` form would put a key in the log.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ClientOptions:
    """How to talk to one engine; the CLI fills these from settings and the engine's parameters."""

    timeout: float = 120.0
    allow_private_networks: bool = False
    attempts: int = 4
    backoff_base: float = 2.0
    backoff_cap: float = 60.0
    max_retry_after: float = 120.0
    user_agent: str = "Advocado/0.1 (AI visibility monitor)"


class Budget:
    """A cap on requests and estimated cost (USD) for one engine in one run; None means no cap."""

    def __init__(self, max_requests: int | None = None, max_cost: float | None = None) -> None:
        self.max_requests = max_requests
        self.max_cost = max_cost
        self.requests = 0
        self.cost = 0.0

    def reserve(self, expected_cost: float) -> None:
        """Count one request, or raise `BudgetExhausted` if it would pass a cap."""
        if self.max_requests is not None and self.requests >= self.max_requests:
            raise BudgetExhausted(f"request cap of {self.max_requests} reached")
        if self.max_cost is not None and self.cost + expected_cost > self.max_cost + 1e-12:
            raise BudgetExhausted(f"estimated cost cap of ${self.max_cost:g} reached (spent ${self.cost:.4f})")
        self.requests += 1
        self.cost += expected_cost

    def settle(self, actual: float, reserved: float) -> None:
        """Replace what was reserved for an answer by its estimated actual cost."""
        self.cost += actual - reserved


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds, fractional too, or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _error_message(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or error)[:300]
    return str(payload)[:300]


def raise_for_status(response: httpx.Response, body: bytes) -> None:
    """Map an HTTP status to the error tree (429 and Anthropic's 529 are rate limits)."""
    status = response.status_code
    if status < 400:
        return
    where = f"{response.request.url.host} answered {status}"
    detail = _error_message(body)
    if status in (429, 529) or (status == 503 and "retry-after" in response.headers):
        wait = parse_retry_after(response.headers.get("retry-after"))
        raise RateLimited(f"{where} (rate limited or overloaded): {detail}", wait)
    if status >= 500 or status in (408, 425):
        raise UpstreamError(f"{where}: {detail}")
    if status in (401, 403):
        raise AccessDenied(f"{where} (API key missing or refused): {detail}")
    raise BadRequest(f"{where}: {detail}")


class EngineClient:
    """POSTs JSON for one engine: guarded, retried, `concurrency` at a time, within a `Budget`.

    A `Retry-After` pauses every request of the engine, not only the one that was told.
    `transport`, `sleep`, `jitter` and `clock` are for tests.
    """

    def __init__(
        self, options: ClientOptions | None = None, *, concurrency: int = 4, budget: Budget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or ClientOptions()
        self._clock = clock
        self._resume_at = 0.0
        self.budget = budget or Budget()
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._sleep = sleep
        self._jitter = jitter
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(allow_private_networks=self.options.allow_private_networks,
                                                    max_connections=max(1, concurrency)),
            timeout=httpx.Timeout(self.options.timeout), follow_redirects=False, trust_env=False,
            headers={"User-Agent": self.options.user_agent},
        )
        self.retries = 0

    async def __aenter__(self) -> EngineClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post_json(self, url: str, body: Any, *, headers: Mapping[str, str], expected_cost: float = 0.0,
                        params: Mapping[str, str] | None = None) -> Any:
        """POST `body` and return the decoded JSON answer, retrying transient failures.

        Each attempt counts against the budget. Redirects are never followed, so a key in a header
        never reaches another host.
        """
        waited_for = 0.0
        for attempt in range(1, self.options.attempts + 1):
            self.budget.reserve(expected_cost)
            try:
                async with self._slots:
                    # A provider that said "retry after N s" gets no request from this engine before
                    # then; the request that was told has already waited in its own backoff.
                    pause = self._resume_at - self._clock()
                    if self._resume_at > waited_for and 0 < pause <= self.options.max_retry_after:
                        await self._sleep(pause)
                        waited_for = self._resume_at
                    return await self._send(url, body, headers, params)
            except TransientError as error:
                delay = self._backoff(attempt, error)
                if isinstance(error, RateLimited) and error.retry_after is not None:
                    self._resume_at = max(self._resume_at, self._clock() + error.retry_after)
                    waited_for = self._resume_at
                if attempt == self.options.attempts or delay > self.options.max_retry_after:
                    raise
                self.retries += 1
                await self._sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, error: TransientError) -> float:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return float(error.retry_after + self._jitter() * 0.5)
        ceiling = min(self.options.backoff_cap, self.options.backoff_base * 2 ** (attempt - 1))
        return float(ceiling / 2 + self._jitter() * ceiling / 2)

    async def _send(self, url: str, body: Any, headers: Mapping[str, str], params: Mapping[str, str] | None) -> Any:
        try:
            request = self._client.build_request("POST", url, json=body, headers=dict(headers), params=params)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise BadRequest(f"not a usable URL: {url!r} ({error})") from None
        host = request.url.host
        try:
            async with asyncio.timeout(self.options.timeout * 2):
                response = await self._client.send(request, stream=True)
                try:
                    content = bytearray()
                    async for chunk in response.aiter_bytes():
                        content.extend(chunk)
                        if len(content) > MAX_BYTES:
                            raise ParseError(f"{host} sent more than {MAX_BYTES} bytes")
                finally:
                    await response.aclose()
        except TimeoutError:
            raise RequestTimeout(f"{host} took longer than {self.options.timeout * 2:.0f} s") from None
        except httpx.TimeoutException as error:
            raise RequestTimeout(f"{host} timed out ({type(error).__name__})") from None
        except CollectorAddressRefused as error:
            raise AddressRefused(str(error)) from None
        except httpx.TransportError as error:
            raise ConnectionFailed(f"{host}: {type(error).__name__}: {error}") from None
        if 300 <= response.status_code < 400:
            raise BadRequest(f"{host} redirected ({response.status_code}); check the engine's base_url")
        raise_for_status(response, bytes(content))
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"{host} did not answer with valid JSON: {error}") from None
