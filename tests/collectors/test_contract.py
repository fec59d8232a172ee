"""The contract every registered collector passes: injected faults end in the right error class,
never a crash and never a silent zero; the interface is complete and documented."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from collectors import Collector, Fetcher, HttpOptions, registry
from collectors.errors import (
    CollectorError, ConnectionFailed, FetchTimeout, ParseError, PermanentError, RateLimited, UpstreamError,
)

KINDS = registry().kinds()
OPTIONS = HttpOptions(host_interval=0.0, attempts=2, backoff_base=0.0, max_retry_after=5.0)

Fault = Callable[[httpx.Request], httpx.Response]


def _raise(error: Exception) -> Fault:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


FAULTS: dict[str, tuple[Fault, type[CollectorError]]] = {
    "connect error": (_raise(httpx.ConnectError("connection refused")), ConnectionFailed),
    "read timeout": (_raise(httpx.ReadTimeout("too slow")), FetchTimeout),
    "429 with Retry-After": (lambda r: httpx.Response(429, headers={"Retry-After": "1"}), RateLimited),
    "500": (lambda r: httpx.Response(500, text="oops"), UpstreamError),
    "protocol error mid-body": (_raise(httpx.RemoteProtocolError("peer closed connection")), ConnectionFailed),
    "truncated JSON body": (lambda r: httpx.Response(200, content=b'{"data": {"children": [{"kind": "t3", "da'), ParseError),
    "reshaped JSON body": (lambda r: httpx.Response(200, json={"unexpected": {"shape": [1, 2, 3]}}), ParseError),
    "empty body": (lambda r: httpx.Response(200, content=b""), ParseError),
    "HTML error page": (lambda r: httpx.Response(200, html="<html><body>Sorry, something went wrong</body></html>"), ParseError),
}


def _with_open_robots(fault: Fault) -> Fault:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return fault(request)

    return handler


async def _drain(kind: str, fault: Fault) -> int:
    collector_class = registry().get(kind)
    overrides = {"url": "https://service.test/page"} if "url" in collector_class.Params.model_fields else {}
    params = collector_class.Params.model_validate({**collector_class.example, "base_url": "https://service.test", **overrides})
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with Fetcher(OPTIONS, transport=httpx.MockTransport(_with_open_robots(fault)), sleep=no_sleep) as fetcher:
        count = 0
        async for page in collector_class(params, fetcher).pages({}):
            count += len(page.items)
        return count


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("kind", KINDS)
def test_injected_fault_raises_the_right_error_class(kind: str, fault_name: str) -> None:
    fault, expected = FAULTS[fault_name]
    with pytest.raises(CollectorError) as caught:
        asyncio.run(_drain(kind, fault))
    assert isinstance(caught.value, expected), f"{kind} on {fault_name}: {type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize("kind", KINDS)
def test_not_found_is_permanent(kind: str) -> None:
    with pytest.raises(PermanentError):
        asyncio.run(_drain(kind, lambda r: httpx.Response(404, text="no such thing")))


@pytest.mark.parametrize("kind", KINDS)
def test_interface_is_complete_and_documented(kind: str) -> None:
    collector_class = registry().get(kind)
    assert issubclass(collector_class, Collector)
    assert collector_class.kind == kind
    assert collector_class.description() and len(collector_class.description()) < 120
    assert "base_url" in collector_class.Params.model_fields
    default = collector_class.Params.model_fields["base_url"].default
    assert default.startswith("https://") or (default == "" and "url" in collector_class.Params.model_fields)
    collector_class.Params.model_validate(collector_class.example)


def test_builtin_kinds_are_registered_through_entry_points() -> None:
    assert {"appstore", "webpage"} <= set(KINDS)


def test_registry_refuses_a_second_collector_for_a_taken_kind() -> None:
    from collectors import DuplicateKind, Registry
    from collectors.appstore import AppStore

    class Impostor(AppStore):
        """Pretends to be the App Store."""

    fresh = Registry()
    fresh.register(AppStore)
    fresh.register(AppStore)
    with pytest.raises(DuplicateKind):
        fresh.register(Impostor)


@pytest.mark.parametrize("kind", KINDS)
def test_robots_txt_binds_page_readers_and_not_documented_apis(kind: str) -> None:
    collector_class = registry().get(kind)
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /\n")
        return httpx.Response(500)

    async def drain() -> None:
        overrides = {"url": "https://service.test/page"} if "url" in collector_class.Params.model_fields else {}
        params = collector_class.Params.model_validate({**collector_class.example, "base_url": "https://service.test", **overrides})

        async def no_sleep(_seconds: float) -> None:
            pass

        async with Fetcher(OPTIONS, transport=httpx.MockTransport(handler), sleep=no_sleep) as fetcher:
            async for _page in collector_class(params, fetcher).pages({}):
                pass

    with pytest.raises(CollectorError) as caught:
        asyncio.run(drain())
    if collector_class.obeys_robots:
        assert type(caught.value).__name__ == "BlockedByRobots"
        assert asked == ["/robots.txt"]
    else:
        assert "/robots.txt" not in asked
