"""Per-host politeness: at most N requests in flight and a minimum gap between request starts."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class HostLimiter:
    """Spaces out requests to each host; `defer` honours a server's `Retry-After` for everyone."""

    def __init__(
        self, *, interval: float, concurrency: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.concurrency = max(1, concurrency)
        self._clock = clock
        self._sleep = sleep
        self._next_start: dict[str, float] = defaultdict(float)
        self._host_interval: dict[str, float] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def slow_down(self, host: str, interval: float) -> None:
        """Never start requests to `host` closer together than `interval` seconds (robots Crawl-delay)."""
        self._host_interval[host] = max(interval, self._host_interval.get(host, 0.0))

    def defer(self, host: str, seconds: float) -> None:
        """Start no request to `host` for `seconds` (a 429's Retry-After)."""
        self._next_start[host] = max(self._next_start[host], self._clock() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.concurrency))
        async with semaphore:
            async with self._locks[host]:
                wait = self._next_start[host] - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                gap = max(self.interval, self._host_interval.get(host, 0.0))
                self._next_start[host] = max(self._next_start[host], self._clock()) + gap
            yield
