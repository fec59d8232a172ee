"""Engines read every provider's answer shape and are driven end to end against the stand-in."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from monitor.engines import NOT_SEARCHED, SEARCHED, TOOL_ERROR, engine_kinds
from monitor.engines.gemini import Gemini
from monitor.errors import AddressRefused, BudgetExhausted, PolicyError, RateLimited
from monitor.http import Budget, ClientOptions, EngineClient
from monitor.params import mask_params, validate_engine_params
from monitor.standin import StandIn
from tests.monitor.conftest import Sleeps


def _fixture(fixtures_dir: Path, name: str) -> Any:
    path = fixtures_dir / "ai_answers" / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return json.loads(path.read_text())


def _engine(kind: str, **params: Any) -> Any:
    cls = engine_kinds().get(kind)
    return cls(cls.validate({"model": "m", **params}))


def test_openai_responses_fixture_separates_cited_from_retrieved(fixtures_dir: Path) -> None:
    parsed = engine_kinds().get("openai").parse(_fixture(fixtures_dir, "openai_responses_response.json"))
    assert parsed.retrieval_status == SEARCHED
    assert [c.url.split("?")[0] for c in parsed.cited] == ["https://www.hubspot.com/products/crm", "https://www.g2.com/categories/crm"]
    assert parsed.text[parsed.cited[0].start:parsed.cited[0].end].startswith("([hubspot.com]")
    assert "https://www.reddit.com/r/startups/comments/xyz" in [r.url for r in parsed.retrieved]
    assert parsed.input_tokens == 9120


def test_openai_chat_search_fixture_reads_nested_url_citations(fixtures_dir: Path) -> None:
    parsed = engine_kinds().get("openai").parse(_fixture(fixtures_dir, "openai_chat_search_response.json"))
    assert parsed.retrieval_status == SEARCHED
    assert len(parsed.cited) == 2 and parsed.cited[1].title == "Best CRM Software - G2"


def test_anthropic_fixture_joins_split_blocks_and_offsets_citations(fixtures_dir: Path) -> None:
    parsed = engine_kinds().get("anthropic").parse(_fixture(fixtures_dir, "anthropic_response.json"))
    assert "1. HubSpot CRM, which has a free tier" in parsed.text
    first = parsed.cited[0]
    assert parsed.text[first.start:first.end] == "HubSpot CRM, which has a free tier aimed at small teams"
    assert parsed.retrieval_status == SEARCHED and len(parsed.retrieved) == 2


def test_anthropic_search_error_in_http_200_is_a_tool_error(fixtures_dir: Path) -> None:
    block = _fixture(fixtures_dir, "anthropic_search_error_block.json")
    raw = {"model": "c", "content": [{"type": "server_tool_use", "id": "srvtoolu_01ABC", "name": "web_search", "input": {}},
                                     block, {"type": "text", "text": "I could not search."}]}
    parsed = engine_kinds().get("anthropic").parse(raw)
    assert parsed.retrieval_status == TOOL_ERROR and parsed.tool_error == "max_uses_exceeded"


def test_gemini_fixture_takes_the_domain_from_the_title_and_defaults_missing_start(fixtures_dir: Path) -> None:
    parsed = Gemini.parse(_fixture(fixtures_dir, "gemini_response.json"))
    assert [c.title for c in parsed.cited] == ["hubspot.com", "g2.com", "hubspot.com"]
    second = parsed.cited[1]
    assert parsed.cited[0].start == 0 and parsed.text[second.start:second.end] == "Pipedrive is popular with sales-led teams."


def test_gemini_byte_offsets_with_non_ascii_text_become_character_offsets() -> None:
    text = "Café Zoho — CRM is fine. Acme is better."
    start = len("Café Zoho — CRM is fine. ".encode())
    raw = {"candidates": [{"content": {"parts": [{"text": "thinking", "thought": True}, {"text": text}]},
                           "groundingMetadata": {
                               "groundingChunks": [{"web": {"uri": "https://vertexaisearch.cloud.google.com/x",
                                                            "title": "acme.com"}}],
                               "groundingSupports": [{"segment": {"startIndex": start, "endIndex": len(text.encode())},
                                                                        "groundingChunkIndices": [0]}]}}]}
    parsed = Gemini.parse(raw)
    assert parsed.text == text
    assert parsed.text[parsed.cited[0].start:parsed.cited[0].end] == "Acme is better."


def test_perplexity_fixtures_and_http_200_failure(fixtures_dir: Path) -> None:
    perplexity = engine_kinds().get("perplexity")
    agent = perplexity.parse(_fixture(fixtures_dir, "perplexity_agent_response.json"))
    sonar = perplexity.parse(_fixture(fixtures_dir, "perplexity_sonar_response.json"))
    assert agent.retrieval_status == SEARCHED and len(agent.cited) == 2 and len(agent.retrieved) == 2
    assert sonar.cited[0].title == "Free CRM Software | HubSpot" and sonar.reported_cost == 0.005
    failed = perplexity.parse({"status": "failed", "error": {"message": "boom"}, "output": []})
    assert failed.retrieval_status == TOOL_ERROR


def test_an_answer_without_a_search_is_not_searched() -> None:
    part = {"type": "output_text", "text": "Acme.", "annotations": []}
    raw = {"model": "m", "output": [{"type": "message", "content": [part]}]}
    assert engine_kinds().get("openai").parse(raw).retrieval_status == NOT_SEARCHED


ENGINES = [
    ("openai", {}), ("openai", {"api": "chat"}), ("anthropic", {}), ("gemini", {}),
    ("perplexity", {}), ("perplexity", {"api": "sonar"}), ("openai_compatible", {}),
]


@pytest.mark.parametrize(("kind", "extra"), ENGINES)
def test_every_engine_round_trips_through_the_stand_in(standin: StandIn, kind: str, extra: dict[str, Any]) -> None:
    base = standin.url + ("/v1beta" if kind == "gemini" else "" if kind == "perplexity" else "/v1")
    engine = _engine(kind, base_url=base, **extra)

    async def ask() -> Any:
        async with EngineClient(ClientOptions(allow_private_networks=True)) as client:
            return await engine.ask(client, "Best analytics tool for a café?")

    asked = asyncio.run(ask())
    listed = {c.listed for c in standin.answers}
    assert any(all(name in asked.parsed.text for name in names) for names in listed)
    expected = NOT_SEARCHED if kind == "openai_compatible" else SEARCHED
    assert asked.parsed.retrieval_status == expected
    assert (len(asked.parsed.cited) > 0) == (kind != "openai_compatible")


def test_429_and_529_are_retried_after_the_wait_they_ask_for(standin: StandIn, sleeps: Sleeps) -> None:
    standin.knobs.faults.extend([(429, {"retry-after": "3"}), (529, {"retry-after": "1.5"})])
    engine = _engine("anthropic", base_url=standin.url + "/v1")

    async def ask() -> Any:
        async with EngineClient(ClientOptions(allow_private_networks=True), sleep=sleeps, jitter=lambda: 0.0) as client:
            return await engine.ask(client, "q"), client.retries

    asked, retries = asyncio.run(ask())
    assert sleeps.waits == [3.0, 1.5] and retries == 2
    assert asked.parsed.retrieval_status == SEARCHED


def test_a_retry_after_longer_than_the_cap_fails_as_rate_limited(standin: StandIn, sleeps: Sleeps) -> None:
    standin.knobs.faults.append((429, {"retry-after": "900"}))
    engine = _engine("openai", base_url=standin.url + "/v1")

    async def ask() -> Any:
        async with EngineClient(ClientOptions(allow_private_networks=True, max_retry_after=60), sleep=sleeps) as client:
            return await engine.ask(client, "q")

    with pytest.raises(RateLimited):
        asyncio.run(ask())
    assert sleeps.waits == []


def test_loopback_base_urls_are_refused_unless_private_networks_are_allowed(standin: StandIn) -> None:
    engine = _engine("openai_compatible", base_url=standin.url + "/v1")

    async def ask() -> Any:
        async with EngineClient(ClientOptions()) as client:
            return await engine.ask(client, "q")

    with pytest.raises(AddressRefused):
        asyncio.run(ask())
    assert standin.requests == []


def test_budget_caps_requests_and_estimated_cost() -> None:
    requests = Budget(max_requests=2)
    requests.reserve(0.0)
    requests.reserve(0.0)
    with pytest.raises(BudgetExhausted):
        requests.reserve(0.0)
    cost = Budget(max_cost=0.025)
    cost.reserve(0.01)
    cost.reserve(0.01)
    with pytest.raises(BudgetExhausted):
        cost.reserve(0.01)
    cost.settle(0.0, 0.01)  # the second answer turned out free
    cost.reserve(0.01)


def test_concurrency_cap_holds_against_a_slow_provider() -> None:
    with StandIn(seed=3) as server:
        server.knobs.latency = 0.05
        engine = _engine("openai", base_url=server.url + "/v1")

        async def ask_many() -> None:
            async with EngineClient(ClientOptions(allow_private_networks=True), concurrency=2) as client:
                await asyncio.gather(*(engine.ask(client, f"q{i}") for i in range(6)))

        asyncio.run(ask_many())
    assert server.max_in_flight == 2 and len(server.requests) == 6


def test_pause_turn_is_continued_and_counted(standin: StandIn) -> None:
    standin.knobs.pause_turn = 1.0
    engine = _engine("anthropic", base_url=standin.url + "/v1")

    async def ask() -> Any:
        async with EngineClient(ClientOptions(allow_private_networks=True)) as client:
            return await engine.ask(client, "q")

    asked = asyncio.run(ask())
    assert asked.requests == 2 and "turns" in asked.raw
    assert any(name in asked.parsed.text for name in standin.answers[0].listed + standin.answers[1].listed)
    assert standin.requests[1][2]["messages"][1]["role"] == "assistant"


def test_a_stored_key_goes_only_to_its_own_base_url(standin: StandIn) -> None:
    stored = validate_engine_params("openai", {"base_url": standin.url + "/v1", "api_key": "sk-canary-123"})
    assert stored["api_key_base_url"] == standin.url + "/v1"
    moved = {**stored, "base_url": "https://evil.example/v1"}
    openai = engine_kinds().get("openai")
    with pytest.raises(PolicyError):
        openai(openai.validate(moved))
    assert "sk-canary-123" not in repr(openai.validate(stored))
    assert mask_params("openai", stored)["api_key"] == "********"


def test_a_settings_key_is_only_sent_to_the_providers_own_address(standin: StandIn) -> None:
    openai = engine_kinds().get("openai")
    local = openai(openai.validate({"base_url": standin.url + "/v1"}), "sk-from-settings")
    official = openai(openai.validate({}), "sk-from-settings")
    assert local.key is None and official.key == "sk-from-settings"
    assert "Authorization" not in local.request("q")[2]


def test_a_retry_after_holds_back_the_engines_other_requests_too(sleeps: Sleeps) -> None:
    import httpx

    sent: list[str] = []
    canned = iter([httpx.Response(429, headers={"retry-after": "5"}, json={})])

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["input"])
        return next(canned, httpx.Response(200, json={"output": []}))

    engine = _engine("openai", base_url="https://provider.test/v1")

    async def ask_two() -> None:
        async with EngineClient(ClientOptions(), concurrency=1, transport=httpx.MockTransport(handler), sleep=sleeps,
                                jitter=lambda: 0.0, clock=lambda: 100.0) as client:
            await asyncio.gather(engine.ask(client, "first"), engine.ask(client, "second"))

    asyncio.run(ask_two())
    # "second" waited for the pause "first" was told about, before its first request went out.
    assert sent == ["first", "second", "first"] and sleeps.waits == [5.0, 5.0]
