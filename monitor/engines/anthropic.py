"""Anthropic Claude: the Messages API with the web_search server tool."""

from __future__ import annotations

import time
from typing import Any

from monitor.engines.base import NOT_SEARCHED, SEARCHED, TOOL_ERROR, Asked, Engine, EngineParams, ParsedAnswer, SourceRef
from monitor.errors import ParseError
from monitor.http import EngineClient

ANTHROPIC_URL = "https://api.anthropic.com/v1"
MAX_CONTINUATIONS = 3


class AnthropicParams(EngineParams):
    base_url: str = ANTHROPIC_URL
    model: str = "claude-sonnet-4-5"
    max_tokens: int = 1024
    tool_type: str = "web_search_20250305"
    max_uses: int = 3
    search: bool = True
    force_search: bool = False
    country: str | None = None
    version: str = "2023-06-01"
    price_per_request: float = 0.01


class Anthropic(Engine):
    """Anthropic Claude: Messages API with the web_search server tool (pause_turn continued, errors in HTTP 200 caught)."""

    kind = "anthropic"
    Params = AnthropicParams
    default_base_url = ANTHROPIC_URL
    key_setting = "monitor_anthropic_api_key"
    example = {"model": "claude-sonnet-4-5"}

    def _body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        params: AnthropicParams = self.params  # type: ignore[assignment]
        body: dict[str, Any] = {"model": params.model, "max_tokens": params.max_tokens, "messages": messages}
        if params.search:
            tool: dict[str, Any] = {"type": params.tool_type, "name": "web_search", "max_uses": params.max_uses}
            if params.country:
                tool["user_location"] = {"type": "approximate", "country": params.country}
            body["tools"] = [tool]
            if params.force_search:
                body["tool_choice"] = {"type": "tool", "name": "web_search"}
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"anthropic-version": self.params.version}  # type: ignore[attr-defined]
        return headers | ({"x-api-key": self.key} if self.key else {})

    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        return "/messages", self._body([{"role": "user", "content": prompt}]), self._headers(), {}

    async def ask(self, client: EngineClient, prompt: str) -> Asked:
        """Ask, and resend the conversation while the provider pauses the turn (`pause_turn`)."""
        messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
        turns: list[Any] = []
        started = time.perf_counter()
        for _ in range(MAX_CONTINUATIONS + 1):
            raw = await client.post_json(self.params.base_url + "/messages", self._body(messages),
                                         headers=self._headers(), expected_cost=self.expected_cost())
            turns.append(raw)
            if not isinstance(raw, dict) or raw.get("stop_reason") != "pause_turn":
                break
            messages = [*messages[:1], {"role": "assistant", "content": raw.get("content") or []}]
        stored = turns[0] if len(turns) == 1 else {"turns": turns}
        return Asked(stored, self.parse(stored), len(turns), time.perf_counter() - started)

    @classmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        turns: list[Any] = raw["turns"] if isinstance(raw, dict) and isinstance(raw.get("turns"), list) else [raw]
        text = ""
        cited: list[SourceRef] = []
        retrieved: list[SourceRef] = []
        searched, tool_error = False, None
        usage = {"input": 0, "output": 0}
        model = None
        for turn in turns:
            if not isinstance(turn, dict) or not isinstance(turn.get("content"), list):
                raise ParseError("Anthropic answer has no content list")
            model = turn.get("model") or model
            usage["input"] += int((turn.get("usage") or {}).get("input_tokens") or 0)
            usage["output"] += int((turn.get("usage") or {}).get("output_tokens") or 0)
            for block in turn["content"]:
                kind = block.get("type") if isinstance(block, dict) else None
                if kind == "text":
                    start = len(text)
                    text += block.get("text") or ""
                    # Citations carry no offsets: the cited span is the whole text block.
                    for citation in block.get("citations") or []:
                        if isinstance(citation, dict) and isinstance(citation.get("url"), str):
                            cited.append(SourceRef(citation["url"], citation.get("title"), start, len(text)))
                elif kind == "server_tool_use":
                    searched = True
                elif kind == "web_search_tool_result":
                    content = block.get("content")
                    if isinstance(content, dict) and content.get("type") == "web_search_tool_result_error":
                        tool_error = str(content.get("error_code") or "web search error")
                    for result in content if isinstance(content, list) else []:
                        if isinstance(result, dict) and isinstance(result.get("url"), str):
                            retrieved.append(SourceRef(result["url"], result.get("title")))
        status = TOOL_ERROR if tool_error else SEARCHED if searched else NOT_SEARCHED
        return ParsedAnswer(text=text, retrieval_status=status, cited=cited, retrieved=retrieved, model=model,
                            input_tokens=usage["input"], output_tokens=usage["output"], tool_error=tool_error)
