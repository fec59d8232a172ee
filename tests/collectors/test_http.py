"""The shared HTTP layer: retries with backoff honouring Retry-After, robots.txt, limits, size cap, conditional GET."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from collectors._limits import HostLimiter
from collectors._robots import rules_from_response
from collectors.errors import (
    AccessDenied, BlockedByRobots, ClientError, ConnectionFailed, FetchTimeout, NotFound, ParseError, RateLimited,
    ResponseTooLarge, UpstreamError,
)
from collectors._status import parse_retry_after
from collectors.http import Fetched, Fetcher, HttpOptions
from tests.collectors.loopback import Answer, Loopback, Seen


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def run(coro_factory: Callable[[Fetcher], Any], options: HttpOptions, handler: Callable[[httpx.Request], httpx.Response],
        clock: FakeClock | None = None) -> Any:
    clock = clock or FakeClock()

    async def go() -> Any:
        async with Fetcher(options, transport=httpx.MockTransport(handler), sleep=clock.sleep, clock=clock,
                           jitter=lambda: 0.0) as fetcher:
            return await coro_factory(fetcher)

    return asyncio.run(go())


OPTIONS = HttpOptions(host_interval=0.0, attempts=3, backoff_base=1.0, max_retry_after=60.0)


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


def test_429_with_retry_after_waits_that_long_then_succeeds() -> None:
    handler = sequence(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"a": 1}))
    clock = FakeClock()
    result = run(lambda f: f.get("https://api.test/x"), OPTIONS, handler, clock)
    assert result.json() == {"a": 1}
    assert 7.0 in clock.sleeps


def test_retry_after_longer_than_the_cap_gives_up_with_rate_limited() -> None:
    handler = sequence(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as caught:
        run(lambda f: f.get("https://api.test/x"), OPTIONS, handler)
    assert caught.value.retry_after == 3600


def test_5xx_is_retried_with_exponential_backoff_then_reported_as_upstream_error() -> None:
    handler = sequence(httpx.Response(500))
    clock = FakeClock()
    with pytest.raises(UpstreamError):
        run(lambda f: f.get("https://api.test/x"), OPTIONS, handler, clock)
    assert clock.sleeps == [0.5, 1.0]  # half the ceiling plus jitter (0 here): 1 s then 2 s ceilings
    assert len([r for r in handler.seen if r.url.path == "/x"]) == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(("status", "error"), [(404, NotFound), (410, NotFound), (401, AccessDenied),
                                               (403, AccessDenied), (400, ClientError)])
def test_4xx_is_permanent_and_not_retried(status: int, error: type[Exception]) -> None:
    handler = sequence(httpx.Response(status))
    with pytest.raises(error):
        run(lambda f: f.get("https://api.test/x"), OPTIONS, handler)
    assert len([r for r in handler.seen if r.url.path == "/x"]) == 1  # type: ignore[attr-defined]


def test_connect_errors_and_timeouts_map_to_transient_errors() -> None:
    with pytest.raises(ConnectionFailed):
        run(lambda f: f.get("https://api.test/x"), OPTIONS, sequence(httpx.ConnectError("refused")))
    with pytest.raises(FetchTimeout):
        run(lambda f: f.get("https://api.test/x"), OPTIONS, sequence(httpx.ReadTimeout("slow")))


def test_post_is_not_retried_unless_asked() -> None:
    handler = sequence(httpx.Response(503))
    with pytest.raises(UpstreamError):
        run(lambda f: f.request("POST", "https://api.test/x", data={"a": "b"}), OPTIONS, handler)
    assert len([r for r in handler.seen if r.url.path == "/x"]) == 1  # type: ignore[attr-defined]


def test_truncated_json_is_a_parse_error() -> None:
    result = run(lambda f: f.get("https://api.test/x"), OPTIONS, sequence(httpx.Response(200, content=b'{"feed": [1, 2')))
    with pytest.raises(ParseError):
        result.json()


def test_a_body_over_the_cap_is_refused() -> None:
    small = HttpOptions(host_interval=0.0, max_bytes=1000)
    with pytest.raises(ResponseTooLarge):
        run(lambda f: f.get("https://api.test/x"), small, sequence(httpx.Response(200, content=b"x" * 5000)))


def test_body_over_the_cap_without_content_length_is_refused_while_streaming(loopback: Loopback) -> None:
    loopback.route("/big", Answer(b"y" * 50_000, chunked=True))
    loopback.route("/small", Answer(b"y" * 10_000, chunked=True))

    async def go(path: str) -> Fetched:
        async with Fetcher(HttpOptions(allow_private_networks=True, host_interval=0.0, max_bytes=20_000)) as f:
            return await f.get(loopback.url + path, robots=False)

    assert len(asyncio.run(go("/small")).content) == 10_000
    with pytest.raises(ResponseTooLarge):
        asyncio.run(go("/big"))


def test_user_agent_and_conditional_get_headers_are_sent() -> None:
    handler = sequence(httpx.Response(304))
    options = HttpOptions(host_interval=0.0, user_agent="Advocado/9 (+https://example.invalid)")
    result = run(lambda f: f.get("https://api.test/x", validators={"etag": '"v1"', "last_modified": "Mon, 01 Jan 2024 00:00:00 GMT"}),
                 options, handler)
    sent = handler.seen[-1]  # type: ignore[attr-defined]
    assert sent.headers["user-agent"] == "Advocado/9 (+https://example.invalid)"
    assert sent.headers["if-none-match"] == '"v1"'
    assert sent.headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert result.not_modified


def test_validators_come_from_etag_and_last_modified() -> None:
    response = httpx.Response(200, headers={"ETag": '"abc"', "Last-Modified": "Tue, 02 Jan 2024 00:00:00 GMT"})
    result = run(lambda f: f.get("https://api.test/x"), OPTIONS, sequence(response))
    assert result.validators == {"etag": '"abc"', "last_modified": "Tue, 02 Jan 2024 00:00:00 GMT"}


def test_retry_after_as_http_date() -> None:
    from datetime import datetime, timezone

    now = datetime(2024, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None


def robots_handler(status: int, body: str = "") -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(status, text=body)
        return httpx.Response(200, text="page")

    return handler


def test_robots_disallow_blocks_with_longest_match_winning() -> None:
    robots = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
    assert run(lambda f: f.get("https://site.test/wp-admin/admin-ajax.php"), OPTIONS, robots_handler(200, robots)).text == "page"
    with pytest.raises(BlockedByRobots):
        run(lambda f: f.get("https://site.test/wp-admin/options.php"), OPTIONS, robots_handler(200, robots))


def test_robots_4xx_allows_everything() -> None:
    assert run(lambda f: f.get("https://site.test/any"), OPTIONS, robots_handler(404)).text == "page"


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_disallows_everything(status: int) -> None:
    with pytest.raises(BlockedByRobots):
        run(lambda f: f.get("https://site.test/any"), OPTIONS, robots_handler(status))


def test_robots_unreachable_disallows_everything() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            raise httpx.ConnectError("down")
        return httpx.Response(200)

    with pytest.raises(BlockedByRobots):
        run(lambda f: f.get("https://site.test/any"), OPTIONS, handler)


def test_robots_is_fetched_once_per_origin_and_crawl_delay_spaces_requests() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 5\n")
        return httpx.Response(200)

    clock = FakeClock()

    async def three(fetcher: Fetcher) -> None:
        for page in range(3):
            await fetcher.get(f"https://site.test/p{page}")

    run(three, OPTIONS, handler, clock)
    assert seen.count("/robots.txt") == 1
    assert sum(clock.sleeps) == pytest.approx(10.0)


def test_robots_rules_direct() -> None:
    assert rules_from_response(404, b"", 0).allowed("https://a.test/x", "Advocado")
    assert not rules_from_response(502, b"", 0).allowed("https://a.test/x", "Advocado")
    assert not rules_from_response(200, b"User-agent: advocado\nDisallow: /\n", 0).allowed("https://a.test/x", "Advocado/0.1")


def test_host_limiter_spaces_requests_per_host_but_not_across_hosts() -> None:
    clock = FakeClock()
    limiter = HostLimiter(interval=2.0, concurrency=1, clock=clock, sleep=clock.sleep)
    starts: list[tuple[str, float]] = []

    async def go() -> None:
        for host in ["a", "a", "b", "a"]:
            async with limiter.slot(host):
                starts.append((host, clock.now))

    asyncio.run(go())
    assert starts == [("a", 1000.0), ("a", 1002.0), ("b", 1002.0), ("a", 1004.0)]


def test_retry_after_defers_the_whole_host() -> None:
    clock = FakeClock()
    limiter = HostLimiter(interval=0.0, concurrency=2, clock=clock, sleep=clock.sleep)
    limiter.defer("a", 30)

    async def go() -> float:
        async with limiter.slot("a"):
            return clock.now

    assert asyncio.run(go()) == 1030.0


def test_slow_server_times_out(loopback: Loopback) -> None:
    def slow(_seen: Seen) -> Answer:
        time.sleep(1.0)
        return Answer("{}")

    loopback.route("/slow", slow)

    async def go() -> None:
        async with Fetcher(HttpOptions(allow_private_networks=True, host_interval=0.0, timeout=0.2, attempts=1)) as f:
            await f.get(loopback.url + "/slow", robots=False)

    with pytest.raises(FetchTimeout):
        asyncio.run(go())


def test_api_key_headers_are_never_sent_to_another_host_on_redirect() -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("x-goog-api-key")))
        if request.url.host == "api.test" and request.url.path == "/moved":
            return httpx.Response(301, headers={"Location": "https://api.test/here"})
        if request.url.host == "api.test" and request.url.path == "/here":
            return httpx.Response(302, headers={"Location": "https://evil.test/collect"})
        return httpx.Response(200, text="ok")

    from collectors.errors import PermanentError

    with pytest.raises(PermanentError, match="never sent to another host"):
        run(lambda f: f.get("https://api.test/moved", headers={"X-Goog-Api-Key": "k"}, robots=False), OPTIONS, handler)
    assert seen == [("api.test", "k"), ("api.test", "k")]
    assert run(lambda f: f.get("https://api.test/elsewhere", robots=False), OPTIONS, handler).text == "ok"


def test_a_server_that_drips_its_body_hits_the_overall_deadline() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(40):  # each byte well inside the read timeout, the whole far beyond it
                time.sleep(0.05)
                try:
                    connection.sendall(b"x")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()

    async def go() -> None:
        async with Fetcher(HttpOptions(allow_private_networks=True, host_interval=0.0, timeout=0.2, attempts=1)) as f:
            await f.get(f"http://127.0.0.1:{port}/slow", robots=False)

    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="in all"):
        asyncio.run(go())
    assert time.monotonic() - started < 1.5
    server.close()


def test_every_redirect_hop_is_checked_against_that_hosts_robots_txt() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.host}{request.url.path}")
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private\n" if request.url.host == "b.test" else "")
        if request.url.host == "a.test":
            return httpx.Response(302, headers={"Location": "https://b.test/private/page"})
        return httpx.Response(200, text="secret")

    with pytest.raises(BlockedByRobots):
        run(lambda f: f.get("https://a.test/start"), OPTIONS, handler)
    assert asked == ["a.test/robots.txt", "a.test/start", "b.test/robots.txt"]


def test_same_origin_redirects_keep_credentials_and_a_303_after_post_becomes_get() -> None:
    seen: list[tuple[str, str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.headers.get("x-goog-api-key")))
        if request.url.path == "/v1/old":
            return httpx.Response(301, headers={"Location": "/v1/new"})
        if request.url.path == "/submit":
            return httpx.Response(303, headers={"Location": "/result"})
        return httpx.Response(200, text="done")

    assert run(lambda f: f.get("https://api.test/v1/old", headers={"X-Goog-Api-Key": "k"}, robots=False), OPTIONS, handler).text == "done"
    assert run(lambda f: f.request("POST", "https://api.test/submit", data={"a": "1"}, robots=False), OPTIONS, handler).text == "done"
    assert seen == [("GET", "/v1/old", "k"), ("GET", "/v1/new", "k"), ("POST", "/submit", None), ("GET", "/result", None)]


def test_a_redirect_loop_ends_as_a_permanent_error() -> None:
    from collectors.errors import PermanentError

    loop = sequence(httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(PermanentError, match="redirected more than"):
        run(lambda f: f.get("https://api.test/again", robots=False), OPTIONS, loop)
