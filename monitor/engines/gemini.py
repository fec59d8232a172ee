"""Google Gemini: generateContent with Google Search grounding."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from monitor.engines.base import NOT_SEARCHED, SEARCHED, Engine, EngineParams, ParsedAnswer, SourceRef, dig
from monitor.errors import ParseError

GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta"


class GeminiParams(EngineParams):
    base_url: str = GEMINI_URL
    model: str = "gemini-2.5-flash"
    search: bool = True
    temperature: float = 1.0  # Google recommends 1.0 with grounding
    price_per_request: float = 0.035


def byte_to_char(text: str, byte_offset: int) -> int:
    """The character offset of a UTF-8 byte offset (Gemini segments count bytes)."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


class Gemini(Engine):
    """Google Gemini: generateContent with google_search grounding (redirect URIs keep the domain in the title)."""

    kind = "gemini"
    Params = GeminiParams
    default_base_url = GEMINI_URL
    key_setting = "monitor_gemini_api_key"
    example = {"model": "gemini-2.5-flash"}

    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        params: GeminiParams = self.params  # type: ignore[assignment]
        body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                                "generationConfig": {"temperature": params.temperature}}
        if params.search:
            body["tools"] = [{"google_search": {}}]
        headers = {"x-goog-api-key": self.key} if self.key else {}
        return f"/models/{quote(params.model, safe='')}:generateContent", body, headers, {}

    @classmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        candidate = dig(raw, "candidates", 0)
        if not isinstance(candidate, dict):
            if isinstance(raw, dict) and dig(raw, "promptFeedback", "blockReason"):
                return ParsedAnswer(text="", retrieval_status=NOT_SEARCHED, model=raw.get("modelVersion"))
            raise ParseError("Gemini answer has no candidates")
        parts = [p for p in dig(candidate, "content", "parts") or [] if isinstance(p, dict) and not p.get("thought")]
        part_texts = [p.get("text") or "" for p in parts]
        starts = [sum(len(t) + 1 for t in part_texts[:i]) for i in range(len(part_texts))]
        text = "\n".join(part_texts)
        metadata = candidate.get("groundingMetadata")
        chunks = [dig(c, "web") or {} for c in dig(metadata, "groundingChunks") or []]
        retrieved = [SourceRef(str(c.get("uri")), c.get("title")) for c in chunks if c.get("uri")]
        cited: list[SourceRef] = []
        for support in dig(metadata, "groundingSupports") or []:
            segment = support.get("segment") or {}
            index = int(segment.get("partIndex") or 0)  # proto3 JSON drops zeros: missing means 0
            if not 0 <= index < len(part_texts):
                continue
            part = part_texts[index]
            start = starts[index] + byte_to_char(part, int(segment.get("startIndex") or 0))
            end = starts[index] + byte_to_char(part, int(segment.get("endIndex") or 0))
            for chunk_index in support.get("groundingChunkIndices") or []:
                if isinstance(chunk_index, int) and 0 <= chunk_index < len(chunks) and chunks[chunk_index].get("uri"):
                    chunk = chunks[chunk_index]
                    cited.append(SourceRef(str(chunk["uri"]), chunk.get("title"), start, end))
        searched = bool(metadata) and bool(chunks or dig(metadata, "webSearchQueries"))
        usage = raw.get("usageMetadata") or {}
        return ParsedAnswer(
            text=text, retrieval_status=SEARCHED if searched else NOT_SEARCHED, cited=cited, retrieved=retrieved,
            model=raw.get("modelVersion"), input_tokens=int(usage.get("promptTokenCount") or 0)
            + int(usage.get("toolUsePromptTokenCount") or 0), output_tokens=int(usage.get("candidatesTokenCount") or 0),
        )
