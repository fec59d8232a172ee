"""Perplexity: the Agent (Responses) API, or the legacy Sonar chat completions (retiring 27 Sep 2026)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from monitor.engines._shapes import bearer, read_chat_completion, read_output_items
from monitor.engines.base import TOOL_ERROR, Engine, EngineParams, ParsedAnswer

PERPLEXITY_URL = "https://api.perplexity.ai"


class PerplexityParams(EngineParams):
    base_url: str = PERPLEXITY_URL
    model: str = "sonar"
    api: Literal["agent", "sonar"] = "agent"
    # The docs name /v1/agent; the official SDK and release notes post to /v1/responses.
    agent_path: str = Field(default="/v1/responses", description="path of the Agent API")
    preset: str | None = Field(default="fast", description="Agent preset (fast/low/medium/high/xhigh); empty to send model")
    country: str | None = None
    price_per_request: float = 0.005


class Perplexity(Engine):
    """Perplexity: the Agent API with web_search (api=agent, default) or Sonar chat completions (api=sonar)."""

    kind = "perplexity"
    Params = PerplexityParams
    default_base_url = PERPLEXITY_URL
    key_setting = "monitor_perplexity_api_key"
    example = {"api": "agent"}

    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        params: PerplexityParams = self.params  # type: ignore[assignment]
        if params.api == "sonar":
            chat = {"model": params.model, "messages": [{"role": "user", "content": prompt}]}
            return "/chat/completions", chat, bearer(self.key), {}
        tool: dict[str, Any] = {"type": "web_search"}
        if params.country:
            tool["user_location"] = {"country": params.country}  # the Agent API rejects type/timezone here
        body: dict[str, Any] = {"input": prompt, "tools": [tool]}
        if params.preset:
            body["preset"] = params.preset
        else:
            body["model"] = params.model if "/" in params.model else f"perplexity/{params.model}"
        return "/" + params.agent_path.lstrip("/"), body, bearer(self.key), {}

    @classmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        if isinstance(raw, dict) and "choices" in raw:
            return read_chat_completion(raw, "Perplexity Sonar")
        parsed = read_output_items(raw, "Perplexity")
        if raw.get("status") == "failed":  # HTTP 200 with a failed run: a failed sample, not "no citations"
            parsed.retrieval_status = TOOL_ERROR
            parsed.tool_error = str(raw.get("error") or "status failed")[:300]
        return parsed
