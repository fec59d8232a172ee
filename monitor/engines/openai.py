"""OpenAI: the Responses API with the web_search tool, or Chat Completions with a search model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from monitor.engines._shapes import bearer, read_chat_completion, read_output_items
from monitor.engines.base import TOOL_ERROR, Engine, EngineParams, ParsedAnswer

OPENAI_URL = "https://api.openai.com/v1"


class OpenAIParams(EngineParams):
    base_url: str = OPENAI_URL
    model: str = "gpt-5-mini"
    api: Literal["responses", "chat"] = Field(
        default="responses", description="responses (web_search tool) or chat (search models)")
    search: bool = True
    tool_type: str = "web_search"
    tool_choice: Literal["auto", "required"] = "auto"
    country: str | None = None
    search_context_size: Literal["low", "medium", "high"] = "medium"
    price_per_request: float = 0.01


class OpenAI(Engine):
    """OpenAI: Responses API with web_search (api=responses) or a search model via Chat Completions (api=chat)."""

    kind = "openai"
    Params = OpenAIParams
    default_base_url = OPENAI_URL
    key_setting = "monitor_openai_api_key"
    example = {"model": "gpt-5-mini"}

    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        params: OpenAIParams = self.params  # type: ignore[assignment]
        location = {"type": "approximate", "country": params.country} if params.country else None
        if params.api == "chat":
            body: dict[str, Any] = {"model": params.model, "messages": [{"role": "user", "content": prompt}]}
            if params.search:
                options: dict[str, Any] = {"search_context_size": params.search_context_size}
                if params.country:
                    options["user_location"] = {"type": "approximate", "approximate": {"country": params.country}}
                body["web_search_options"] = options
            return "/chat/completions", body, bearer(self.key), {}
        body = {"model": params.model, "input": prompt}
        if params.search:
            tool: dict[str, Any] = {"type": params.tool_type, "search_context_size": params.search_context_size}
            if location:
                tool["user_location"] = location
            body |= {"tools": [tool], "tool_choice": params.tool_choice, "include": ["web_search_call.action.sources"]}
        return "/responses", body, bearer(self.key), {}

    @classmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        if isinstance(raw, dict) and "choices" in raw:
            return read_chat_completion(raw, "OpenAI")
        parsed = read_output_items(raw, "OpenAI")
        failed_searches = [item for item in raw.get("output") or [] if isinstance(item, dict)
                           and item.get("type") == "web_search_call" and item.get("status") == "failed"]
        if raw.get("status") == "failed" or failed_searches:
            parsed.retrieval_status = TOOL_ERROR
            parsed.tool_error = str(raw.get("error") or "web_search_call failed")[:300]
        return parsed
