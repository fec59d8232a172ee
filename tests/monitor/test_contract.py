"""The contract every engine kind passes: canned answers read, injected faults end as the right
error class (retried when transient), never as a crash or a silent empty answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from monitor.engines import engine_kinds
from monitor.errors import (
    AccessDenied, BadRequest, ConnectionFailed, MonitorError, ParseError, RateLimited, RequestTimeout, UpstreamError,
)
from monitor.http import ClientOptions, EngineClient
from monitor.standin import StandIn
from tests.monitor.conftest import Sleeps

KINDS = sorted(engine_kinds().kinds())
BASES = {"gemini": "/v1beta", "perplexity": ""}


def _engine(kind: str, base: str) -> Any:
    cls = engine_kinds().get(kind)
    return cls(cls.validate({"model": "m", "base_url": base + BASES.get(kind, "/v1")}))


def _ask(kind: str, handler: Callable[[httpx.Request], httpx.Response], sleeps: Sleeps) -> Any:
    engine = _engine(kind, "https://provider.test")

    async def ask() -> Any:
        async with EngineClient(ClientOptions(), transport=httpx.MockTransport(handler), sleep=sleeps,
                                jitter=lambda: 0.0) as client:
            return await engine.ask(client, "Best analytics tool?")

    return asyncio.run(ask())


def _canned(kind: str) -> bytes:
    with StandIn(seed=2) as server:
        path, body, headers, query = _engine(kind, server.url).request("q")
        status, _, payload = server.answer(path if kind != "gemini" else "/v1beta" + path, {k.lower(): v for k, v in
                                           (headers | {"anthropic-version": "2023-06-01"}).items()}, {}, body)
    assert status == 200
    return json.dumps(payload).encode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_canned_answer_is_read(kind: str, sleeps: Sleeps) -> None:
    canned = _canned(kind)
    asked = _ask(kind, lambda request: httpx.Response(200, content=canned), sleeps)
    assert "Here are options people often recommend:" in asked.parsed.text


FAULTS: list[tuple[str, Callable[[httpx.Request], httpx.Response], type[MonitorError], int]] = [
    ("500 every time", lambda r: httpx.Response(500, json={"error": {"message": "boom"}}), UpstreamError, 4),
    ("429 with Retry-After", lambda r: httpx.Response(429, headers={"retry-after": "2"}, json={}), RateLimited, 4),
    ("401", lambda r: httpx.Response(401, json={"error": {"message": "bad key"}}), AccessDenied, 1),
    ("400", lambda r: httpx.Response(400, json={"error": {"message": "unknown model"}}), BadRequest, 1),
    ("truncated body", lambda r: httpx.Response(200, content=b'{"output": [{"type": "mess'), ParseError, 1),
    ("reshaped JSON", lambda r: httpx.Response(200, json={"result": {"text": "Acme"}}), ParseError, 1),
    ("a redirect", lambda r: httpx.Response(307, headers={"location": "https://elsewhere.test/"}), BadRequest, 1),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("fault", "answer", "error", "requests"), FAULTS, ids=[f[0] for f in FAULTS])
def test_faults_end_as_the_right_error(kind: str, fault: str, answer: Callable[[httpx.Request], httpx.Response],
                                       error: type[MonitorError], requests: int, sleeps: Sleeps) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    with pytest.raises(error):
        _ask(kind, handler, sleeps)
    assert len(seen) == requests and len(sleeps.waits) == requests - 1
    if fault == "429 with Retry-After":
        assert sleeps.waits == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(("raised", "error"), [(httpx.ConnectError("refused"), ConnectionFailed),
                                               (httpx.ReadTimeout("slow"), RequestTimeout)])
def test_transport_failures_are_transient_and_retried(raised: Exception, error: type[MonitorError], sleeps: Sleeps) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    with pytest.raises(error):
        _ask("openai", handler, sleeps)
    assert len(sleeps.waits) == 3


def test_a_transient_failure_then_success_gives_the_answer(sleeps: Sleeps) -> None:
    canned = _canned("gemini")
    answers = iter([httpx.Response(503, headers={"retry-after": "1"}), httpx.Response(200, content=canned)])
    asked = _ask("gemini", lambda request: next(answers), sleeps)
    assert sleeps.waits == [1.0] and asked.parsed.cited
