"""Local and self-hosted models behind an OpenAI-compatible Chat Completions endpoint (no citations)."""

from __future__ import annotations

from typing import Any

from monitor.engines._shapes import bearer, read_chat_completion
from monitor.engines.base import NOT_SEARCHED, Engine, EngineParams, ParsedAnswer


class OpenAICompatibleParams(EngineParams):
    base_url: str = "http://127.0.0.1:11434/v1"
    temperature: float | None = None


class OpenAICompatible(Engine):
    """A local model (Ollama, vLLM, LM Studio, llama.cpp server) via OpenAI-compatible chat completions."""

    kind = "openai_compatible"
    Params = OpenAICompatibleParams
    example = {"base_url": "http://127.0.0.1:11434/v1", "model": "llama3.1"}

    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        params: OpenAICompatibleParams = self.params  # type: ignore[assignment]
        body: dict[str, Any] = {"model": params.model, "messages": [{"role": "user", "content": prompt}], "stream": False}
        if params.temperature is not None:
            body["temperature"] = params.temperature
        return "/chat/completions", body, bearer(self.key), {}

    @classmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        parsed = read_chat_completion(raw, "OpenAI-compatible server")
        parsed.retrieval_status = NOT_SEARCHED
        parsed.cited, parsed.retrieved = [], []
        return parsed
